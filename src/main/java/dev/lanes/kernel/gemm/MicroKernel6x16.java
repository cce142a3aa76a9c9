package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * 6×16 micro-kernel for 256-bit vectors (8 float lanes, AVX2): twelve accumulators, two B vectors
 * and one broadcast, the classic Haswell-class register tile. That is 15 of the 16 vector registers
 * only if the broadcasts are loaded one or two at a time, and C2 (JDK 25) decides that.
 *
 * <p>Where C2 strip-mines the k loop (see {@link MicroKernel256#forThisJvm}), it loads all six
 * broadcasts before the FMAs, so 20 vectors are live and three accumulators round-trip through the
 * stack every k (read from the compiled code's bytes with {@code -XX:CompileCommand=print} and
 * objdump); the loop then ran at 37–41 GFLOP/s on hot panels on a Zen 3 core, against 60–95 where
 * C2 did not strip-mine it and kept every accumulator in a register. Neither running the loop in
 * runs of 64 k (which C2 does not strip-mine) nor moving it to a method without the float
 * parameters {@code alpha} and {@code beta} kept the accumulators in registers in every context.
 * With vector packing and without strip mining, 4×16 ran 0.73–1.00× as fast as this tile inside
 * the GEMM driver, 3×24 0.67–0.85×, 2×48 0.45–0.80× (medians over the training step's products and
 * 512³, alternating in-process).
 */
public final class MicroKernel6x16 extends MicroKernel256 {
    static final int MR = 6;

    public MicroKernel6x16() {
        super(MR);
    }

    @Override
    void packEightK(MemorySegment a, long src, long rowBytes, float[] t, float[] ap, int d) {
        FloatVector.fromMemorySegment(S, a, src, NATIVE).intoArray(t, 0);
        FloatVector.fromMemorySegment(S, a, src + rowBytes, NATIVE).intoArray(t, 8);
        FloatVector.fromMemorySegment(S, a, src + 2 * rowBytes, NATIVE).intoArray(t, 16);
        FloatVector.fromMemorySegment(S, a, src + 3 * rowBytes, NATIVE).intoArray(t, 24);
        FloatVector.fromMemorySegment(S, a, src + 4 * rowBytes, NATIVE).intoArray(t, 32);
        FloatVector.fromMemorySegment(S, a, src + 5 * rowBytes, NATIVE).intoArray(t, 40);
        for (int kk = 0; kk < 8; kk++, d += MR) {
            ap[d] = t[kk];
            ap[d + 1] = t[8 + kk];
            ap[d + 2] = t[16 + kk];
            ap[d + 3] = t[24 + kk];
            ap[d + 4] = t[32 + kk];
            ap[d + 5] = t[40 + kk];
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
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
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
            x = FloatVector.broadcast(S, ap[a + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[a + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(tile, 0);  c01.intoArray(tile, 8);
        c10.intoArray(tile, 16); c11.intoArray(tile, 24);
        c20.intoArray(tile, 32); c21.intoArray(tile, 40);
        c30.intoArray(tile, 48); c31.intoArray(tile, 56);
        c40.intoArray(tile, 64); c41.intoArray(tile, 72);
        c50.intoArray(tile, 80); c51.intoArray(tile, 88);
        store(tile, c, ldc, row0, col0, rows, cols, alpha, beta, ep);
    }

}
