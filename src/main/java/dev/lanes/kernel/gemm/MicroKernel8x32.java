package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 8×32 micro-kernel for 512-bit vectors (16 float lanes, AVX-512). Sixteen accumulators hide the
 * FMA latency (two FMA pipes × four cycles needs at least eight independent chains); per k it loads
 * two B vectors and broadcasts eight A values, so loads stay under the two-per-cycle limit while
 * sixteen FMAs issue. 16 + 2 + 1 of the 32 zmm registers are live: no spills.
 */
public final class MicroKernel8x32 implements MicroKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    static final int MR = 8;
    static final int NR = 32;

    @Override public int mr() { return MR; }

    @Override public int nr() { return NR; }

    /**
     * For op(A) = Aᵀ each k of a micro-panel is MR = 8 consecutive floats of one row of A: one
     * 256-bit load and store instead of eight scalar copies (the scalar loop ran at about 1 ns per
     * element, a third of the time of the dW = Xᵀ·dZ products of backprop).
     */
    @Override
    public void packA(MemorySegment a, int lda, boolean trans, int i0, int p0, int mc, int kc, float[] ap) {
        if (!trans) {
            packRowsA(a, lda, i0, p0, mc, kc, ap);
            return;
        }
        int full = mc / MR * MR;
        int dst = 0;
        for (int ir = 0; ir < full; ir += MR) {
            long src = ((long) p0 * lda + i0 + ir) * Float.BYTES;
            long step = (long) lda * Float.BYTES;
            for (int k = 0; k < kc; k++, src += step, dst += MR) {
                FloatVector.fromMemorySegment(S8, a, src, NATIVE).intoArray(ap, dst);
            }
        }
        if (full < mc) {
            int rows = mc - full;
            for (int k = 0; k < kc; k++, dst += MR) {
                long src = (long) (p0 + k) * lda + i0 + full;
                for (int i = 0; i < MR; i++) {
                    ap[dst + i] = i < rows ? a.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, src + i) : 0f;
                }
            }
        }
    }

    /*
     * Index vectors for selectFrom(x, y), which picks lane i of the 32-lane concatenation x‖y:
     * interleaving 32-bit, 64-bit and 128-bit units of two vectors, the three stages of an 8×16
     * transpose (log₂ 8 stages of eight two-source permutes each, one vpermt2ps apiece).
     */
    private static final FloatVector LO32 = interleave(1, 0), HI32 = interleave(1, 8);
    private static final FloatVector LO64 = interleave(2, 0), HI64 = interleave(2, 8);
    private static final FloatVector LO128 = interleave(4, 0), HI128 = interleave(4, 8);

    /** Lanes taking {@code unit}-float units alternately from x and y, starting at x's lane {@code from}. */
    private static FloatVector interleave(int unit, int from) {
        float[] idx = new float[16];
        for (int p = 0; p < 16; p++) {
            int q = p / unit;
            idx[p] = (q % 2 == 0 ? 0 : 16) + from + (q / 2) * unit + p % unit;
        }
        return FloatVector.fromArray(S, idx, 0);
    }

    /**
     * Non-transposed A: each micro-panel wants column k of eight rows as eight consecutive floats,
     * a transpose. Sixteen k at a time, the eight rows are loaded as vectors and transposed in
     * registers; the scalar gather this replaces cost about 1 ns per element, 7 % of a 1024³ GEMM.
     */
    private static void packRowsA(MemorySegment a, int lda, int i0, int p0, int mc, int kc, float[] ap) {
        int full = mc / MR * MR;
        int kFull = kc / 16 * 16;
        long rowBytes = (long) lda * Float.BYTES;
        for (int ir = 0; ir < full; ir += MR) {
            int dst = ir * kc;
            long src = ((long) (i0 + ir) * lda + p0) * Float.BYTES;
            for (int k = 0; k < kFull; k += 16, src += 64) {
                FloatVector r0 = FloatVector.fromMemorySegment(S, a, src, NATIVE);
                FloatVector r1 = FloatVector.fromMemorySegment(S, a, src + rowBytes, NATIVE);
                FloatVector r2 = FloatVector.fromMemorySegment(S, a, src + 2 * rowBytes, NATIVE);
                FloatVector r3 = FloatVector.fromMemorySegment(S, a, src + 3 * rowBytes, NATIVE);
                FloatVector r4 = FloatVector.fromMemorySegment(S, a, src + 4 * rowBytes, NATIVE);
                FloatVector r5 = FloatVector.fromMemorySegment(S, a, src + 5 * rowBytes, NATIVE);
                FloatVector r6 = FloatVector.fromMemorySegment(S, a, src + 6 * rowBytes, NATIVE);
                FloatVector r7 = FloatVector.fromMemorySegment(S, a, src + 7 * rowBytes, NATIVE);
                // Pairs of rows, k = 0–7 (L) and 8–15 (H), as (row, row+1) float pairs.
                FloatVector t01l = LO32.selectFrom(r0, r1), t01h = HI32.selectFrom(r0, r1);
                FloatVector t23l = LO32.selectFrom(r2, r3), t23h = HI32.selectFrom(r2, r3);
                FloatVector t45l = LO32.selectFrom(r4, r5), t45h = HI32.selectFrom(r4, r5);
                FloatVector t67l = LO32.selectFrom(r6, r7), t67h = HI32.selectFrom(r6, r7);
                // Four rows per k: k = 0–3, 4–7, 8–11, 12–15.
                FloatVector u03a = LO64.selectFrom(t01l, t23l), u03b = HI64.selectFrom(t01l, t23l);
                FloatVector u03c = LO64.selectFrom(t01h, t23h), u03d = HI64.selectFrom(t01h, t23h);
                FloatVector u47a = LO64.selectFrom(t45l, t67l), u47b = HI64.selectFrom(t45l, t67l);
                FloatVector u47c = LO64.selectFrom(t45h, t67h), u47d = HI64.selectFrom(t45h, t67h);
                // Eight rows per k, two k per vector: 128 consecutive floats of the panel.
                int d = dst + k * MR;
                LO128.selectFrom(u03a, u47a).intoArray(ap, d);
                HI128.selectFrom(u03a, u47a).intoArray(ap, d + 16);
                LO128.selectFrom(u03b, u47b).intoArray(ap, d + 32);
                HI128.selectFrom(u03b, u47b).intoArray(ap, d + 48);
                LO128.selectFrom(u03c, u47c).intoArray(ap, d + 64);
                HI128.selectFrom(u03c, u47c).intoArray(ap, d + 80);
                LO128.selectFrom(u03d, u47d).intoArray(ap, d + 96);
                HI128.selectFrom(u03d, u47d).intoArray(ap, d + 112);
            }
            for (int k = kFull; k < kc; k++) {
                long col = (long) (i0 + ir) * lda + p0 + k;
                for (int i = 0; i < MR; i++) {
                    ap[dst + k * MR + i] = a.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, col + (long) i * lda);
                }
            }
        }
        if (full < mc) {
            Packing.packPanelsA(a, lda, false, i0 + full, p0, mc - full, kc, MR, ap, full * kc);
        }
    }

    @Override
    public boolean supportsUnpackedB() {
        return true;
    }

    @Override
    public void runUnpackedB(int kc, float[] ap, int aOff, MemorySegment bs, long bOff, long ldbBytes,
                             MemorySegment c, int ldc, int row0, int col0, int rows,
                             float alpha, float beta, TileEpilogue ep, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int a = aOff;
        long b = bOff;
        for (int k = 0; k < kc; k++, a += MR, b += ldbBytes) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, bs, b, NATIVE);
            FloatVector b1 = FloatVector.fromMemorySegment(S, bs, b + 64, NATIVE);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[a]);     c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[a + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[a + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[a + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[a + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[a + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, ap[a + 6]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, ap[a + 7]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        c00.intoArray(tile, 0);   c01.intoArray(tile, 16);
        c10.intoArray(tile, 32);  c11.intoArray(tile, 48);
        c20.intoArray(tile, 64);  c21.intoArray(tile, 80);
        c30.intoArray(tile, 96);  c31.intoArray(tile, 112);
        c40.intoArray(tile, 128); c41.intoArray(tile, 144);
        c50.intoArray(tile, 160); c51.intoArray(tile, 176);
        c60.intoArray(tile, 192); c61.intoArray(tile, 208);
        c70.intoArray(tile, 224); c71.intoArray(tile, 240);
        store(tile, c, ldc, row0, col0, rows, NR, alpha, beta, ep);
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
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int a = aOff;
        int b = bOff;
        for (int k = 0; k < kc; k++, a += MR, b += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + 16);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[a]);     c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[a + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[a + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[a + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[a + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[a + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, ap[a + 6]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, ap[a + 7]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        c00.intoArray(tile, 0);   c01.intoArray(tile, 16);
        c10.intoArray(tile, 32);  c11.intoArray(tile, 48);
        c20.intoArray(tile, 64);  c21.intoArray(tile, 80);
        c30.intoArray(tile, 96);  c31.intoArray(tile, 112);
        c40.intoArray(tile, 128); c41.intoArray(tile, 144);
        c50.intoArray(tile, 160); c51.intoArray(tile, 176);
        c60.intoArray(tile, 192); c61.intoArray(tile, 208);
        c70.intoArray(tile, 224); c71.intoArray(tile, 240);
        store(tile, c, ldc, row0, col0, rows, cols, alpha, beta, ep);
    }

    /** Merges the accumulated tile into C, applying the epilogue; kept apart from the FMA loop so
     *  the loop compiles to registers only. */
    private static void store(float[] tile, MemorySegment c, int ldc, int row0, int col0, int rows, int cols,
                              float alpha, float beta, TileEpilogue ep) {
        if (cols == NR && ep == null) {
            for (int r = 0; r < rows; r++) {
                long off = ((long) (row0 + r) * ldc + col0) * Float.BYTES;
                TileStore512.mergeRow(FloatVector.fromArray(S, tile, r * NR), FloatVector.fromArray(S, tile, r * NR + 16),
                        c, off, alpha, beta);
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j += 16) {
                TileStore512.store(tile, r * NR + j, c, ldc, row0 + r, col0 + j, cols - j, alpha, beta, ep);
            }
        }
    }
}
