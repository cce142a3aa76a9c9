package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link NarrowKernel} for 512-bit vectors: 8 rows × up to 16 columns. Eight accumulators are just
 * enough to cover two FMA pipes of four-cycle latency; each k costs eight broadcasts from the packed
 * A panel and one vector load of packed B, so loads and FMAs stay balanced.
 */
public final class NarrowKernel8x16 implements NarrowKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int MR = 8;
    static final int W = 16;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    @Override public int mr() { return MR; }

    @Override public int maxCols() { return W; }

    /**
     * Not transposed, each row of op(B) is one masked vector load (B's segment has a vector of
     * slack past its end, {@code Matrix.TAIL_PADDING}, so it stays on the fast path): the per-row
     * bulk copy and fill this replaces cost about 30 cycles a row, a quarter of a 128×256·256×10
     * product.
     */
    @Override
    public void packB(MemorySegment b, int ldb, boolean trans, int k, int n, float[] bp) {
        if (!trans) {
            VectorMask<Float> m = S.indexInRange(0, n);
            long rowBytes = (long) ldb * Float.BYTES;
            for (int p = 0; p < k; p++) {
                FloatVector.fromMemorySegment(S, b, p * rowBytes, NATIVE, m).intoArray(bp, p * W);
            }
            return;
        }
        // op(B)(p, j) = B[j][p]: n rows of B, each read along p and scattered with stride W.
        Arrays.fill(bp, 0, k * W, 0f);
        for (int j = 0; j < n; j++) {
            long src = (long) j * ldb;
            for (int p = 0; p < k; p++) {
                bp[p * W + j] = b.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, src + p);
            }
        }
    }

    @Override
    public void run(int kc, float[] ap, int aOff, boolean aRowMajor, float[] bp, int bOff, int n,
                    MemorySegment c, int ldc, int row0, int rows, float alpha, float beta, TileEpilogue ep,
                    float[] tile) {
        if (aRowMajor) {
            runRowMajorA(kc, ap, aOff, bp, bOff, tile);
        } else {
            runPanelA(kc, ap, aOff, bp, bOff, tile);
        }
        for (int r = 0; r < rows; r++) {
            TileStore512.store(tile, r * W, c, ldc, row0 + r, 0, n, alpha, beta, ep);
        }
    }

    /** A as eight rows of kc floats: eight unit-stride broadcast streams. */
    private static void runRowMajorA(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S), c5 = FloatVector.zero(S), c6 = FloatVector.zero(S), c7 = FloatVector.zero(S);
        int a0 = aOff, a1 = a0 + kc, a2 = a1 + kc, a3 = a2 + kc, a4 = a3 + kc, a5 = a4 + kc, a6 = a5 + kc, a7 = a6 + kc;
        int b = bOff;
        for (int p = 0; p < kc; p++, b += W) {
            FloatVector bv = FloatVector.fromArray(S, bp, b);
            c0 = FloatVector.broadcast(S, ap[a0 + p]).fma(bv, c0);
            c1 = FloatVector.broadcast(S, ap[a1 + p]).fma(bv, c1);
            c2 = FloatVector.broadcast(S, ap[a2 + p]).fma(bv, c2);
            c3 = FloatVector.broadcast(S, ap[a3 + p]).fma(bv, c3);
            c4 = FloatVector.broadcast(S, ap[a4 + p]).fma(bv, c4);
            c5 = FloatVector.broadcast(S, ap[a5 + p]).fma(bv, c5);
            c6 = FloatVector.broadcast(S, ap[a6 + p]).fma(bv, c6);
            c7 = FloatVector.broadcast(S, ap[a7 + p]).fma(bv, c7);
        }
        c0.intoArray(tile, 0);   c1.intoArray(tile, 16);  c2.intoArray(tile, 32);  c3.intoArray(tile, 48);
        c4.intoArray(tile, 64);  c5.intoArray(tile, 80);  c6.intoArray(tile, 96);  c7.intoArray(tile, 112);
    }

    /** A as a k-major MR panel (the wide kernel's packing): eight consecutive floats per k. */
    private static void runPanelA(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S), c5 = FloatVector.zero(S), c6 = FloatVector.zero(S), c7 = FloatVector.zero(S);
        int a = aOff;
        int b = bOff;
        for (int p = 0; p < kc; p++, a += MR, b += W) {
            FloatVector bv = FloatVector.fromArray(S, bp, b);
            c0 = FloatVector.broadcast(S, ap[a]).fma(bv, c0);
            c1 = FloatVector.broadcast(S, ap[a + 1]).fma(bv, c1);
            c2 = FloatVector.broadcast(S, ap[a + 2]).fma(bv, c2);
            c3 = FloatVector.broadcast(S, ap[a + 3]).fma(bv, c3);
            c4 = FloatVector.broadcast(S, ap[a + 4]).fma(bv, c4);
            c5 = FloatVector.broadcast(S, ap[a + 5]).fma(bv, c5);
            c6 = FloatVector.broadcast(S, ap[a + 6]).fma(bv, c6);
            c7 = FloatVector.broadcast(S, ap[a + 7]).fma(bv, c7);
        }
        c0.intoArray(tile, 0);   c1.intoArray(tile, 16);  c2.intoArray(tile, 32);  c3.intoArray(tile, 48);
        c4.intoArray(tile, 64);  c5.intoArray(tile, 80);  c6.intoArray(tile, 96);  c7.intoArray(tile, 112);
    }
}
