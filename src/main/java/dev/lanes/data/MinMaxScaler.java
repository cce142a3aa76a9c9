package dev.lanes.data;

import dev.lanes.tensor.Matrix;

/**
 * Maps each feature column linearly so that the training minimum becomes 0 and the training
 * maximum 1: {@code (x - min) / (max - min)}. Fit on the training split only; values in other
 * splits may fall outside [0, 1]. A constant column maps to 0.
 */
public final class MinMaxScaler {
    private final float[] min;
    private final float[] max;
    private final float[] inverseRange;

    private MinMaxScaler(float[] min, float[] max) {
        if (min.length != max.length) {
            throw new IllegalArgumentException(min.length + " minimums but " + max.length + " maximums");
        }
        ColumnAffine.checkFinite(min, "min");
        ColumnAffine.checkFinite(max, "max");
        this.min = min.clone();
        this.max = max.clone();
        this.inverseRange = new float[min.length];
        for (int c = 0; c < min.length; c++) {
            float range = max[c] - min[c];
            if (range < 0) throw new IllegalArgumentException("min[" + c + "] > max[" + c + "]");
            inverseRange[c] = range > 0 ? 1f / range : 1f;
        }
    }

    public static MinMaxScaler fit(Matrix training) {
        float[][] mm = ColumnAffine.minAndMax(training);
        return new MinMaxScaler(mm[0], mm[1]);
    }

    public static MinMaxScaler of(float[] min, float[] max) {
        return new MinMaxScaler(min, max);
    }

    public void apply(Matrix x) {
        ColumnAffine.apply(x, min, inverseRange);
    }

    public void apply(Dataset data) {
        apply(data.features());
    }

    public int features() { return min.length; }

    public float[] min() { return min.clone(); }

    public float[] max() { return max.clone(); }
}
