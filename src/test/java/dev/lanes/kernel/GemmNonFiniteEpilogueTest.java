package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.tensor.Matrix;
import org.junit.jupiter.api.Test;

/**
 * Non-finite products through the fused epilogue: the simd backend must give what its loop twin gives.
 * ReLU is {@code x <= 0 ? 0 : x} ({@link Activation#apply}), so a NaN pre-activation stays NaN, as
 * in PyTorch (it once became +0, which hid a NaN input behind a confident prediction); leaky ReLU
 * keeps NaN too (leak·NaN). Covered: whole 32-wide tiles, right-edge tiles and the narrow path, on
 * rows holding NaN, +∞ and −∞.
 */
class GemmNonFiniteEpilogueTest {
    /** Non-finite values and zeros bit for bit; finite ones up to the backends' different summation order. */
    private static void same(float loop, float simd, String at) {
        if (!Float.isFinite(loop) || loop == 0f) {
            assertEquals(Float.floatToIntBits(loop), Float.floatToIntBits(simd), at + ": loop " + loop + ", simd " + simd);
        } else {
            assertEquals(loop, simd, 1e-5f * (1f + Math.abs(loop)), at);
        }
    }

    @Test
    void nonFiniteProductsGoThroughTheEpilogueAsInTheLoopBackend() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null, KernelProvider::simdUnavailableReason);
        int m = 9, k = 5;
        try (Kernels loop = Kernels.create("loop", 1); Kernels simd = Kernels.create("simd", 1)) {
            for (int n : new int[] {10, 32, 45}) {
                Matrix a = Matrix.allocate(m, k), b = Matrix.allocate(k, n), bias = Matrix.allocate(1, n);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < k; j++) a.set(i, j, (float) Math.sin(3 * i + j));
                }
                a.set(1, 2, Float.NaN);
                a.set(3, 0, Float.POSITIVE_INFINITY);
                a.set(5, 4, Float.NEGATIVE_INFINITY);
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < n; j++) b.set(i, j, (float) Math.cos(i + 2 * j));
                }
                for (int j = 0; j < n; j++) bias.set(0, j, 0.1f * j - 1f);
                for (Activation act : new Activation[] {Activation.RELU, Activation.LEAKY_RELU, Activation.IDENTITY}) {
                    Matrix cl = Matrix.allocate(m, n), cs = Matrix.allocate(m, n);
                    Matrix pl = Matrix.allocate(m, n), ps = Matrix.allocate(m, n);
                    loop.gemm(false, false, 1f, a, b, 0f, cl, new Epilogue(bias, act, 0.1f, pl));
                    simd.gemm(false, false, 1f, a, b, 0f, cs, new Epilogue(bias, act, 0.1f, ps));
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            String at = act + ", n " + n + ", (" + i + ", " + j + ")";
                            same(cl.get(i, j), cs.get(i, j), "C " + at);
                            same(pl.get(i, j), ps.get(i, j), "pre " + at);
                            if (Float.isNaN(pl.get(i, j))) {
                                assertTrue(Float.isNaN(cs.get(i, j)), "a NaN pre-activation stays NaN: " + at);
                            }
                        }
                    }
                }
            }
        }
    }
}
