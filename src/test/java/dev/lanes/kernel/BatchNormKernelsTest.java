package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batch normalization on both backends against an independent double-precision implementation
 * written here: the forward pass against the definitions, and the backward pass against central
 * finite differences of the scalar f(x, γ, β) = Σ R ⊙ BN(x; γ, β) (R fixed and random, so
 * dOut = R). The differences are taken in double with h = 1e-5 (truncation error O(h²) ≈ 1e-10
 * relative), so the comparison measures the kernel's float arithmetic: the tolerance, 2e-5
 * normwise, is ~170 ulp, room for the m-row float sums on the simd side and far below the 1e-2
 * and larger errors a wrong term in the backward formula gives.
 */
class BatchNormKernelsTest extends LoopAndSimd {
    private static final float EPS = 1e-3f;
    private static final float MOMENTUM = 0.9f;

    static Stream<Kernels> backends() {
        return Stream.of(loop, simd);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void forwardMatchesTheDefinitionAndUpdatesRunningAverages(Kernels k) {
        int m = 6, n = 19;
        SplittableRandom rnd = new SplittableRandom(1);
        double[] x = values(rnd, m * n, -2, 3), g = values(rnd, n, 0.5, 1.5), b = values(rnd, n, -1, 1);
        double[] rm0 = values(rnd, n, -1, 1), rv0 = values(rnd, n, 0.5, 2);
        try (Arena a = Arena.ofConfined()) {
            Matrix xm = matrix(a, m, n, x), gm = matrix(a, 1, n, g), bm = matrix(a, 1, n, b);
            Matrix rm = matrix(a, 1, n, rm0), rv = matrix(a, 1, n, rv0);
            Matrix xhat = Matrix.allocate(a, m, n), inv = Matrix.allocate(a, 1, n), out = Matrix.allocate(a, m, n);
            k.batchNormForwardTrain(xm, gm, bm, rm, rv, MOMENTUM, EPS, xhat, inv, out);
            double[] expectedOut = forward(x, g, b, m, n);
            for (int c = 0; c < n; c++) {
                double mean = 0, var = 0;
                for (int r = 0; r < m; r++) mean += x[r * n + c] / m;
                for (int r = 0; r < m; r++) var += (x[r * n + c] - mean) * (x[r * n + c] - mean) / m;
                assertEquals(1 / Math.sqrt(var + EPS), inv.get(0, c), 2e-6 / Math.sqrt(var + EPS));
                assertEquals(MOMENTUM * rm0[c] + (1 - MOMENTUM) * mean, rm.get(0, c), 1e-6);
                assertEquals(MOMENTUM * rv0[c] + (1 - MOMENTUM) * var * m / (m - 1), rv.get(0, c), 1e-6);
                for (int r = 0; r < m; r++) {
                    assertEquals(expectedOut[r * n + c], out.get(r, c), 1e-5, "out " + r + "," + c);
                    assertEquals((expectedOut[r * n + c] - b[c]) / g[c], xhat.get(r, c), 1e-5);
                }
            }

            Matrix inferred = Matrix.allocate(a, m, n);
            k.batchNormForwardInference(xm, gm, bm, rm, rv, EPS, inferred);
            for (int r = 0; r < m; r++) {
                for (int c = 0; c < n; c++) {
                    double want = g[c] * (x[r * n + c] - rm.get(0, c)) / Math.sqrt(rv.get(0, c) + EPS) + b[c];
                    assertEquals(want, inferred.get(r, c), 1e-5, "inference " + r + "," + c);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aSingleRowLeavesTheRunningVarianceAlone(Kernels k) {
        try (Arena a = Arena.ofConfined()) {
            int n = 20;
            Matrix x = Matrix.allocate(a, 1, n).fill(2f), rm = Matrix.allocate(a, 1, n);
            Matrix rv = Matrix.allocate(a, 1, n).fill(0.75f);
            Matrix g = Matrix.allocate(a, 1, n).fill(1f), b = Matrix.allocate(a, 1, n);
            k.batchNormForwardTrain(x, g, b, rm, rv, MOMENTUM, EPS, Matrix.allocate(a, 1, n), Matrix.allocate(a, 1, n),
                    Matrix.allocate(a, 1, n));
            for (float v : rv.toArray()) assertEquals(0.75f, v);
            for (float v : rm.toArray()) assertEquals((1 - MOMENTUM) * 2f, v, 1e-7f);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void backwardMatchesFiniteDifferences(Kernels k) {
        for (int[] shape : new int[][] {{2, 3}, {6, 19}, {33, 40}}) {
            int m = shape[0], n = shape[1];
            SplittableRandom rnd = new SplittableRandom(m * 100 + n);
            double[] x = values(rnd, m * n, -2, 3), g = values(rnd, n, 0.5, 1.5), b = values(rnd, n, -1, 1);
            double[] weights = values(rnd, m * n, -1, 1);
            try (Arena a = Arena.ofConfined()) {
                Matrix xm = matrix(a, m, n, x), gm = matrix(a, 1, n, g), bm = matrix(a, 1, n, b);
                Matrix xhat = Matrix.allocate(a, m, n), inv = Matrix.allocate(a, 1, n);
                k.batchNormForwardTrain(xm, gm, bm, Matrix.allocate(a, 1, n), Matrix.allocate(a, 1, n), MOMENTUM,
                        EPS, xhat, inv, Matrix.allocate(a, m, n));
                Matrix dOut = matrix(a, m, n, weights), dGamma = Matrix.allocate(a, 1, n);
                Matrix dBeta = Matrix.allocate(a, 1, n), dX = Matrix.allocate(a, m, n);
                k.batchNormBackward(dOut, xhat, gm, inv, dGamma, dBeta, dX);

                double h = 1e-5;
                double[] fdX = new double[m * n], fdGamma = new double[n], fdBeta = new double[n];
                for (int i = 0; i < m * n; i++) fdX[i] = difference(x, i, h, xs -> f(xs, g, b, weights, m, n));
                for (int c = 0; c < n; c++) {
                    fdGamma[c] = difference(g, c, h, gs -> f(x, gs, b, weights, m, n));
                    fdBeta[c] = difference(b, c, h, bs -> f(x, g, bs, weights, m, n));
                }
                String what = k.name() + " " + m + "x" + n;
                // dX is a difference of terms of size |γ·invStd·dOut|, which nearly cancel for m = 2
                // (only ε keeps it from 0): measure against the terms' size, not the result's.
                double terms = 0;
                for (int c = 0; c < n; c++) terms = Math.max(terms, Math.abs(g[c] * inv.get(0, c)));
                assertNormwise(fdX, dX.toArray(), terms, what + " dX");
                assertNormwise(fdGamma, dGamma.toArray(), 0, what + " dGamma");
                assertNormwise(fdBeta, dBeta.toArray(), 0, what + " dBeta");

                Matrix aliased = matrix(a, m, n, weights);
                k.batchNormBackward(aliased, xhat, gm, inv, dGamma, dBeta, aliased);
                assertArrayEquals(dX.toArray(), aliased.toArray(), what + " dX aliasing dOut");
            }
        }
    }

    private interface Scalar {
        double at(double[] v);
    }

    private static double difference(double[] v, int i, double h, Scalar f) {
        double[] plus = v.clone(), minus = v.clone();
        plus[i] += h;
        minus[i] -= h;
        return (f.at(plus) - f.at(minus)) / (2 * h);
    }

    private static double f(double[] x, double[] g, double[] b, double[] weights, int m, int n) {
        double[] out = forward(x, g, b, m, n);
        double sum = 0;
        for (int i = 0; i < out.length; i++) sum += weights[i] * out[i];
        return sum;
    }

    /** The training forward pass in double, from the definition. */
    private static double[] forward(double[] x, double[] g, double[] b, int m, int n) {
        double[] out = new double[m * n];
        for (int c = 0; c < n; c++) {
            double mean = 0, var = 0;
            for (int r = 0; r < m; r++) mean += x[r * n + c];
            mean /= m;
            for (int r = 0; r < m; r++) var += (x[r * n + c] - mean) * (x[r * n + c] - mean);
            var /= m;
            for (int r = 0; r < m; r++) out[r * n + c] = g[c] * (x[r * n + c] - mean) / Math.sqrt(var + EPS) + b[c];
        }
        return out;
    }

    /** max |diff| ≤ 2e-5·max(max |expected|, minScale). */
    private static void assertNormwise(double[] expected, float[] actual, double minScale, String what) {
        double scale = minScale, worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= 2e-5 * scale, what + ": max |diff| " + worst + " vs max |value| " + scale);
    }

    /** Values exactly representable in float, so the double reference sees the kernel's inputs. */
    private static double[] values(SplittableRandom rnd, int count, double lo, double hi) {
        double[] v = new double[count];
        for (int i = 0; i < count; i++) v[i] = (float) rnd.nextDouble(lo, hi);
        return v;
    }

    private static Matrix matrix(Arena a, int rows, int cols, double[] v) {
        Matrix m = Matrix.allocate(a, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) m.set(r, c, (float) v[r * cols + c]);
        }
        return m;
    }
}
