package dev.lanes.data;

import dev.lanes.tensor.Matrix;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Examples for training or prediction, off-heap: features ({@code n × d}) and labels. Labels are
 * either class ids ({@code n × 1}, the id stored as a float; see {@link #numClasses()}), regression
 * targets ({@code n × k}), or absent (data to predict on).
 *
 * <p>A dataset owns the matrices it is given and frees them on {@link #close()}.
 */
public final class Dataset implements AutoCloseable {
    private final Matrix features;
    private final Matrix labels;
    private final int numClasses;
    private final List<String> featureNames;
    private final List<String> classNames;
    private volatile boolean closed;

    private Dataset(Matrix features, Matrix labels, int numClasses, List<String> featureNames, List<String> classNames) {
        Objects.requireNonNull(features, "features");
        if (labels != null && labels.rows() != features.rows()) {
            throw new IllegalArgumentException(features.rows() + " feature rows but " + labels.rows() + " label rows");
        }
        if (featureNames.size() != features.cols()) {
            throw new IllegalArgumentException(featureNames.size() + " feature names for " + features.cols() + " features");
        }
        this.features = features;
        this.labels = labels;
        this.numClasses = numClasses;
        this.featureNames = List.copyOf(featureNames);
        this.classNames = List.copyOf(classNames);
    }

    /**
     * A classification set: {@code labels} is {@code n × 1} with class ids {@code 0 … classNames.size()-1}.
     *
     * @throws IllegalArgumentException when a label is not one of those ids
     */
    public static Dataset classification(Matrix features, Matrix labels, List<String> featureNames, List<String> classNames) {
        Objects.requireNonNull(labels, "labels");
        if (labels.cols() != 1) {
            throw new IllegalArgumentException("class labels must be n x 1 class ids, got " + labels.shape());
        }
        int k = classNames.size();
        if (k < 2) {
            throw new IllegalArgumentException("a classification set needs at least 2 classes, got " + k);
        }
        for (int r = 0; r < labels.rows(); r++) {
            float v = labels.get(r, 0);
            if (!(v >= 0 && v < k && v == Math.rint(v))) {
                throw new IllegalArgumentException("label " + v + " in row " + r + " is not a class id 0.." + (k - 1));
            }
        }
        return new Dataset(features, labels, k, featureNames, classNames);
    }

    /** A regression set: {@code targets} is {@code n × k} real values. */
    public static Dataset regression(Matrix features, Matrix targets, List<String> featureNames) {
        Objects.requireNonNull(targets, "targets");
        return new Dataset(features, targets, 0, featureNames, List.of());
    }

    /** Features only, for prediction. */
    public static Dataset unlabeled(Matrix features, List<String> featureNames) {
        return new Dataset(features, null, 0, featureNames, List.of());
    }

    /**
     * The same data (shared, not copied) under other class names; the result takes over ownership,
     * so only it may be closed.
     */
    Dataset withClassNames(List<String> names) {
        if (names.size() != numClasses) {
            throw new IllegalArgumentException(names.size() + " class names for " + numClasses + " classes");
        }
        return new Dataset(features, labels, numClasses, featureNames, names);
    }

    /** Names {@code prefix0, prefix1, …} for {@code count} features that have no names of their own. */
    public static List<String> numberedNames(String prefix, int count) {
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(prefix + i);
        }
        return names;
    }

    public int rows() { return features.rows(); }

    public int featureCount() { return features.cols(); }

    public Matrix features() {
        checkOpen();
        return features;
    }

    /** Class ids ({@code n × 1}) or regression targets ({@code n × k}). */
    public Matrix labels() {
        checkOpen();
        if (labels == null) {
            throw new IllegalStateException("this dataset has no labels");
        }
        return labels;
    }

    public boolean hasLabels() { return labels != null; }

    public boolean isClassification() { return numClasses > 0; }

    /** The number of classes, or 0 for regression and unlabeled sets. */
    public int numClasses() { return numClasses; }

    /** Columns of the label matrix: 1 for class ids, k for k regression targets. */
    public int labelCols() { return labels == null ? 0 : labels.cols(); }

    public List<String> featureNames() { return featureNames; }

    /** What each class id means ("0".."9", "liver patient", …); empty unless classification. */
    public List<String> classNames() { return classNames; }

    /** The class id of {@code row}. */
    public int classId(int row) {
        checkOpen();
        if (!isClassification()) {
            throw new IllegalStateException("not a classification set");
        }
        return (int) labels.get(row, 0);
    }

    /** How many rows each class has. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int r = 0; r < rows(); r++) {
            counts[classId(r)]++;
        }
        return counts;
    }

    /** A new dataset holding copies of {@code rowIndices} in that order (its own memory). */
    public Dataset select(int[] rowIndices) {
        checkOpen();
        if (rowIndices.length == 0) {
            throw new IllegalArgumentException("cannot select zero rows");
        }
        Matrix x = Matrix.allocate(rowIndices.length, features.cols());
        Matrix y = null;
        try {
            gatherRows(features, rowIndices, 0, rowIndices.length, x);
            if (labels != null) {
                y = Matrix.allocate(rowIndices.length, labels.cols());
                gatherRows(labels, rowIndices, 0, rowIndices.length, y);
            }
        } catch (RuntimeException e) {
            x.close();
            if (y != null) y.close();
            throw e;
        }
        return new Dataset(x, y, numClasses, featureNames, classNames);
    }

    /** Copies rows {@code indices[from..to)} of {@code src} into rows {@code 0..to-from} of {@code dst}. */
    static void gatherRows(Matrix src, int[] indices, int from, int to, Matrix dst) {
        MemorySegment s = src.segment();
        MemorySegment d = dst.segment();
        long rowBytes = (long) src.cols() * Float.BYTES;
        long srcStride = (long) src.stride() * Float.BYTES;
        long dstStride = (long) dst.stride() * Float.BYTES;
        int rows = src.rows();
        for (int i = from; i < to; i++) {
            int r = indices[i];
            if (r < 0 || r >= rows) {
                throw new IndexOutOfBoundsException("row " + r + " of a " + src.shape() + " matrix");
            }
            MemorySegment.copy(s, r * srcStride, d, (i - from) * dstStride, rowBytes);
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("this dataset (" + rows() + " rows) was closed; its memory is freed");
    }

    /** Frees the features and labels; the dataset refuses use afterwards. */
    @Override
    public void close() {
        closed = true;
        features.close();
        if (labels != null) labels.close();
    }

    @Override
    public String toString() {
        String kind = isClassification() ? numClasses + " classes" : hasLabels() ? labels.cols() + " regression target(s)" : "unlabeled";
        return "Dataset " + rows() + " rows x " + featureCount() + " features, " + kind;
    }
}
