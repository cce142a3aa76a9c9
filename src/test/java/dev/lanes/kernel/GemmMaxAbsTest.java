package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.kernel.gemm.BlockSizes;
import dev.lanes.kernel.gemm.GemmDriver;
import dev.lanes.kernel.gemm.MicroKernel;
import dev.lanes.kernel.gemm.MicroKernel4x16;
import dev.lanes.kernel.gemm.MicroKernel6x16;
import dev.lanes.kernel.gemm.MicroKernel8x32;
import dev.lanes.kernel.gemm.NarrowKernel;
import dev.lanes.kernel.gemm.NarrowKernel8x16;
import dev.lanes.kernel.gemm.ThreadTeam;
import dev.lanes.tensor.Matrix;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#gemmMaxAbs}: the product must be the bits {@link Kernels#gemm} writes, and the
 * returned value exactly max |C| with {@link Kernels#maxAbs}'s rules (NaN when C holds a NaN, +∞
 * for an infinity), on every path of the simd driver (narrow outputs, whole and edge tiles, B read
 * in place or packed, shared across the team or not, several K blocks, strided views) at 1 and 2
 * threads, and on the loop backend.
 */
class GemmMaxAbsTest {
    /** m, k, n, transA, transB: one per driver path (see GemmDriver), plus the training shapes. */
    private static final int[][] SHAPES = {
        {1, 1, 1, 0, 0}, {7, 3, 5, 0, 0}, {8, 1, 32, 0, 0}, {13, 17, 31, 1, 0}, {37, 11, 10, 0, 0},
        {16, 9, 16, 1, 1}, {64, 128, 33, 0, 1}, {65, 97, 64, 1, 0}, {128, 128, 256, 1, 0},
        {256, 128, 128, 1, 0}, {300, 130, 70, 0, 0}, {784, 128, 256, 1, 0}, {129, 257, 47, 0, 1},
        {200, 40, 700, 1, 1}, {96, 1500, 40, 0, 0},
        // Rows split on 2 threads with one packed B shared (a 300×256 block, at least MC×KC/2 floats
        // on a 1 MiB L2); backprop's 784×128ᵀ·128×256 above packs its smaller B per member.
        {600, 300, 256, 1, 0},
    };

    private static Matrix filled(int rows, int cols, boolean strided, SplittableRandom rnd, float scale) {
        return FusedFixtures.randomView(rows, cols, strided, rnd, scale);
    }

    private static float maxAbsOf(Matrix c) {
        float max = 0f;
        for (int i = 0; i < c.rows(); i++) {
            for (int j = 0; j < c.cols(); j++) {
                float v = c.get(i, j);
                if (Float.isNaN(v)) return Float.NaN;
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }

    @Test
    void returnsExactlyMaxAbsOfTheProductItWritesUnchanged() {
        for (String backend : new String[] {"simd", "loop"}) {
            if (backend.equals("simd") && KernelProvider.simdUnavailableReason() != null) continue;
            for (int threads : new int[] {1, 2}) {
                try (Kernels kz = Kernels.create(backend, threads)) {
                    int seed = 0;
                    for (int[] s : SHAPES) {
                        int m = s[0], k = s[1], n = s[2];
                        boolean ta = s[3] == 1, tb = s[4] == 1;
                        for (float beta : new float[] {0f, 0.5f}) {
                            boolean strided = (seed & 1) == 1;
                            SplittableRandom rnd = new SplittableRandom(++seed);
                            Matrix a = ta ? filled(k, m, strided, rnd, 1f) : filled(m, k, strided, rnd, 1f);
                            Matrix b = tb ? filled(n, k, strided, rnd, 1f) : filled(k, n, strided, rnd, 1f);
                            // The same starting C twice (beta 0.5 reads it).
                            Matrix plain = filled(m, n, strided, new SplittableRandom(-seed), 3f);
                            Matrix fused = filled(m, n, strided, new SplittableRandom(-seed), 3f);
                            String at = backend + " " + threads + "T " + m + "x" + k + "x" + n
                                    + (ta ? " Aᵀ" : "") + (tb ? " Bᵀ" : "") + " beta " + beta + (strided ? " strided" : "");
                            kz.gemm(ta, tb, 0.75f, a, b, beta, plain);
                            float max = kz.gemmMaxAbs(ta, tb, 0.75f, a, b, beta, fused);
                            for (int i = 0; i < m; i++) {
                                for (int j = 0; j < n; j++) {
                                    assertEquals(Float.floatToIntBits(plain.get(i, j)), Float.floatToIntBits(fused.get(i, j)),
                                            at + ": C(" + i + ", " + j + ")");
                                }
                            }
                            assertEquals(maxAbsOf(fused), max, at);
                            assertTrue(max > 0f, at);
                        }
                    }
                }
            }
        }
    }

    /**
     * The largest |C| planted at chosen places (corners, each team member's first and last row and
     * column, the right-edge strip, the last row of a partial tile), so that a region whose stores
     * did not fold, or a member whose slots were not read, shows up whatever the random values do.
     * op(A)(i, 0) and op(B)(0, j) are set to ±40: C(i, j) gets ±1600, every other element at most
     * k + 80 (entries are within ±1).
     */
    @Test
    void findsTheLargestValueWhereverItIs() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null, KernelProvider::simdUnavailableReason);
        int[][] shapes = {{37, 11, 10, 0, 0}, {300, 40, 16, 1, 0}, {13, 17, 45, 0, 0}, {128, 64, 256, 1, 0},
            {600, 50, 70, 0, 0}, {784, 128, 256, 1, 0}, {200, 40, 700, 1, 1}, {65, 97, 64, 0, 1}};
        for (int threads : new int[] {1, 2}) {
            try (Kernels kz = Kernels.create("simd", threads)) {
                for (int[] s : shapes) {
                    int m = s[0], k = s[1], n = s[2];
                    boolean ta = s[3] == 1, tb = s[4] == 1;
                    int[] rows = {0, m - 1, m / 2, m / 2 - 1, Math.max(0, m - 3)};
                    int[] cols = {0, n - 1, n / 2, n / 2 - 1, n / 32 * 32 - 1 < 0 ? 0 : n / 32 * 32 - 1, Math.min(n - 1, n / 32 * 32)};
                    for (int ri = 0; ri < rows.length; ri++) {
                        int i = rows[ri], j = cols[ri % cols.length], j2 = cols[(ri + 3) % cols.length];
                        for (int col : new int[] {j, j2}) {
                            SplittableRandom rnd = new SplittableRandom(31L * m + 7L * n + i + col);
                            Matrix a = ta ? filled(k, m, false, rnd, 1f) : filled(m, k, false, rnd, 1f);
                            Matrix b = tb ? filled(n, k, false, rnd, 1f) : filled(k, n, false, rnd, 1f);
                            float sign = (i + col) % 2 == 0 ? 1f : -1f;
                            if (ta) a.set(0, i, 40f); else a.set(i, 0, 40f);
                            if (tb) b.set(col, 0, 40f * sign); else b.set(0, col, 40f * sign);
                            Matrix c = Matrix.allocate(m, n);
                            float max = kz.gemmMaxAbs(ta, tb, 1f, a, b, 0f, c);
                            String at = threads + "T " + m + "x" + k + "x" + n + " at (" + i + ", " + col + ")";
                            assertEquals(Math.abs(c.get(i, col)), max, at);
                            assertTrue(max > 1000f, at);
                        }
                    }
                }
            }
        }
    }

    @Test
    void eachCallStartsFromZero() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null, KernelProvider::simdUnavailableReason);
        try (Kernels kz = Kernels.create("simd", 2)) {
            for (int n : new int[] {10, 32, 256}) {
                SplittableRandom rnd = new SplittableRandom(n);
                // 600 rows: past the size below which a product stays on the caller, for every n.
                Matrix a = filled(600, 64, false, rnd, 1f), b = filled(64, n, false, rnd, 1f);
                Matrix big = filled(64, n, false, rnd, 1000f), c = Matrix.allocate(600, n);
                float first = kz.gemmMaxAbs(false, false, 1f, a, big, 0f, c);
                float second = kz.gemmMaxAbs(false, false, 1f, a, b, 0f, c);
                assertTrue(first > 100f * second, "n " + n + ": " + first + " then " + second);
                assertEquals(maxAbsOf(c), second, "n " + n);
            }
        }
    }

    @Test
    void nonFiniteProductsGiveNaNOrInfinityAsMaxAbsDoes() {
        for (String backend : new String[] {"simd", "loop"}) {
            if (backend.equals("simd") && KernelProvider.simdUnavailableReason() != null) continue;
            for (int threads : new int[] {1, 2}) {
                try (Kernels kz = Kernels.create(backend, threads)) {
                    for (int n : new int[] {10, 32, 45, 300}) {
                        int m = 200, k = 7;
                        // {row, value} pairs put into A; B has no zeros, so ∞·b stays infinite.
                        float[][] cases = {
                            {5, Float.NaN}, {130, Float.POSITIVE_INFINITY}, {199, Float.NEGATIVE_INFINITY},
                        };
                        for (int mask = 1; mask < 8; mask++) {
                            SplittableRandom rnd = new SplittableRandom(mask * 31L + n);
                            Matrix a = filled(m, k, false, rnd, 1f), b = Matrix.allocate(k, n), c = Matrix.allocate(m, n);
                            for (int i = 0; i < k; i++) {
                                for (int j = 0; j < n; j++) b.set(i, j, 0.5f + (float) rnd.nextDouble());
                            }
                            for (int q = 0; q < cases.length; q++) {
                                if ((mask & (1 << q)) != 0) a.set((int) cases[q][0], q, cases[q][1]);
                            }
                            float max = kz.gemmMaxAbs(false, false, 1f, a, b, 0f, c);
                            float want = (mask & 1) != 0 ? Float.NaN : Float.POSITIVE_INFINITY;
                            String at = backend + " " + threads + "T n " + n + " mask " + mask;
                            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(max), at);
                            assertEquals(Float.floatToIntBits(kz.maxAbs(c)), Float.floatToIntBits(max), at);
                        }
                    }
                }
            }
        }
    }

    /**
     * Every micro-kernel folds max |C| into its stores, not only the one this CPU picks: the 512-bit
     * one with its narrow kernel and both AVX2 tiles, on K blocks of 64 (several per product), at
     * 1 and 2 threads. A value planted at an edge column and row must be found, the product must be
     * the bits of the plain call, and a NaN or an infinity must come out as {@link Kernels#maxAbs}
     * gives it.
     */
    @Test
    void everyMicroKernelFoldsIt() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null, KernelProvider::simdUnavailableReason);
        foldsIt(MicroKernel8x32::new, () -> new NarrowKernel8x16(), new BlockSizes(8, 32, 64, 64, 128));
        foldsIt(MicroKernel6x16::new, () -> null, new BlockSizes(6, 16, 60, 64, 128));
        foldsIt(MicroKernel4x16::new, () -> null, new BlockSizes(4, 16, 64, 64, 128));
    }

    private static void foldsIt(Supplier<MicroKernel> kernel, Supplier<NarrowKernel> narrow, BlockSizes small) {
        int[][] shapes = {{1, 1, 1, 0, 0}, {37, 11, 10, 0, 0}, {13, 17, 45, 1, 0}, {64, 300, 40, 0, 1},
            {129, 300, 47, 0, 0}, {300, 200, 70, 1, 0}, {200, 130, 300, 0, 0}, {33, 257, 16, 1, 1}};
        int seed = 900;
        for (int threads : new int[] {1, 2}) {
            try (GemmDriver driver = new GemmDriver(kernel.get(), narrow.get(), small, new ThreadTeam(threads, "maxabs"))) {
                for (int[] s : shapes) {
                    int m = s[0], k = s[1], n = s[2];
                    boolean ta = s[3] == 1, tb = s[4] == 1;
                    String at = small.mr() + "x" + small.nr() + " " + threads + "T " + m + "x" + k + "x" + n
                            + (ta ? " Aᵀ" : "") + (tb ? " Bᵀ" : "");
                    SplittableRandom rnd = new SplittableRandom(++seed);
                    Matrix a = ta ? filled(k, m, false, rnd, 1f) : filled(m, k, false, rnd, 1f);
                    Matrix b = tb ? filled(n, k, false, rnd, 1f) : filled(k, n, false, rnd, 1f);
                    // C(m-1, n-1) gets ±1600 (see findsTheLargestValueWhereverItIs): the last row and column.
                    if (ta) a.set(0, m - 1, 40f); else a.set(m - 1, 0, 40f);
                    if (tb) b.set(n - 1, 0, -40f); else b.set(0, n - 1, -40f);
                    Matrix plain = Matrix.allocate(m, n), fused = Matrix.allocate(m, n);
                    driver.gemm(ta, tb, 1f, a, b, 0f, plain, Epilogue.NONE);
                    float max = driver.gemmMaxAbs(ta, tb, 1f, a, b, 0f, fused);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            assertEquals(Float.floatToIntBits(plain.get(i, j)), Float.floatToIntBits(fused.get(i, j)),
                                    at + ": C(" + i + ", " + j + ")");
                        }
                    }
                    assertEquals(maxAbsOf(fused), max, at);
                    assertEquals(Math.abs(fused.get(m - 1, n - 1)), max, at);
                    for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NaN}) {
                        if (ta) a.set(0, m / 2, bad); else a.set(m / 2, 0, bad);
                        float got = driver.gemmMaxAbs(ta, tb, 1f, a, b, 0f, fused);
                        assertEquals(Float.floatToIntBits(maxAbsOf(fused)), Float.floatToIntBits(got), at + " with " + bad);
                    }
                }
            }
        }
    }
}
