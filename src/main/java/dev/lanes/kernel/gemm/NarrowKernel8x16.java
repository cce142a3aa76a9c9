package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link NarrowKernel} for 512-bit vectors: 8 rows × up to 16 columns. Eight accumulators are just
 * enough to cover two FMA pipes of four-cycle latency; each k costs eight scalar broadcasts and one
 * vector load, so the loop is close to balanced between load and FMA ports. op(B) comes padded to a
 * full vector per row, so the loop needs no masked load (cheaper per k, and no slow path when a
 * row's vector would cross the end of the caller's segment).
 */
public final class NarrowKernel8x16 implements NarrowKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int MR = 8;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    @Override public int mr() { return MR; }

    @Override public int maxCols() { return S.length(); }

    @Override
    public void run(int k, MemorySegment a, long aBase, long aRowStep, long aKStep,
                    MemorySegment b, long bBase, long bKStep, int n,
                    MemorySegment c, int ldc, int row0, int rows, float alpha, float beta, TileEpilogue ep,
                    float[] tile) {
        // Rows past the end of C re-read the last valid row (always in bounds) and are not stored.
        int last = rows - 1;
        long o0 = aBase;
        long o1 = aBase + Math.min(1, last) * aRowStep;
        long o2 = aBase + Math.min(2, last) * aRowStep;
        long o3 = aBase + Math.min(3, last) * aRowStep;
        long o4 = aBase + Math.min(4, last) * aRowStep;
        long o5 = aBase + Math.min(5, last) * aRowStep;
        long o6 = aBase + Math.min(6, last) * aRowStep;
        long o7 = aBase + Math.min(7, last) * aRowStep;
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S), c5 = FloatVector.zero(S), c6 = FloatVector.zero(S), c7 = FloatVector.zero(S);
        long ak = 0;
        long bo = bBase;
        for (int p = 0; p < k; p++, ak += aKStep, bo += bKStep) {
            FloatVector bv = FloatVector.fromMemorySegment(S, b, bo, NATIVE);
            c0 = FloatVector.broadcast(S, a.get(F, o0 + ak)).fma(bv, c0);
            c1 = FloatVector.broadcast(S, a.get(F, o1 + ak)).fma(bv, c1);
            c2 = FloatVector.broadcast(S, a.get(F, o2 + ak)).fma(bv, c2);
            c3 = FloatVector.broadcast(S, a.get(F, o3 + ak)).fma(bv, c3);
            c4 = FloatVector.broadcast(S, a.get(F, o4 + ak)).fma(bv, c4);
            c5 = FloatVector.broadcast(S, a.get(F, o5 + ak)).fma(bv, c5);
            c6 = FloatVector.broadcast(S, a.get(F, o6 + ak)).fma(bv, c6);
            c7 = FloatVector.broadcast(S, a.get(F, o7 + ak)).fma(bv, c7);
        }
        c0.intoArray(tile, 0);   c1.intoArray(tile, 16);  c2.intoArray(tile, 32);  c3.intoArray(tile, 48);
        c4.intoArray(tile, 64);  c5.intoArray(tile, 80);  c6.intoArray(tile, 96);  c7.intoArray(tile, 112);
        for (int r = 0; r < rows; r++) {
            TileStore512.store(tile, r * 16, c, ldc, row0 + r, 0, n, alpha, beta, ep);
        }
    }
}
