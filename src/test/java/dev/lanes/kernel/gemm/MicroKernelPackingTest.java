package dev.lanes.kernel.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Each micro-kernel's vector packing against the portable scalar {@link Packing}, element for
 * element, over block shapes that are 1, prime, or not multiples of the tile or vector, at offsets
 * inside a larger matrix, and on segments that end exactly where the matrix does (no tail padding),
 * so a vector that would read past the last element must not.
 */
class MicroKernelPackingTest {
    private static final int[] SIZES = {1, 2, 5, 6, 7, 8, 13, 16, 17, 31, 32, 48, 61};

    private static MemorySegment exact(int rows, int cols, long seed) {
        float[] data = new float[rows * cols];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextDouble(-1, 1);
        return MemorySegment.ofArray(data);
    }

    private static void packAAgrees(Supplier<MicroKernel> kernel) {
        MicroKernel k = kernel.get();
        int mr = k.mr();
        for (boolean trans : new boolean[] {false, true}) {
            for (int mc : SIZES) {
                for (int kc : SIZES) {
                    for (int offset : new int[] {0, 3}) {
                        // op(A) is (offset + mc) × (offset + kc); the block starts at (offset, offset).
                        int rows = offset + mc, cols = offset + kc;
                        int storedRows = trans ? cols : rows, storedCols = trans ? rows : cols;
                        MemorySegment a = exact(storedRows, storedCols, 31L * mc + kc);
                        int size = (mc + mr - 1) / mr * mr * kc;
                        float[] expected = new float[size], actual = new float[size];
                        Packing.packPanelsA(a, storedCols, trans, offset, offset, mc, kc, mr, expected);
                        k.packA(a, storedCols, trans, offset, offset, mc, kc, actual);
                        assertArrayEquals(expected, actual, 0f, k.getClass().getSimpleName() + " packA trans=" + trans
                                + " mc=" + mc + " kc=" + kc + " offset=" + offset);
                    }
                }
            }
        }
    }

    private static void packBAgrees(Supplier<MicroKernel> kernel) {
        MicroKernel k = kernel.get();
        int nr = k.nr();
        for (boolean trans : new boolean[] {false, true}) {
            for (int kc : SIZES) {
                for (int nc : SIZES) {
                    for (int offset : new int[] {0, 5}) {
                        int rows = offset + kc, cols = offset + nc;
                        int storedRows = trans ? cols : rows, storedCols = trans ? rows : cols;
                        MemorySegment b = exact(storedRows, storedCols, 17L * kc + nc);
                        int start = 7;
                        int size = start + (nc + nr - 1) / nr * nr * kc;
                        float[] expected = new float[size], actual = new float[size];
                        Packing.packPanelsB(b, storedCols, trans, offset, offset, kc, nc, nr, expected, start);
                        k.packB(b, storedCols, trans, offset, offset, kc, nc, actual, start);
                        assertArrayEquals(expected, actual, 0f, k.getClass().getSimpleName() + " packB trans=" + trans
                                + " kc=" + kc + " nc=" + nc + " offset=" + offset);
                    }
                }
            }
        }
    }

    @Test
    void tile6x16PacksAAsThePortableCode() {
        packAAgrees(MicroKernel6x16::new);
    }

    @Test
    void tile6x16PacksBAsThePortableCode() {
        packBAgrees(MicroKernel6x16::new);
    }

    @Test
    void tile4x16PacksAAsThePortableCode() {
        packAAgrees(MicroKernel4x16::new);
    }

    @Test
    void tile4x16PacksBAsThePortableCode() {
        packBAgrees(MicroKernel4x16::new);
    }

    @Test
    void tile8x32PacksAAsThePortableCode() {
        packAAgrees(MicroKernel8x32::new);
    }

    @Test
    void tile8x32PacksBAsThePortableCode() {
        packBAgrees(MicroKernel8x32::new);
    }
}
