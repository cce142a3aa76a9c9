package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * 4×16 micro-kernel for 256-bit vectors (8 float lanes, AVX2): eight accumulators, two B vectors and
 * four broadcasts, 14 of the 16 vector registers however C2 schedules the loads, so no accumulator
 * is ever spilled. Slower than {@link MicroKernel6x16} where that one keeps its accumulators in
 * registers, and far faster where it does not; {@link MicroKernel256#forThisJvm} chooses.
 */
public final class MicroKernel4x16 extends MicroKernel256 {
    static final int MR = 4;

    public MicroKernel4x16() {
        super(MR);
    }

    @Override
    void packEightK(MemorySegment a, long src, long rowBytes, float[] t, float[] ap, int d) {
        FloatVector.fromMemorySegment(S, a, src, NATIVE).intoArray(t, 0);
        FloatVector.fromMemorySegment(S, a, src + rowBytes, NATIVE).intoArray(t, 8);
        FloatVector.fromMemorySegment(S, a, src + 2 * rowBytes, NATIVE).intoArray(t, 16);
        FloatVector.fromMemorySegment(S, a, src + 3 * rowBytes, NATIVE).intoArray(t, 24);
        for (int kk = 0; kk < 8; kk++, d += MR) {
            ap[d] = t[kk];
            ap[d + 1] = t[8 + kk];
            ap[d + 2] = t[16 + kk];
            ap[d + 3] = t[24 + kk];
        }
    }

    @Override
    public void run(int kc, float[] ap, int aOff, float[] bp, int bOff,
                    MemorySegment c, int ldc, int row0, int col0, int rows, int cols,
                    float alpha, float beta, TileEpilogue ep, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        int a = aOff;
        int b = bOff;
        for (int k = 0; k < kc; k++, a += MR, b += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + 8);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[a]);     c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[a + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[a + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[a + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        c00.intoArray(tile, 0);  c01.intoArray(tile, 8);
        c10.intoArray(tile, 16); c11.intoArray(tile, 24);
        c20.intoArray(tile, 32); c21.intoArray(tile, 40);
        c30.intoArray(tile, 48); c31.intoArray(tile, 56);
        store(tile, c, ldc, row0, col0, rows, cols, alpha, beta, ep);
    }

}
