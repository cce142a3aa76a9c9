package dev.lanes.data;

import dev.lanes.tensor.Matrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** {@code x[r][c] = (x[r][c] - shift[c]) * factor[c]} in place: what standardizing and min-max share. */
final class ColumnAffine {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ColumnAffine() {}

    static void apply(Matrix x, float[] shift, float[] factor) {
        if (x.cols() != shift.length) {
            throw new IllegalArgumentException("fitted on " + shift.length + " features, applied to a " + x.shape() + " matrix");
        }
        MemorySegment s = x.segment();
        int cols = x.cols();
        for (int r = 0; r < x.rows(); r++) {
            long base = (long) r * x.stride();
            for (int c = 0; c < cols; c++) {
                s.setAtIndex(FLOAT, base + c, (s.getAtIndex(FLOAT, base + c) - shift[c]) * factor[c]);
            }
        }
    }

    /** Column means and population variances, accumulated in double (Welford) for stability. */
    static double[][] meanAndVariance(Matrix x) {
        int cols = x.cols();
        double[] mean = new double[cols];
        double[] m2 = new double[cols];
        MemorySegment s = x.segment();
        for (int r = 0; r < x.rows(); r++) {
            long base = (long) r * x.stride();
            double n = r + 1;
            for (int c = 0; c < cols; c++) {
                double v = s.getAtIndex(FLOAT, base + c);
                double delta = v - mean[c];
                mean[c] += delta / n;
                m2[c] += delta * (v - mean[c]);
            }
        }
        for (int c = 0; c < cols; c++) m2[c] /= x.rows();
        return new double[][] {mean, m2};
    }

    static float[][] minAndMax(Matrix x) {
        int cols = x.cols();
        float[] min = new float[cols];
        float[] max = new float[cols];
        java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
        MemorySegment s = x.segment();
        for (int r = 0; r < x.rows(); r++) {
            long base = (long) r * x.stride();
            for (int c = 0; c < cols; c++) {
                float v = s.getAtIndex(FLOAT, base + c);
                min[c] = Math.min(min[c], v);
                max[c] = Math.max(max[c], v);
            }
        }
        return new float[][] {min, max};
    }

    static void checkFinite(float[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(what + "[" + i + "] is " + values[i]);
            }
        }
    }
}
