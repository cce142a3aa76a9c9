package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/**
 * Dropout's mask: a pure function of (seed, step, row-major index), so identical on both backends,
 * for every thread count and for strided views; and statistically fair, over 200,000 and 1,048,576
 * elements, with neighbouring elements (which share a hash in pairs, see {@link CounterRng})
 * uncorrelated. The statistical bounds are five standard deviations (a false failure about once in
 * 1.7 million runs, and the seeds are fixed, so the outcome is deterministic anyway).
 */
class DropoutKernelsTest {
    private static final int ROWS = 200, COLS = 1000;

    @Test
    void maskIsIdenticalForBothBackendsAndAnyThreadCount() {
        try (Arena a = Arena.ofConfined()) {
            Matrix x = Matrix.allocate(a, ROWS, COLS).fill(1.5f);
            float[] reference = null;
            for (String backend : new String[] {"loop", "simd"}) {
                for (int threads : new int[] {1, 2, 3}) {
                    try (Kernels k = Kernels.create(backend, threads)) {
                        Matrix mask = Matrix.allocate(a, ROWS, COLS), out = Matrix.allocate(a, ROWS, COLS);
                        k.dropoutForward(x, mask, out, 0.7f, 1234L, 99L);
                        float[] m = mask.toArray();
                        if (reference == null) reference = m;
                        assertArrayEquals(reference, m, backend + " with " + threads + " threads");
                    }
                }
            }
        }
    }

    @Test
    void maskDependsOnTheLogicalIndexNotTheStride() {
        try (Arena a = Arena.ofConfined(); Kernels k = Kernels.create("simd", 1)) {
            Matrix parent = Matrix.allocate(a, 20, 50).fill(1f);
            Matrix view = parent.view(3, 7, 13, 29);
            Matrix dense = Matrix.allocate(a, 13, 29).fill(1f);
            Matrix viewMask = Matrix.allocate(a, 13, 29), denseMask = Matrix.allocate(a, 13, 29);
            k.dropoutForward(view, viewMask, view, 0.5f, 7L, 1L);
            k.dropoutForward(dense, denseMask, Matrix.allocate(a, 13, 29), 0.5f, 7L, 1L);
            assertArrayEquals(denseMask.toArray(), viewMask.toArray());
            assertArrayEquals(denseMask.toArray(), view.toArray(), "in place: out = x ⊙ mask");
        }
    }

    @Test
    void keepRateAndMaskMeanAreFair() {
        int n = ROWS * COLS;
        for (String backend : new String[] {"loop", "simd"}) {
            for (float keep : new float[] {0.1f, 0.5f, 0.8f}) {
                try (Arena a = Arena.ofConfined(); Kernels k = Kernels.create(backend, 1)) {
                    Matrix x = Matrix.allocate(a, ROWS, COLS).fill(2f), mask = Matrix.allocate(a, ROWS, COLS);
                    Matrix out = Matrix.allocate(a, ROWS, COLS);
                    k.dropoutForward(x, mask, out, keep, 2024L, 5L);
                    float[] m = mask.toArray(), o = out.toArray();
                    long kept = 0;
                    double sum = 0;
                    for (int i = 0; i < n; i++) {
                        assertTrue(m[i] == 0f || m[i] == 1f / keep, "mask value " + m[i]);
                        assertEquals(2f * m[i], o[i]);
                        if (m[i] != 0f) kept++;
                        sum += m[i];
                    }
                    double sigma = Math.sqrt(keep * (1 - keep) / n);
                    assertEquals(keep, (double) kept / n, 5 * sigma, backend + " keep rate at p=" + keep);
                    assertEquals(1.0, sum / n, 5 * sigma / keep, backend + " mask mean at p=" + keep);
                }
            }
        }
    }

    @Test
    void stepsAndSeedsGiveIndependentMasksAndNeighboursAreUncorrelated() {
        try (Arena a = Arena.ofConfined(); Kernels k = Kernels.create("simd", 1)) {
            float keep = 0.5f;
            int n = ROWS * COLS;
            Matrix x = Matrix.allocate(a, ROWS, COLS).fill(1f), out = Matrix.allocate(a, ROWS, COLS);
            float[][] masks = new float[3][];
            long[][] keys = {{11L, 1L}, {11L, 2L}, {12L, 1L}};
            for (int i = 0; i < 3; i++) {
                Matrix mask = Matrix.allocate(a, ROWS, COLS);
                k.dropoutForward(x, mask, out, keep, keys[i][0], keys[i][1]);
                masks[i] = mask.toArray();
            }
            double sigma = Math.sqrt(0.25 / n);
            for (int[] pair : new int[][] {{0, 1}, {0, 2}, {1, 2}}) {
                assertEquals(0.25, bothKept(masks[pair[0]], masks[pair[1]], 0), 5 * sigma, "masks " + pair[0]
                        + " and " + pair[1] + " should be independent");
            }
            assertEquals(0.25, bothKept(masks[0], masks[0], 1), 5 * sigma, "neighbouring elements");
            assertEquals(0.25, bothKept(masks[0], masks[0], COLS), 5 * sigma, "vertical neighbours");
            assertEquals(0.25, bothKept(masks[0], masks[0], 2), 5 * sigma, "elements two apart");
            assertEquals(0.25, bothKept(masks[0], masks[0], 16), 5 * sigma, "elements a vector apart");
            assertEquals(0.25, bothKept(masks[0], masks[0], 32), 5 * sigma, "elements a pair of vectors apart");
        }
    }

    @Test
    void keepOneIsTheIdentityAndBadProbabilitiesAreRejected() {
        try (Arena a = Arena.ofConfined()) {
            for (String backend : new String[] {"loop", "simd"}) {
                try (Kernels k = Kernels.create(backend, 1)) {
                    Matrix x = Matrix.allocate(a, 3, 33).fill(-4f), mask = Matrix.allocate(a, 3, 33);
                    Matrix out = Matrix.allocate(a, 3, 33);
                    k.dropoutForward(x, mask, out, 1f, 1L, 1L);
                    assertArrayEquals(x.toArray(), out.toArray());
                    for (float bad : new float[] {0f, -0.5f, 1.5f, Float.NaN}) {
                        assertThrows(IllegalArgumentException.class,
                                () -> k.dropoutForward(x, mask, out, bad, 1L, 1L), backend + " keep " + bad);
                    }
                }
            }
        }
    }

    @Test
    void uniformsAreUniform() {
        long key = CounterRng.key(77L, 3L);
        int bins = 16, samples = 160_000;
        long[] counts = new long[bins];
        for (int i = 0; i < samples; i++) {
            counts[(int) (CounterRng.uniform(CounterRng.k0(key), CounterRng.k1(key), i) * bins)]++;
        }
        double expected = (double) samples / bins, chi2 = 0;
        for (long c : counts) chi2 += (c - expected) * (c - expected) / expected;
        // 15 degrees of freedom: P(χ² > 44.3) = 1e-4.
        assertTrue(chi2 < 44.3, "chi-square " + chi2);
    }

    @Test
    void keepRateOverAMillionElementsIsFairAndBothBackendsAgree() {
        int n = 1 << 20;
        try (Arena a = Arena.ofConfined(); Kernels simd = Kernels.create("simd", 1);
             Kernels loop = Kernels.create("loop", 1)) {
            Matrix x = Matrix.allocate(a, 1, n).fill(1f), out = Matrix.allocate(a, 1, n);
            for (float keep : new float[] {0.2f, 0.5f, 0.9f}) {
                Matrix mask = Matrix.allocate(a, 1, n), loopMask = Matrix.allocate(a, 1, n);
                simd.dropoutForward(x, mask, out, keep, 31L, 4L);
                loop.dropoutForward(x, loopMask, out, keep, 31L, 4L);
                float[] m = mask.toArray();
                assertArrayEquals(loopMask.toArray(), m, "simd and loop masks at p=" + keep);
                long kept = 0;
                for (float v : m) if (v != 0f) kept++;
                // The coin's exact probability: keep rounded up to a multiple of 2^-16.
                double p = CounterRng.threshold(keep) / 65536.0;
                assertEquals(keep, p, 0x1p-16);
                assertEquals(p, (double) kept / n, 5 * Math.sqrt(p * (1 - p) / n), "keep rate at p=" + keep);
            }
        }
    }

    /**
     * The two 16-bit halves of one hash go to neighbouring elements (2j, 2j+1), so they get the
     * closest look: Pearson correlation of the uniforms at lags 1 (within a hash and across two),
     * 2, 16 and 32 (vector and vector-pair strides), and a 16×16 chi-square of the joint
     * distribution of the two halves. Correlation estimates have a standard deviation of 1/√pairs.
     */
    @Test
    void halvesOfAHashAndNeighbouringElementsAreUncorrelated() {
        long key = CounterRng.key(2026L, 17L);
        int k0 = CounterRng.k0(key), k1 = CounterRng.k1(key);
        int n = 1 << 20;
        double[] u = new double[n + 32];
        for (int i = 0; i < u.length; i++) u[i] = CounterRng.uniform(k0, k1, i);
        int pairs = n / 2;
        double bound = 5 / Math.sqrt(pairs);
        assertEquals(0, correlation(u, 0, 2, 1, pairs), bound, "low and high half of one hash");
        assertEquals(0, correlation(u, 1, 2, 1, pairs), bound, "high half and the next hash's low half");
        for (int lag : new int[] {2, 16, 32}) {
            assertEquals(0, correlation(u, 0, 1, lag, n), 5 / Math.sqrt(n), "lag " + lag);
        }
        long[][] counts = new long[16][16];
        for (int j = 0; j < pairs; j++) counts[(int) (u[2 * j] * 16)][(int) (u[2 * j + 1] * 16)]++;
        double expected = pairs / 256.0, chi2 = 0;
        for (long[] row : counts) {
            for (long c : row) chi2 += (c - expected) * (c - expected) / expected;
        }
        // 255 degrees of freedom: P(χ² > 348) ≈ 1e-4 (Wilson–Hilferty).
        assertTrue(chi2 < 348, "joint chi-square of a hash's halves " + chi2);
    }

    /** Pearson correlation of u[start + step·i] and u[start + step·i + lag] over count values of i. */
    private static double correlation(double[] u, int start, int step, int lag, int count) {
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        for (int i = 0; i < count; i++) {
            double x = u[start + step * i], y = u[start + step * i + lag];
            sa += x;
            sb += y;
            saa += x * x;
            sbb += y * y;
            sab += x * y;
        }
        double cov = sab / count - (sa / count) * (sb / count);
        double va = saa / count - (sa / count) * (sa / count), vb = sbb / count - (sb / count) * (sb / count);
        return cov / Math.sqrt(va * vb);
    }

    /** Fraction of i where a[i] and b[i + shift] are both kept. */
    private static double bothKept(float[] a, float[] b, int shift) {
        long both = 0;
        int n = a.length - shift;
        for (int i = 0; i < n; i++) {
            if (a[i] != 0f && b[i + shift] != 0f) both++;
        }
        return (double) both / n;
    }
}
