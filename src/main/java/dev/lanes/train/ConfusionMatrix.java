package dev.lanes.train;

import dev.lanes.nn.Sequential;
import dev.lanes.tensor.Matrix;
import java.util.Locale;

/**
 * Counts of (actual class, predicted class) pairs, with overall and per-class accuracy.
 * Per-class accuracy of class k is the fraction of the samples of class k predicted as k (its
 * recall); NaN for a class with no samples.
 *
 * <pre>{@code
 * ConfusionMatrix cm = ConfusionMatrix.of(model, xTest, yTest);
 * System.out.println(cm);                 // the table
 * double[] perClass = cm.perClassAccuracy();
 * }</pre>
 */
public final class ConfusionMatrix {
    private final long[][] counts;

    private ConfusionMatrix(int classes) {
        counts = new long[classes][classes];
    }

    /** From class indices. */
    public static ConfusionMatrix of(int[] actual, int[] predicted, int classes) {
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException(actual.length + " actual classes but " + predicted.length + " predictions");
        }
        if (classes < 2) throw new IllegalArgumentException("a confusion matrix needs at least 2 classes, got " + classes);
        ConfusionMatrix cm = new ConfusionMatrix(classes);
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] < 0 || actual[i] >= classes || predicted[i] < 0 || predicted[i] >= classes) {
                throw new IllegalArgumentException("row " + i + ": class " + actual[i] + " / prediction " + predicted[i]
                        + " is outside [0, " + classes + ")");
            }
            cm.counts[actual[i]][predicted[i]]++;
        }
        return cm;
    }

    /**
     * Predicts {@code x} with {@code model} and compares with {@code y}: an m×1 column of class
     * indices (or 0/1 for a single sigmoid unit), or one-hot rows.
     */
    public static ConfusionMatrix of(Sequential model, Matrix x, Matrix y) {
        if (y.rows() != x.rows()) {
            throw new IllegalArgumentException("targets have " + y.rows() + " rows but the inputs have " + x.rows());
        }
        int classes = model.outputWidth() == 1 ? 2 : model.outputWidth();
        int[] actual = new int[y.rows()];
        if (y.cols() == 1) {
            for (int r = 0; r < actual.length; r++) {
                actual[r] = model.outputWidth() == 1 ? (y.get(r, 0) >= 0.5f ? 1 : 0) : Math.round(y.get(r, 0));
            }
        } else if (y.cols() == model.outputWidth()) {
            model.kernels().argmaxRows(y, actual);
        } else {
            throw new IllegalArgumentException("targets must be class indices (m×1) or one-hot (m×" + model.outputWidth()
                    + "), got " + y.shape());
        }
        return of(actual, model.predictClasses(x), classes);
    }

    public int classes() { return counts.length; }

    /** Samples of class {@code actual} predicted as {@code predicted}. */
    public long count(int actual, int predicted) { return counts[actual][predicted]; }

    public long total() {
        long n = 0;
        for (long[] row : counts) for (long c : row) n += c;
        return n;
    }

    public double accuracy() {
        long correct = 0;
        for (int k = 0; k < counts.length; k++) correct += counts[k][k];
        return (double) correct / total();
    }

    public double[] perClassAccuracy() {
        double[] out = new double[counts.length];
        for (int k = 0; k < counts.length; k++) {
            long n = 0;
            for (long c : counts[k]) n += c;
            out[k] = n == 0 ? Double.NaN : (double) counts[k][k] / n;
        }
        return out;
    }

    /** Rows are actual classes, columns predicted ones, with per-class accuracy at the right. */
    @Override
    public String toString() {
        int width = Math.max(6, Long.toString(total()).length() + 1);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-8s", "actual"));
        for (int k = 0; k < counts.length; k++) sb.append(String.format(Locale.ROOT, "%" + width + "d", k));
        sb.append("   accuracy\n");
        double[] perClass = perClassAccuracy();
        for (int a = 0; a < counts.length; a++) {
            sb.append(String.format(Locale.ROOT, "%-8d", a));
            for (int p = 0; p < counts.length; p++) sb.append(String.format(Locale.ROOT, "%" + width + "d", counts[a][p]));
            sb.append(String.format(Locale.ROOT, "   %.4f%n", perClass[a]));
        }
        sb.append(String.format(Locale.ROOT, "overall accuracy %.4f over %d samples%n", accuracy(), total()));
        return sb.toString();
    }
}
