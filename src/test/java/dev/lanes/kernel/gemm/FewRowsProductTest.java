package dev.lanes.kernel.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.Epilogue;
import dev.lanes.kernel.KernelProvider;
import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A product of one to four rows (predicting a few inputs) takes its own path through the
 * micro-kernel, several strips of B at a time. Its rows must be bitwise the rows the same inputs get
 * inside a larger batch: a prediction may not depend on what it is predicted with. Widths cover 1 to
 * 9 strips of 32 with and without a narrower last strip (groups of four or two strips and the tail),
 * K from 1 to past the K block (two blocks), every epilogue, alpha/beta, the max |C| fold, and 1 and
 * 2 threads.
 */
class FewRowsProductTest {
    private static final int[] WIDTHS = {32, 37, 64, 96, 128, 133, 160, 256, 288, 300};
    private static final int[] DEPTHS = {1, 3, 17, 784, 1500};

    private static Matrix random(int rows, int cols, SplittableRandom rnd) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
        return Matrix.of(rows, cols, v);
    }

    private static int[] bits(Matrix m) {
        float[] v = m.toArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Float.floatToRawIntBits(v[i]);
        return out;
    }

    @Test
    void fewRowsAreBitwiseTheirRowsInABatch() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null, "no Vector API here");
        for (int threads : new int[] {1, 2}) {
            try (Kernels ks = Kernels.create("simd", threads)) {
                SplittableRandom rnd = new SplittableRandom(threads);
                for (int n : WIDTHS) {
                    for (int k : DEPTHS) {
                        check(ks, n, k, rnd, threads);
                    }
                }
            }
        }
    }

    private static void check(Kernels ks, int n, int k, SplittableRandom rnd, int threads) {
        int rows = 11;
        Activation[] activations = {Activation.IDENTITY, Activation.RELU, Activation.LEAKY_RELU, Activation.SIGMOID, Activation.TANH};
        Activation act = activations[Math.floorMod(n + k, activations.length)];
        float beta = (n + k) % 2 == 0 ? 0f : 0.5f;
        try (Matrix a = random(rows, k, rnd); Matrix b = random(k, n, rnd); Matrix bias = random(1, n, rnd);
             Matrix c0 = random(rows, n, rnd); Matrix batch = Matrix.allocate(rows, n);
             Matrix pre = Matrix.allocate(rows, n)) {
            ks.copy(c0, batch);
            ks.gemm(false, false, 0.75f, a, b, beta, batch, new Epilogue(bias, act, 0.1f, pre));
            // One row at the start, the middle and the end; then blocks of 2 to 5 rows (5: the MR-row tile again).
            int[][] blocks = {{0, 1}, {8, 1}, {rows - 1, 1}, {1, 2}, {3, 3}, {6, 4}, {2, 5}};
            for (int[] block : blocks) {
                int r = block[0], q = block[1];
                try (Matrix few = Matrix.allocate(q, n); Matrix preFew = Matrix.allocate(q, n)) {
                    ks.copy(c0.rowRange(r, r + q), few);
                    ks.gemm(false, false, 0.75f, a.rowRange(r, r + q), b, beta, few, new Epilogue(bias, act, 0.1f, preFew));
                    String what = "rows " + r + ".." + (r + q - 1) + " of " + rows + "x" + n + "x" + k + " " + act + " beta " + beta
                            + ", " + threads + " threads";
                    assertArrayEquals(bits(batch.rowRange(r, r + q)), bits(few), what);
                    assertArrayEquals(bits(pre.rowRange(r, r + q)), bits(preFew), what + " (pre-activation)");
                }
            }
            // The weight-gradient form: one input feature (Xᵀ has one row), folding max |C|.
            try (Matrix x = random(k, 1, rnd); Matrix g = Matrix.allocate(1, n); Matrix wide = random(k, 9, rnd);
                 Matrix g9 = Matrix.allocate(9, n)) {
                ks.copy(x, wide.view(0, 4, k, 1));
                float max = ks.gemmMaxAbs(true, false, 1f, x, b, 0f, g);
                ks.gemm(true, false, 1f, wide, b, 0f, g9);
                assertArrayEquals(bits(g9.rowRange(4, 5)), bits(g), "TN one row " + n + "x" + k);
                float expected = 0f;
                for (float v : g.toArray()) expected = Math.max(expected, Math.abs(v));
                assertEquals(expected, max, "max |C| of TN one row " + n + "x" + k);
            }
        }
    }
}
