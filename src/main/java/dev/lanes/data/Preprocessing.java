package dev.lanes.data;

import dev.lanes.tensor.Matrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Stateless preprocessing. Fitted transforms are {@link Standardizer} and {@link MinMaxScaler}. */
public final class Preprocessing {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Preprocessing() {}

    /** Divides every element of {@code x} by {@code divisor} in place (255 maps byte pixels to [0, 1]). */
    public static void divide(Matrix x, float divisor) {
        if (!(divisor != 0 && Float.isFinite(divisor))) {
            throw new IllegalArgumentException("cannot divide by " + divisor);
        }
        MemorySegment s = x.segment();
        for (int r = 0; r < x.rows(); r++) {
            long base = (long) r * x.stride();
            for (int c = 0; c < x.cols(); c++) {
                s.setAtIndex(FLOAT, base + c, s.getAtIndex(FLOAT, base + c) / divisor);
            }
        }
    }

    /** Class ids ({@code n × 1}) as one-hot rows ({@code n × classes}), in a new matrix it owns. */
    public static Matrix oneHot(Matrix classIds, int classes) {
        if (classIds.cols() != 1) {
            throw new IllegalArgumentException("one-hot needs n x 1 class ids, got " + classIds.shape());
        }
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be positive: " + classes);
        }
        Matrix out = Matrix.allocate(classIds.rows(), classes);
        for (int r = 0; r < classIds.rows(); r++) {
            float v = classIds.get(r, 0);
            if (!(v >= 0 && v < classes && v == Math.rint(v))) {
                out.close();
                throw new IllegalArgumentException("row " + r + " has label " + v + ", not a class id 0.." + (classes - 1));
            }
            out.set(r, (int) v, 1f);
        }
        return out;
    }

    /** One-hot labels of a classification set. */
    public static Matrix oneHot(Dataset data) {
        return oneHot(data.labels(), data.numClasses());
    }
}
