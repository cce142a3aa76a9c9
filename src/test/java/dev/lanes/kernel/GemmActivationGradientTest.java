package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lanes.kernel.gemm.BlockSizes;
import dev.lanes.kernel.gemm.GemmDriver;
import dev.lanes.kernel.gemm.MicroKernel;
import dev.lanes.kernel.gemm.MicroKernel4x16;
import dev.lanes.kernel.gemm.MicroKernel6x16;
import dev.lanes.kernel.gemm.MicroKernel8x32;
import dev.lanes.kernel.gemm.NarrowKernel;
import dev.lanes.kernel.gemm.NarrowKernel8x16;
import dev.lanes.kernel.gemm.ThreadTeam;
import dev.lanes.kernel.gemm.TileEpilogue;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The activation-gradient epilogue ({@link Epilogue#activationGradient}): a GEMM that applies it
 * must write exactly the bits of the same GEMM without it followed by {@link Kernels#activationBackward}
 * on the same backend, for every activation, on every path of the simd driver (narrow outputs, whole
 * and edge tiles, B in place or packed, shared across the team or not, several K blocks, strided
 * views) at 1 and 2 threads; and the simd result must match the loop backend's.
 */
class GemmActivationGradientTest {
    /** m, k, n, transA, transB: one per driver path (see GemmDriver), plus the input-gradient shapes of training. */
    private static final int[][] SHAPES = {
        {1, 1, 1, 0, 1}, {7, 3, 5, 0, 1}, {8, 1, 32, 0, 0}, {13, 17, 31, 1, 0}, {37, 11, 10, 0, 1},
        {16, 9, 16, 1, 1}, {64, 128, 33, 0, 1}, {65, 97, 64, 1, 0}, {128, 10, 128, 0, 1},
        {128, 128, 256, 0, 1}, {300, 130, 70, 0, 0}, {129, 257, 47, 0, 1}, {256, 1024, 1024, 0, 1},
        {200, 40, 700, 1, 1}, {96, 1500, 40, 0, 0},
        // Rows split on 2 threads with one packed B shared (a 300×256 block, at least MC×KC/2 floats on a 1 MiB L2).
        {600, 300, 256, 1, 0},
    };
    private static final float LEAK = 0.2f;

    private static Matrix filled(int rows, int cols, boolean strided, SplittableRandom rnd) {
        return FusedFixtures.randomView(rows, cols, strided, rnd, 1f);
    }

    /** An activation's output: a quarter of it exactly 0 (ReLU's dead units), the rest what g can produce. */
    private static Matrix outputOf(Activation act, int rows, int cols, SplittableRandom rnd) {
        Matrix y = filled(rows, cols, rnd.nextBoolean(), rnd);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float v = rnd.nextInt(4) == 0 ? 0f : y.get(i, j) * 3f;
                y.set(i, j, act.apply(v, LEAK));
            }
        }
        return y;
    }

    private static void assertSameBits(Matrix expected, Matrix actual, String what) {
        for (int i = 0; i < expected.rows(); i++) {
            for (int j = 0; j < expected.cols(); j++) {
                if (Float.floatToIntBits(expected.get(i, j)) != Float.floatToIntBits(actual.get(i, j))) {
                    fail(what + ": C[" + i + "][" + j + "] is " + actual.get(i, j) + ", the unfused kernels give "
                            + expected.get(i, j));
                }
            }
        }
    }

    @Test
    void writesWhatTheProductThenActivationBackwardWrite() {
        int checked = 0;
        for (String backend : new String[] {"simd", "loop"}) {
            if (backend.equals("simd") && KernelProvider.simdUnavailableReason() != null) continue;
            for (int threads : new int[] {1, 2}) {
                try (Kernels kz = Kernels.create(backend, threads)) {
                    int seed = 0;
                    for (int[] s : SHAPES) {
                        if (backend.equals("loop") && (long) s[0] * s[1] * s[2] > 5_000_000L) continue;
                        int m = s[0], k = s[1], n = s[2];
                        boolean ta = s[3] == 1, tb = s[4] == 1;
                        for (Activation act : Activation.values()) {
                            float beta = (seed & 2) == 0 ? 0f : 0.5f;
                            SplittableRandom rnd = new SplittableRandom(++seed);
                            Matrix a = ta ? filled(k, m, rnd.nextBoolean(), rnd) : filled(m, k, rnd.nextBoolean(), rnd);
                            Matrix b = tb ? filled(n, k, rnd.nextBoolean(), rnd) : filled(k, n, rnd.nextBoolean(), rnd);
                            Matrix y = outputOf(act, m, n, rnd);
                            Matrix c0 = filled(m, n, rnd.nextBoolean(), rnd);
                            Matrix fused = Matrix.allocate(m, n), unfused = Matrix.allocate(m, n);
                            fused.copyFrom(c0);
                            unfused.copyFrom(c0);
                            kz.gemm(ta, tb, 1f, a, b, beta, fused, Epilogue.activationGradient(act, LEAK, y));
                            kz.gemm(ta, tb, 1f, a, b, beta, unfused, Epilogue.NONE);
                            kz.activationBackward(act, LEAK, y, unfused, unfused);
                            assertSameBits(unfused, fused, backend + " " + threads + "T " + act + " "
                                    + m + "x" + k + "·" + k + "x" + n + (ta ? " Aᵀ" : "") + (tb ? " Bᵀ" : "") + " beta " + beta);
                            checked++;
                        }
                    }
                }
            }
        }
        assertTrue(checked >= SHAPES.length * Activation.values().length * 2, "checked " + checked);
    }

    /**
     * K blocks of 64 (production blocks are 1024 here, so only the longest K above has several), so
     * that every driver path multiplies in several blocks: packed B, B read in place, B packed strip
     * by strip, B shared by 2 threads, the narrow kernel on 2 threads. Only the last block may apply
     * the derivative. For every micro-kernel, whichever this CPU would pick: the 512-bit one with
     * its narrow kernel, and both AVX2 tiles.
     */
    @Test
    void appliesTheDerivativeOnlyAfterTheLastKBlock() {
        if (KernelProvider.simdUnavailableReason() != null) return;
        appliesTheDerivativeOnlyAfterTheLastKBlock(MicroKernel8x32::new, () -> new NarrowKernel8x16(), new BlockSizes(8, 32, 64, 64, 128));
        appliesTheDerivativeOnlyAfterTheLastKBlock(MicroKernel6x16::new, () -> null, new BlockSizes(6, 16, 60, 64, 128));
        appliesTheDerivativeOnlyAfterTheLastKBlock(MicroKernel4x16::new, () -> null, new BlockSizes(4, 16, 64, 64, 128));
    }

    private static void appliesTheDerivativeOnlyAfterTheLastKBlock(Supplier<MicroKernel> kernel,
                                                                   Supplier<NarrowKernel> narrow, BlockSizes small) {
        int[][] shapes = {
            {64, 300, 40, 0, 1}, {129, 300, 47, 0, 1}, {2048, 300, 10, 0, 1}, {300, 200, 70, 1, 0},
            {40, 300, 600, 0, 0}, {200, 130, 300, 0, 0}, {33, 257, 16, 1, 1},
            // Rows split on 2 threads, each member packing its own B (a block below MC×KC/2), strip by strip.
            {64, 400, 24, 0, 1},
        };
        int seed = 500;
        try (Kernels loop = Kernels.create("loop", 1)) {
            for (int threads : new int[] {1, 2}) {
                try (GemmDriver driver = new GemmDriver(kernel.get(), narrow.get(), small,
                        new ThreadTeam(threads, "kblocks"))) {
                    for (int[] s : shapes) {
                        int m = s[0], k = s[1], n = s[2];
                        boolean ta = s[3] == 1, tb = s[4] == 1;
                        for (Activation act : Activation.values()) {
                            SplittableRandom rnd = new SplittableRandom(++seed);
                            Matrix a = ta ? filled(k, m, rnd.nextBoolean(), rnd) : filled(m, k, rnd.nextBoolean(), rnd);
                            Matrix b = tb ? filled(n, k, rnd.nextBoolean(), rnd) : filled(k, n, rnd.nextBoolean(), rnd);
                            Matrix y = outputOf(act, m, n, rnd);
                            Matrix fused = Matrix.allocate(m, n), unfused = Matrix.allocate(m, n);
                            driver.gemm(ta, tb, 1f, a, b, 0f, fused, Epilogue.activationGradient(act, LEAK, y));
                            driver.gemm(ta, tb, 1f, a, b, 0f, unfused, Epilogue.NONE);
                            loop.activationBackward(act, LEAK, y, unfused, unfused);
                            assertSameBits(unfused, fused, small.mr() + "x" + small.nr() + " KC 64, " + threads + "T " + act + " " + m + "x" + k
                                    + "·" + k + "x" + n + (ta ? " Aᵀ" : "") + (tb ? " Bᵀ" : ""));
                        }
                    }
                }
            }
        }
    }

    @Test
    void simdMatchesTheLoopBackend() {
        if (KernelProvider.simdUnavailableReason() != null) return;
        try (Kernels simd = Kernels.create("simd", 2); Kernels loop = Kernels.create("loop", 1)) {
            int seed = 100;
            for (int[] s : SHAPES) {
                if ((long) s[0] * s[1] * s[2] > 5_000_000L) continue;
                int m = s[0], k = s[1], n = s[2];
                boolean ta = s[3] == 1, tb = s[4] == 1;
                for (Activation act : Activation.values()) {
                    SplittableRandom rnd = new SplittableRandom(++seed);
                    Matrix a = ta ? filled(k, m, false, rnd) : filled(m, k, false, rnd);
                    Matrix b = tb ? filled(n, k, false, rnd) : filled(k, n, false, rnd);
                    Matrix y = outputOf(act, m, n, rnd);
                    Matrix cs = Matrix.allocate(m, n), cl = Matrix.allocate(m, n);
                    simd.gemm(ta, tb, 1f, a, b, 0f, cs, Epilogue.activationGradient(act, LEAK, y));
                    loop.gemm(ta, tb, 1f, a, b, 0f, cl, Epilogue.activationGradient(act, LEAK, y));
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            // The products differ by the order of their k additions: |error| ≲ k·ulp of Σ|a·b| ≤ k.
                            assertEquals(cl.get(i, j), cs.get(i, j), 1e-5 * k + 1e-6,
                                    act + " " + m + "x" + k + "·" + k + "x" + n + " at " + i + "," + j);
                            if (y.get(i, j) == 0f && (act == Activation.RELU)) assertEquals(0f, cs.get(i, j));
                        }
                    }
                }
            }
        }
    }

    @Test
    void aWronglyShapedOutputNamesBothShapes() {
        try (Kernels kz = Kernels.create("loop", 1)) {
            Matrix a = Matrix.allocate(4, 3), b = Matrix.allocate(3, 5), c = Matrix.allocate(4, 5), y = Matrix.allocate(5, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> kz.gemm(false, false, 1f, a, b, 0f, c, Epilogue.activationGradient(Activation.RELU, 0f, y)));
            assertTrue(e.getMessage().contains("5x4") && e.getMessage().contains("4x5"), e.getMessage());
        }
        Matrix y = Matrix.allocate(2, 2);
        assertThrows(IllegalArgumentException.class,
                () -> new Epilogue(Matrix.allocate(1, 2), Activation.RELU, 0f, null, y));
    }

    /** A kernel whose stores do not apply it (the interface's default) refuses it; SimdKernels then runs the two steps. */
    @Test
    void aDriverWhoseKernelsDoNotApplyItRefusesIt() {
        try (GemmDriver driver = new GemmDriver(new Unfused(new MicroKernel6x16()), null, BlockSizes.forTile(6, 16), new ThreadTeam(1, "t1"))) {
            Matrix a = Matrix.allocate(4, 3), b = Matrix.allocate(3, 5), c = Matrix.allocate(4, 5), y = Matrix.allocate(4, 5);
            assertTrue(!driver.foldsActivationGradient());
            assertThrows(IllegalStateException.class,
                    () -> driver.gemm(false, false, 1f, a, b, 0f, c, Epilogue.activationGradient(Activation.RELU, 0f, y)));
        }
    }

    /** A micro-kernel that keeps the interface's defaults: its stores fold nothing. */
    private record Unfused(MicroKernel inner) implements MicroKernel {
        @Override public int mr() { return inner.mr(); }

        @Override public int nr() { return inner.nr(); }

        @Override
        public void run(int kc, float[] ap, int aOff, float[] bp, int bOff, MemorySegment c, int ldc, int row0, int col0,
                        int rows, int cols, float alpha, float beta, TileEpilogue ep, float[] tile) {
            inner.run(kc, ap, aOff, bp, bOff, c, ldc, row0, col0, rows, cols, alpha, beta, ep, tile);
        }
    }
}
