package dev.lanes.kernel.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.kernel.KernelProvider;
import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * allFinite, copy and gatherRows, on one thread and split across two and three: every backend and
 * thread count agrees with a plain scan, for a NaN, +∞ or −∞ planted anywhere (first element, last
 * element, a masked tail, either side of a thread split), on dense buffers and strided views.
 */
class ParallelSweepsTest {
    private static final float[] BAD = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

    @Test
    void allFiniteFindsEveryNonFiniteValueWhereverItIs() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null);
        int[] lengths = {1, 2, 15, 16, 17, 63, 64, 65, 1021, ParallelSweeps.MIN_ELEMENTS - 1,
            ParallelSweeps.MIN_ELEMENTS + 17, 200_003};
        try (Kernels one = Kernels.create("simd", 1); Kernels two = Kernels.create("simd", 2);
             Kernels three = Kernels.create("simd", 3); Kernels loop = Kernels.create("loop", 1)) {
            Kernels[] all = {one, two, three, loop};
            SplittableRandom rnd = new SplittableRandom(7);
            for (int n : lengths) {
                try (Matrix x = Matrix.allocate(1, n)) {
                    float[] data = new float[n];
                    for (int i = 0; i < n; i++) data[i] = (float) (rnd.nextGaussian() * 1e30);
                    x.copyFrom(data);
                    for (Kernels k : all) assertEquals(true, k.allFinite(x), k + " n=" + n);
                    int[] spots = {0, n - 1, n / 2, Math.max(0, n / 2 - 1), n / 3, Math.max(0, n - 16), rnd.nextInt(n)};
                    for (int spot : spots) {
                        for (float bad : BAD) {
                            data[spot] = bad;
                            x.copyFrom(data);
                            for (Kernels k : all) {
                                assertEquals(false, k.allFinite(x), k + " n=" + n + " " + bad + " at " + spot);
                            }
                            data[spot] = 1f;
                        }
                    }
                    x.copyFrom(data);
                    for (Kernels k : all) assertEquals(true, k.allFinite(x), k + " n=" + n + " restored");
                }
            }
        }
    }

    @Test
    void maxAbsIsTheLargestMagnitudeNaNForAnyNaNAndInfinityForAnInfinity() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null);
        int[] lengths = {1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1021, ParallelSweeps.SCALAR_MAX_ABS,
            ParallelSweeps.SCALAR_MAX_ABS + 1, ParallelSweeps.MIN_ELEMENTS - 1,
            ParallelSweeps.MIN_ELEMENTS + 17, 200_003};
        try (Kernels one = Kernels.create("simd", 1); Kernels two = Kernels.create("simd", 2);
             Kernels three = Kernels.create("simd", 3); Kernels loop = Kernels.create("loop", 1)) {
            Kernels[] all = {one, two, three, loop};
            SplittableRandom rnd = new SplittableRandom(11);
            for (int n : lengths) {
                try (Matrix x = Matrix.allocate(1, n)) {
                    float[] data = new float[n];
                    for (int i = 0; i < n; i++) data[i] = (float) (rnd.nextGaussian() * 1e3);
                    int[] spots = {0, n - 1, n / 2, Math.max(0, n / 2 - 1), n / 3, Math.max(0, n - 16), rnd.nextInt(n)};
                    for (int spot : spots) {
                        // The largest magnitude, negative, at the spot: every split must find it.
                        float old = data[spot];
                        data[spot] = -1e6f;
                        x.copyFrom(data);
                        for (Kernels k : all) assertEquals(1e6f, k.maxAbs(x), k + " n=" + n + " max at " + spot);
                        data[spot] = old;
                    }
                    float plain = 0f;
                    for (float v : data) plain = Math.max(plain, Math.abs(v));
                    x.copyFrom(data);
                    for (Kernels k : all) assertEquals(plain, k.maxAbs(x), k + " n=" + n);
                    for (int spot : spots) {
                        for (float bad : BAD) {
                            data[spot] = bad;
                            x.copyFrom(data);
                            float expected = Float.isNaN(bad) ? Float.NaN : Float.POSITIVE_INFINITY;
                            for (Kernels k : all) {
                                assertEquals(expected, k.maxAbs(x), k + " n=" + n + " " + bad + " at " + spot);
                            }
                            data[spot] = 1f;
                        }
                    }
                    // A NaN wins over an infinity wherever each sits.
                    data[0] = Float.POSITIVE_INFINITY;
                    data[n - 1] = Float.NaN;
                    x.copyFrom(data);
                    for (Kernels k : all) assertEquals(Float.NaN, k.maxAbs(x), k + " n=" + n + " inf and NaN");
                }
            }
        }
    }

    @Test
    void maxAbsOnAViewIgnoresTheGapsBetweenRows() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null);
        try (Kernels two = Kernels.create("simd", 2); Kernels loop = Kernels.create("loop", 1);
             Matrix parent = Matrix.allocate(300, 260)) {
            parent.fill(Float.NaN);
            Matrix view = parent.view(10, 3, 250, 200);
            view.fill(2f);
            view.set(17, 5, -3f);
            assertEquals(3f, two.maxAbs(view));
            assertEquals(3f, loop.maxAbs(view));
            view.set(249, 199, Float.NEGATIVE_INFINITY);
            assertEquals(Float.POSITIVE_INFINITY, two.maxAbs(view));
            assertEquals(Float.POSITIVE_INFINITY, loop.maxAbs(view));
        }
    }

    @Test
    void allFiniteOnAViewIgnoresTheGapsBetweenRows() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null);
        try (Kernels two = Kernels.create("simd", 2); Kernels loop = Kernels.create("loop", 1);
             Matrix parent = Matrix.allocate(300, 260)) {
            parent.fill(Float.NaN);
            Matrix view = parent.view(10, 3, 250, 200);
            view.fill(2f);
            assertEquals(true, two.allFinite(view));
            assertEquals(true, loop.allFinite(view));
            view.set(249, 199, Float.POSITIVE_INFINITY);
            assertEquals(false, two.allFinite(view));
            assertEquals(false, loop.allFinite(view));
        }
    }

    @Test
    void splitCopyIsAnExactCopy() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null);
        try (Kernels two = Kernels.create("simd", 2); Kernels three = Kernels.create("simd", 3)) {
            for (int n : new int[] {ParallelSweeps.MIN_ELEMENTS + 5, 784 * 256 + 3}) {
                for (Kernels k : new Kernels[] {two, three}) {
                    try (Matrix x = Matrix.allocate(1, n); Matrix y = Matrix.allocate(1, n)) {
                        float[] data = new float[n];
                        SplittableRandom rnd = new SplittableRandom(n);
                        for (int i = 0; i < n; i++) data[i] = (float) rnd.nextGaussian();
                        data[n - 1] = Float.NaN;
                        x.copyFrom(data);
                        k.copy(x, y);
                        assertArrayEquals(x.toArray(), y.toArray(), k + " n=" + n);
                    }
                }
            }
        }
    }

    @Test
    void confinedArenaBuffersStayOnTheCaller() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null);
        try (Kernels two = Kernels.create("simd", 2); Arena arena = Arena.ofConfined()) {
            Matrix x = Matrix.allocate(arena, 300, 300).fill(1f);
            Matrix y = Matrix.allocate(arena, 300, 300);
            two.copy(x, y);
            assertEquals(true, two.allFinite(y));
            y.set(299, 299, Float.NaN);
            assertEquals(false, two.allFinite(y));
        }
    }

    @Test
    void gatherRowsCopiesTheIndexedRowsOnEveryBackendAndThreadCount() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null);
        // Batches below and above the split threshold, one column to a full MNIST row, dense
        // and strided on both sides, an index window not starting at 0, repeated source rows.
        int[][] shapes = {{1, 1}, {7, 3}, {128, 784}, {41, 801}, {300, 17}, {3, 40_000}};
        try (Kernels one = Kernels.create("simd", 1); Kernels two = Kernels.create("simd", 2);
             Kernels three = Kernels.create("simd", 3); Kernels loop = Kernels.create("loop", 1)) {
            SplittableRandom rnd = new SplittableRandom(11);
            for (int[] shape : shapes) {
                int rows = shape[0], cols = shape[1], sourceRows = rows + 50;
                for (boolean strided : new boolean[] {false, true}) {
                    try (Matrix srcParent = Matrix.allocate(sourceRows + 2, cols + 5);
                         Matrix outParent = Matrix.allocate(rows + 3, cols + 9)) {
                        Matrix source = strided ? srcParent.view(1, 2, sourceRows, cols) : Matrix.allocate(sourceRows, cols);
                        float[] data = new float[sourceRows * cols];
                        for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextGaussian();
                        source.copyFrom(data);
                        int[] index = new int[rows + 5];
                        for (int i = 0; i < index.length; i++) index[i] = rnd.nextInt(sourceRows);
                        float[] expected = new float[rows * cols];
                        for (int r = 0; r < rows; r++) {
                            System.arraycopy(data, index[r + 5] * cols, expected, r * cols, cols);
                        }
                        for (Kernels k : new Kernels[] {one, two, three, loop}) {
                            Matrix out = strided ? outParent.view(2, 4, rows, cols) : Matrix.allocate(rows, cols);
                            k.gatherRows(source, index, 5, out);
                            assertArrayEquals(expected, out.toArray(), k + " " + rows + "x" + cols + " strided=" + strided);
                            if (!strided) out.close();
                        }
                        if (!strided) source.close();
                    }
                }
            }
        }
    }

    @Test
    void gatherRowsNamesABadIndexOrShape() {
        try (Kernels loop = Kernels.create("loop", 1); Matrix source = Matrix.allocate(10, 4);
             Matrix out = Matrix.allocate(3, 4); Matrix wide = Matrix.allocate(3, 5)) {
            Kernels[] all = KernelProvider.simdUnavailableReason() == null
                    ? new Kernels[] {loop, Kernels.create("simd", 2)} : new Kernels[] {loop};
            for (Kernels k : all) {
                Exception e = assertThrows(IndexOutOfBoundsException.class, () -> k.gatherRows(source, new int[] {0, 10, 2}, 0, out));
                assertTrue(e.getMessage().contains("index[1] = 10") && e.getMessage().contains("10x4"), e.getMessage());
                e = assertThrows(IndexOutOfBoundsException.class, () -> k.gatherRows(source, new int[] {0, 1, 2, 3}, 2, out));
                assertTrue(e.getMessage().contains("length 4"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> k.gatherRows(source, new int[] {0, 1, 2}, 0, wide));
                assertTrue(e.getMessage().contains("3x5") && e.getMessage().contains("10x4"), e.getMessage());
            }
            if (all.length > 1) all[1].close();
        }
    }
}
