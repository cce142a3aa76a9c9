package dev.lanes.kernel;

import static dev.lanes.kernel.FusedFixtures.LENGTHS;
import static dev.lanes.kernel.FusedFixtures.assertAllFinite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Inputs that break naive formulas, on both backends: logits of ±1e4 (exp overflows float past
 * 88.7; a textbook log(σ(z)) would take log(0)), zeros, and constant rows and columns. Expected
 * values are exact closed forms, so the tolerances are a few ulp of the result.
 */
class ExtremeInputsTest extends LoopAndSimd {
    static Stream<Kernels> backends() {
        return Stream.of(loop, simd);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void softmaxOfHugeLogitsIsFiniteAndExact(Kernels k) {
        try (Arena a = Arena.ofConfined()) {
            Matrix x = Matrix.allocate(a, 1, 4).copyFrom(new float[] {1e4f, -1e4f, 0f, 1e4f});
            Matrix p = Matrix.allocate(a, 1, 4);
            k.softmaxRows(x, p);
            assertArrayEquals(new float[] {0.5f, 0f, 0f, 0.5f}, p.toArray());
            for (int n : LENGTHS) {
                Matrix big = alternating(a, n, 1e4f);
                Matrix out = Matrix.allocate(a, 1, n);
                k.softmaxRows(big, out);
                assertAllFinite(out, k.name() + " softmax ±1e4, n=" + n);
                Matrix y = Matrix.allocate(a, 1, n);
                y.set(0, n - 1, 1f);
                float loss = k.softmaxCrossEntropy(big, y, out);
                assertAllFinite(out, k.name() + " cross-entropy gradient ±1e4, n=" + n);
                // ⌈n/2⌉ logits tie at the maximum 1e4; the target sits on −1e4 for even n.
                double expected = (n % 2 == 0 ? 2e4 : 0) + Math.log((n + 1) / 2);
                assertEquals(expected, loss, 1e-6 * expected + 1e-6, "loss n=" + n);
                Matrix bits = Matrix.allocate(a, 1, n).fill(1f);
                float bce = k.sigmoidBinaryCrossEntropy(big, bits, out);
                assertAllFinite(out, k.name() + " bce gradient ±1e4, n=" + n);
                assertEquals(1e4f * (n / 2) / n, bce, 1e4f * (n / 2) / n * 1e-6f, "bce n=" + n);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void crossEntropyOfConfidentlyWrongAndRightRows(Kernels k) {
        try (Arena a = Arena.ofConfined()) {
            Matrix z = Matrix.allocate(a, 2, 2).copyFrom(new float[] {1e4f, -1e4f, 1e4f, -1e4f});
            Matrix y = Matrix.allocate(a, 2, 2).copyFrom(new float[] {0f, 1f, 1f, 0f});
            Matrix d = Matrix.allocate(a, 2, 2);
            assertEquals(1e4f, k.softmaxCrossEntropy(z, y, d));
            assertArrayEquals(new float[] {0.5f, -0.5f, 0f, 0f}, d.toArray());
            Matrix labels = Matrix.allocate(a, 2, 1).copyFrom(new float[] {1f, 0f});
            assertEquals(1e4f, k.sparseSoftmaxCrossEntropy(z, labels, d));
            assertArrayEquals(new float[] {0.5f, -0.5f, 0f, 0f}, d.toArray());
            // A confidently right row: the loss is e^(−20)·(1+...) ≈ 2.06e-9, far below 1 ulp of 1.
            Matrix right = Matrix.allocate(a, 1, 2).copyFrom(new float[] {20f, 0f});
            Matrix one = Matrix.allocate(a, 1, 1).copyFrom(new float[] {0f});
            float tiny = k.sparseSoftmaxCrossEntropy(right, one, d.rowRange(0, 1));
            assertEquals(Math.log1p(Math.exp(-20)), tiny, 1e-15);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void binaryCrossEntropyNeverTakesLogOfZero(Kernels k) {
        try (Arena a = Arena.ofConfined()) {
            Matrix z = Matrix.allocate(a, 1, 5).copyFrom(new float[] {1e4f, -1e4f, 1e4f, -1e4f, 0f});
            Matrix y = Matrix.allocate(a, 1, 5).copyFrom(new float[] {1f, 0f, 0f, 1f, 1f});
            Matrix d = Matrix.allocate(a, 1, 5);
            float loss = k.sigmoidBinaryCrossEntropy(z, y, d);
            assertEquals((2e4 + Math.log(2)) / 5, loss, 1e-2);
            assertArrayEquals(new float[] {0f, 0f, 0.2f, -0.2f, -0.1f}, d.toArray(), 1e-7f);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void zerosAndConstantRows(Kernels k) {
        try (Arena a = Arena.ofConfined()) {
            for (int n : LENGTHS) {
                for (float value : new float[] {0f, 123.25f, -1e4f}) {
                    Matrix x = Matrix.allocate(a, 3, n).fill(value), p = Matrix.allocate(a, 3, n);
                    k.softmaxRows(x, p);
                    float[] got = p.toArray();
                    for (float v : got) assertEquals(1.0 / n, v, 1e-6 / n, "uniform softmax n=" + n);
                    Matrix y = Matrix.allocate(a, 3, n);
                    for (int r = 0; r < 3; r++) y.set(r, r % n, 1f);
                    assertEquals(Math.log(n), k.softmaxCrossEntropy(x, y, p), 1e-5 * Math.log(n) + 1e-7);
                    int[] argmax = new int[3];
                    k.argmaxRows(x, argmax);
                    assertArrayEquals(new int[3], argmax);
                }
                Matrix zeros = Matrix.allocate(a, 2, n), d = Matrix.allocate(a, 2, n).fill(7f);
                assertEquals(0f, k.meanSquaredError(zeros, zeros, d));
                assertArrayEquals(new float[2 * n], d.toArray());
                assertEquals(0f, k.meanAbsoluteError(zeros, zeros, d.fill(7f)));
                assertArrayEquals(new float[2 * n], d.toArray(), "MAE subgradient is 0 at 0");
                assertEquals(0f, k.huber(zeros, zeros, 1f, d.fill(7f)));
                assertArrayEquals(new float[2 * n], d.toArray());
                assertEquals(0.0, k.sumOfSquares(zeros));
                assertEquals(0.0, k.sumOfAbs(zeros));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void batchNormOfAConstantColumnIsFinite(Kernels k) {
        try (Arena a = Arena.ofConfined()) {
            for (int n : new int[] {1, 17, 40}) {
                Matrix x = Matrix.allocate(a, 8, n).fill(3.7f), xhat = Matrix.allocate(a, 8, n);
                Matrix out = Matrix.allocate(a, 8, n), inv = Matrix.allocate(a, 1, n);
                Matrix gamma = Matrix.allocate(a, 1, n).fill(2f), beta = Matrix.allocate(a, 1, n).fill(0.5f);
                Matrix rm = Matrix.allocate(a, 1, n), rv = Matrix.allocate(a, 1, n).fill(1f);
                k.batchNormForwardTrain(x, gamma, beta, rm, rv, 0.9f, 1e-3f, xhat, inv, out);
                for (float v : out.toArray()) assertEquals(0.5f, v, 1e-3f);
                assertAllFinite(inv, "invStd");
                Matrix dOut = Matrix.allocate(a, 8, n).fill(1f), dX = Matrix.allocate(a, 8, n);
                Matrix dGamma = Matrix.allocate(a, 1, n), dBeta = Matrix.allocate(a, 1, n);
                k.batchNormBackward(dOut, xhat, gamma, inv, dGamma, dBeta, dX);
                assertAllFinite(dX, "dX");
                for (float v : dBeta.toArray()) assertEquals(8f, v);
            }
        }
    }

    /** 1×n of +v, −v, +v, … */
    private static Matrix alternating(Arena a, int n, float v) {
        Matrix m = Matrix.allocate(a, 1, n);
        for (int c = 0; c < n; c++) m.set(0, c, c % 2 == 0 ? v : -v);
        return m;
    }
}
