package dev.lanes.train;

import dev.lanes.tensor.Matrix;
import java.util.SplittableRandom;

/** Small synthetic data sets with known structure. */
final class TestData {
    private TestData() {}

    static Matrix xorInputs() { return Matrix.of(4, 2, 0f, 0f, 0f, 1f, 1f, 0f, 1f, 1f); }

    static Matrix xorTargets() { return Matrix.of(4, 1, 0f, 1f, 1f, 0f); }

    /** Points on either side of the line x0 + 2·x1 = 0.2 with a margin of 0.1; targets 0/1. */
    static Matrix[] separable(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n * 2], y = new float[n];
        for (int i = 0; i < n; i++) {
            double a, b, s;
            do {
                a = random.nextDouble(-1, 1);
                b = random.nextDouble(-1, 1);
                s = (a + 2 * b - 0.2) / Math.sqrt(5);
            } while (Math.abs(s) < 0.1);
            x[2 * i] = (float) a;
            x[2 * i + 1] = (float) b;
            y[i] = s > 0 ? 1f : 0f;
        }
        return new Matrix[] {Matrix.of(n, 2, x), Matrix.of(n, 1, y)};
    }

    /** Three Gaussian blobs in 2-D; targets are class indices (m×1). */
    static Matrix[] blobs(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] centers = {{-2, 0}, {2, 0}, {0, 2.5}};
        float[] x = new float[n * 2], y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            x[2 * i] = (float) (centers[c][0] + 0.6 * random.nextGaussian());
            x[2 * i + 1] = (float) (centers[c][1] + 0.6 * random.nextGaussian());
            y[i] = c;
        }
        return new Matrix[] {Matrix.of(n, 2, x), Matrix.of(n, 1, y)};
    }

    /** y = x·w + b + noise, 4 features, 1 target. */
    static Matrix[] regression(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] w = {1.5f, -2f, 0.5f, 3f};
        float[] x = new float[n * 4], y = new float[n];
        for (int i = 0; i < n; i++) {
            double s = 0.7;
            for (int j = 0; j < 4; j++) {
                x[4 * i + j] = (float) random.nextDouble(-1, 1);
                s += w[j] * x[4 * i + j];
            }
            y[i] = (float) (s + 0.05 * random.nextGaussian());
        }
        return new Matrix[] {Matrix.of(n, 4, x), Matrix.of(n, 1, y)};
    }

    static Matrix oneHot(Matrix labels, int classes) {
        Matrix out = Matrix.allocate(labels.rows(), classes);
        for (int r = 0; r < labels.rows(); r++) out.set(r, (int) labels.get(r, 0), 1f);
        return out;
    }

    static void close(Matrix... ms) {
        for (Matrix m : ms) m.close();
    }
}
