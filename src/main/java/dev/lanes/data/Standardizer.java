package dev.lanes.data;

import dev.lanes.tensor.Matrix;

/**
 * Standardizes features to zero mean and unit variance per column: {@code (x - mean) / std}.
 * Fit it on the training split only, then apply the same statistics to dev, test and anything
 * predicted later; fitting on all data leaks the held-out sets into training.
 *
 * <p>The variance is the population variance (divide by n), as scikit-learn's StandardScaler. A
 * constant column has std 0 and is only centred (divided by 1), not blown up to infinity. The
 * statistics are plain float arrays ({@link #mean()}, {@link #std()}, {@link #of}), so a model file
 * can store them.
 */
public final class Standardizer {
    private final float[] mean;
    private final float[] std;
    private final float[] inverse;

    private Standardizer(float[] mean, float[] std) {
        if (mean.length != std.length) {
            throw new IllegalArgumentException(mean.length + " means but " + std.length + " standard deviations");
        }
        ColumnAffine.checkFinite(mean, "mean");
        ColumnAffine.checkFinite(std, "std");
        this.mean = mean.clone();
        this.std = std.clone();
        this.inverse = new float[std.length];
        for (int c = 0; c < std.length; c++) {
            if (std[c] < 0) throw new IllegalArgumentException("std[" + c + "] is negative: " + std[c]);
            inverse[c] = std[c] > 0 ? 1f / std[c] : 1f;
        }
    }

    /** Per-column statistics of {@code training}; the matrix is not changed. */
    public static Standardizer fit(Matrix training) {
        double[][] mv = ColumnAffine.meanAndVariance(training);
        int cols = training.cols();
        float[] mean = new float[cols];
        float[] std = new float[cols];
        for (int c = 0; c < cols; c++) {
            mean[c] = (float) mv[0][c];
            std[c] = (float) Math.sqrt(mv[1][c]);
        }
        return new Standardizer(mean, std);
    }

    /** A standardizer with saved statistics. */
    public static Standardizer of(float[] mean, float[] std) {
        return new Standardizer(mean, std);
    }

    /** Standardizes {@code x} in place with the fitted statistics. */
    public void apply(Matrix x) {
        ColumnAffine.apply(x, mean, inverse);
    }

    /** Standardizes the features of {@code data} in place. */
    public void apply(Dataset data) {
        apply(data.features());
    }

    public int features() { return mean.length; }

    public float[] mean() { return mean.clone(); }

    public float[] std() { return std.clone(); }
}
