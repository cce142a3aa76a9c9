package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 8×32 micro-kernel for 512-bit vectors (16 float lanes, AVX-512). Sixteen accumulators hide the
 * FMA latency (two FMA pipes × four cycles needs at least eight independent chains); per k it loads
 * two B vectors and broadcasts eight A values, so loads stay under the two-per-cycle limit while
 * sixteen FMAs issue. 16 + 2 + 1 of the 32 zmm registers are live: no spills.
 */
public final class MicroKernel8x32 implements MicroKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final VectorMask<Float> FIRST8 = VectorMask.fromLong(S, 0x00FFL);
    private static final VectorMask<Float> LAST8 = VectorMask.fromLong(S, 0xFF00L);
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    static final int MR = 8;
    static final int NR = 32;

    @Override public int mr() { return MR; }

    @Override public int nr() { return NR; }

    /** Its stores go through {@link TileStore512}, which folds max |C| when asked. */
    @Override public boolean foldsMaxAbs() { return true; }

    @Override public boolean foldsActivationGradient() { return true; }

    /**
     * For op(A) = Aᵀ each k of a micro-panel is MR = 8 consecutive floats of one row of A. One
     * 512-bit load takes them for two micro-panels at once and two masked stores put each half in
     * its panel (the scalar loop ran at about 1 ns per element, a third of the time of backprop's
     * dW = Xᵀ·dZ). It replaced a 256-bit load and store per panel, the only 256-bit vectors in a
     * training step. In about one JVM in six C2 compiled that load without its intrinsic, and each
     * load allocated 48 B (W1 batch 32 on 1 thread, with the weight-gradient products folding
     * max |C|: 4 of 24 JVMs allocated 199,680 B a step with it, 0 of 48 with this). The 512-bit
     * form is also about as fast or faster (TN 256×128·128×128 on 1 thread: 41.7 µs against 46.2;
     * other weight-gradient shapes within 3 % either way).
     */
    @Override
    public void packA(MemorySegment a, int lda, boolean trans, int i0, int p0, int mc, int kc, float[] ap) {
        if (!trans) {
            packRowsA(a, lda, i0, p0, mc, kc, ap);
            return;
        }
        int full = mc / MR * MR;
        int pairs = mc / (2 * MR) * (2 * MR);
        long step = (long) lda * Float.BYTES;
        for (int ir = 0; ir < pairs; ir += 2 * MR) {
            long src = ((long) p0 * lda + i0 + ir) * Float.BYTES;
            // Lane 8 of the vector is row ir + 8: it lands at the start of the next panel's k.
            int lo = ir * kc, hi = (ir + MR) * kc - MR;
            for (int k = 0; k < kc; k++, src += step, lo += MR, hi += MR) {
                FloatVector v = FloatVector.fromMemorySegment(S, a, src, NATIVE);
                v.intoArray(ap, lo, FIRST8);
                v.intoArray(ap, hi, LAST8);
            }
        }
        if (pairs < full) {
            long src = ((long) p0 * lda + i0 + pairs) * Float.BYTES;
            int dst = pairs * kc;
            // A masked load from a segment costs about 20 cycles, so only the rows where a whole
            // vector would overrun the segment take it. One loop per kind of load, as in
            // NarrowKernel8x16: no vector is merged from two branches, which C2 may box.
            long whole = a.byteSize() - S.vectorByteSize();
            int k = 0;
            for (; k < kc && src <= whole; k++, src += step, dst += MR) {
                FloatVector.fromMemorySegment(S, a, src, NATIVE).intoArray(ap, dst, FIRST8);
            }
            for (; k < kc; k++, src += step, dst += MR) {
                FloatVector.fromMemorySegment(S, a, src, NATIVE, FIRST8).intoArray(ap, dst, FIRST8);
            }
        }
        int dst = full * kc;
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
     * The three stages of an 8×16 transpose (log₂ 8 stages of eight two-vector interleaves each),
     * and a fourth for 16×16: interleaving 32-, 64-, 128- and 256-bit units of two vectors x and y.
     * Each output is x and y permuted by the same shuffle, then blended: lanes of the odd units come
     * from y. Written as two-source selectFrom, every permute also reloaded its float index vector,
     * converted it to integers and masked it, since vpermi2ps overwrites its index register. Packing
     * the 128×784 A block of a training step's first layer took 11.9–13.7 µs that way, 6.9–9.2 this
     * way (hot, Zen 5); NT 128×128·128×256, which packs Bᵀ with transpose16, ran 1.08× as fast, and
     * training 784-256-128-10 at batch 128 on 1 thread 1.012× (in-process alternation, two runs of
     * 30 epoch pairs). The shuffles and masks are used inline: passed to a helper method they were
     * no longer constants to C2, and every vector was boxed.
     */
    private static final VectorShuffle<Float> LO32 = interleave(1, 0), HI32 = interleave(1, 8);
    private static final VectorShuffle<Float> LO64 = interleave(2, 0), HI64 = interleave(2, 8);
    private static final VectorShuffle<Float> LO128 = interleave(4, 0), HI128 = interleave(4, 8);
    private static final VectorShuffle<Float> LO256 = interleave(8, 0), HI256 = interleave(8, 8);
    private static final VectorMask<Float> ODD32 = oddUnits(1), ODD64 = oddUnits(2), ODD128 = oddUnits(4),
            ODD256 = oddUnits(8);

    /** Lane p takes lane {@code from + (p / unit / 2)·unit + p % unit} of its source. */
    private static VectorShuffle<Float> interleave(int unit, int from) {
        int[] idx = new int[16];
        for (int p = 0; p < 16; p++) {
            idx[p] = from + (p / unit / 2) * unit + p % unit;
        }
        return VectorShuffle.fromArray(S, idx, 0);
    }

    /** The lanes of the odd {@code unit}-float units: those taken from the second vector. */
    private static VectorMask<Float> oddUnits(int unit) {
        boolean[] odd = new boolean[16];
        for (int p = 0; p < 16; p++) {
            odd[p] = p / unit % 2 == 1;
        }
        return VectorMask.fromArray(S, odd, 0);
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
                FloatVector t01l = r0.rearrange(LO32).blend(r1.rearrange(LO32), ODD32);
                FloatVector t01h = r0.rearrange(HI32).blend(r1.rearrange(HI32), ODD32);
                FloatVector t23l = r2.rearrange(LO32).blend(r3.rearrange(LO32), ODD32);
                FloatVector t23h = r2.rearrange(HI32).blend(r3.rearrange(HI32), ODD32);
                FloatVector t45l = r4.rearrange(LO32).blend(r5.rearrange(LO32), ODD32);
                FloatVector t45h = r4.rearrange(HI32).blend(r5.rearrange(HI32), ODD32);
                FloatVector t67l = r6.rearrange(LO32).blend(r7.rearrange(LO32), ODD32);
                FloatVector t67h = r6.rearrange(HI32).blend(r7.rearrange(HI32), ODD32);
                // Four rows per k: k = 0–3, 4–7, 8–11, 12–15.
                FloatVector u03a = t01l.rearrange(LO64).blend(t23l.rearrange(LO64), ODD64);
                FloatVector u03b = t01l.rearrange(HI64).blend(t23l.rearrange(HI64), ODD64);
                FloatVector u03c = t01h.rearrange(LO64).blend(t23h.rearrange(LO64), ODD64);
                FloatVector u03d = t01h.rearrange(HI64).blend(t23h.rearrange(HI64), ODD64);
                FloatVector u47a = t45l.rearrange(LO64).blend(t67l.rearrange(LO64), ODD64);
                FloatVector u47b = t45l.rearrange(HI64).blend(t67l.rearrange(HI64), ODD64);
                FloatVector u47c = t45h.rearrange(LO64).blend(t67h.rearrange(LO64), ODD64);
                FloatVector u47d = t45h.rearrange(HI64).blend(t67h.rearrange(HI64), ODD64);
                // Eight rows per k, two k per vector: 128 consecutive floats of the panel.
                int d = dst + k * MR;
                u03a.rearrange(LO128).blend(u47a.rearrange(LO128), ODD128).intoArray(ap, d);
                u03a.rearrange(HI128).blend(u47a.rearrange(HI128), ODD128).intoArray(ap, d + 16);
                u03b.rearrange(LO128).blend(u47b.rearrange(LO128), ODD128).intoArray(ap, d + 32);
                u03b.rearrange(HI128).blend(u47b.rearrange(HI128), ODD128).intoArray(ap, d + 48);
                u03c.rearrange(LO128).blend(u47c.rearrange(LO128), ODD128).intoArray(ap, d + 64);
                u03c.rearrange(HI128).blend(u47c.rearrange(HI128), ODD128).intoArray(ap, d + 80);
                u03d.rearrange(LO128).blend(u47d.rearrange(LO128), ODD128).intoArray(ap, d + 96);
                u03d.rearrange(HI128).blend(u47d.rearrange(HI128), ODD128).intoArray(ap, d + 112);
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

    /**
     * op(B) into 32-column micro-panels. Not transposed, each k of a panel is 32 consecutive floats
     * of one row of B: two vector copies, where the per-row {@code MemorySegment.copy} call cost as
     * much again as the copy. Transposed, each row of B holds one column of op(B): 16×16 blocks are
     * transposed in registers, where the scalar scatter took 13–15 % of an NT product such as
     * backprop's dX = dZ·Wᵀ. A right-edge panel narrower than 32 columns, and the last kc mod 16
     * columns of a transposed panel, take the portable scalar code.
     */
    @Override
    public void packB(MemorySegment b, int ldb, boolean trans, int p0, int j0, int kc, int nc, float[] bp, int start) {
        int full = nc / NR * NR;
        long rowBytes = (long) ldb * Float.BYTES;
        for (int jr = 0; jr < full; jr += NR) {
            int dst = start + jr * kc;
            if (!trans) {
                long src = ((long) p0 * ldb + j0 + jr) * Float.BYTES;
                for (int k = 0; k < kc; k++, src += rowBytes) {
                    FloatVector.fromMemorySegment(S, b, src, NATIVE).intoArray(bp, dst + k * NR);
                    FloatVector.fromMemorySegment(S, b, src + 64, NATIVE).intoArray(bp, dst + k * NR + 16);
                }
            } else {
                int kFull = kc / 16 * 16;
                for (int h = 0; h < NR; h += 16) {
                    long src = ((long) (j0 + jr + h) * ldb + p0) * Float.BYTES;
                    for (int k = 0; k < kFull; k += 16) {
                        transpose16(b, src + (long) k * Float.BYTES, rowBytes, bp, dst + k * NR + h);
                    }
                    for (int k = kFull; k < kc; k++) {
                        for (int j = 0; j < 16; j++) {
                            bp[dst + k * NR + h + j] = b.get(ValueLayout.JAVA_FLOAT_UNALIGNED, src + j * rowBytes + (long) k * Float.BYTES);
                        }
                    }
                }
            }
        }
        if (full < nc) {
            Packing.packPanelsB(b, ldb, trans, p0, j0 + full, kc, nc - full, NR, bp, start + full * kc);
        }
    }

    /**
     * Sixteen rows of 16 floats (at {@code src}, {@code rowBytes} apart) transposed: column k lands
     * as one vector at {@code bp[dst + k·NR]}. Four stages of interleaves (32-, 64-, 128-,
     * then 256-bit units), ordered so that at most about 28 vectors are live at once.
     */
    private static void transpose16(MemorySegment b, long src, long rowBytes, float[] bp, int dst) {
        FloatVector r0 = FloatVector.fromMemorySegment(S, b, src, NATIVE);
        FloatVector r1 = FloatVector.fromMemorySegment(S, b, src + 1 * rowBytes, NATIVE);
        FloatVector r2 = FloatVector.fromMemorySegment(S, b, src + 2 * rowBytes, NATIVE);
        FloatVector r3 = FloatVector.fromMemorySegment(S, b, src + 3 * rowBytes, NATIVE);
        FloatVector a0 = r0.rearrange(LO32).blend(r1.rearrange(LO32), ODD32);
        FloatVector a1 = r0.rearrange(HI32).blend(r1.rearrange(HI32), ODD32);
        FloatVector a2 = r2.rearrange(LO32).blend(r3.rearrange(LO32), ODD32);
        FloatVector a3 = r2.rearrange(HI32).blend(r3.rearrange(HI32), ODD32);
        FloatVector b00 = a0.rearrange(LO64).blend(a2.rearrange(LO64), ODD64);
        FloatVector b01 = a0.rearrange(HI64).blend(a2.rearrange(HI64), ODD64);
        FloatVector b02 = a1.rearrange(LO64).blend(a3.rearrange(LO64), ODD64);
        FloatVector b03 = a1.rearrange(HI64).blend(a3.rearrange(HI64), ODD64);
        FloatVector r4 = FloatVector.fromMemorySegment(S, b, src + 4 * rowBytes, NATIVE);
        FloatVector r5 = FloatVector.fromMemorySegment(S, b, src + 5 * rowBytes, NATIVE);
        FloatVector r6 = FloatVector.fromMemorySegment(S, b, src + 6 * rowBytes, NATIVE);
        FloatVector r7 = FloatVector.fromMemorySegment(S, b, src + 7 * rowBytes, NATIVE);
        FloatVector a4 = r4.rearrange(LO32).blend(r5.rearrange(LO32), ODD32);
        FloatVector a5 = r4.rearrange(HI32).blend(r5.rearrange(HI32), ODD32);
        FloatVector a6 = r6.rearrange(LO32).blend(r7.rearrange(LO32), ODD32);
        FloatVector a7 = r6.rearrange(HI32).blend(r7.rearrange(HI32), ODD32);
        FloatVector b10 = a4.rearrange(LO64).blend(a6.rearrange(LO64), ODD64);
        FloatVector b11 = a4.rearrange(HI64).blend(a6.rearrange(HI64), ODD64);
        FloatVector b12 = a5.rearrange(LO64).blend(a7.rearrange(LO64), ODD64);
        FloatVector b13 = a5.rearrange(HI64).blend(a7.rearrange(HI64), ODD64);
        FloatVector r8 = FloatVector.fromMemorySegment(S, b, src + 8 * rowBytes, NATIVE);
        FloatVector r9 = FloatVector.fromMemorySegment(S, b, src + 9 * rowBytes, NATIVE);
        FloatVector r10 = FloatVector.fromMemorySegment(S, b, src + 10 * rowBytes, NATIVE);
        FloatVector r11 = FloatVector.fromMemorySegment(S, b, src + 11 * rowBytes, NATIVE);
        FloatVector a8 = r8.rearrange(LO32).blend(r9.rearrange(LO32), ODD32);
        FloatVector a9 = r8.rearrange(HI32).blend(r9.rearrange(HI32), ODD32);
        FloatVector a10 = r10.rearrange(LO32).blend(r11.rearrange(LO32), ODD32);
        FloatVector a11 = r10.rearrange(HI32).blend(r11.rearrange(HI32), ODD32);
        FloatVector b20 = a8.rearrange(LO64).blend(a10.rearrange(LO64), ODD64);
        FloatVector b21 = a8.rearrange(HI64).blend(a10.rearrange(HI64), ODD64);
        FloatVector b22 = a9.rearrange(LO64).blend(a11.rearrange(LO64), ODD64);
        FloatVector b23 = a9.rearrange(HI64).blend(a11.rearrange(HI64), ODD64);
        FloatVector r12 = FloatVector.fromMemorySegment(S, b, src + 12 * rowBytes, NATIVE);
        FloatVector r13 = FloatVector.fromMemorySegment(S, b, src + 13 * rowBytes, NATIVE);
        FloatVector r14 = FloatVector.fromMemorySegment(S, b, src + 14 * rowBytes, NATIVE);
        FloatVector r15 = FloatVector.fromMemorySegment(S, b, src + 15 * rowBytes, NATIVE);
        FloatVector a12 = r12.rearrange(LO32).blend(r13.rearrange(LO32), ODD32);
        FloatVector a13 = r12.rearrange(HI32).blend(r13.rearrange(HI32), ODD32);
        FloatVector a14 = r14.rearrange(LO32).blend(r15.rearrange(LO32), ODD32);
        FloatVector a15 = r14.rearrange(HI32).blend(r15.rearrange(HI32), ODD32);
        FloatVector b30 = a12.rearrange(LO64).blend(a14.rearrange(LO64), ODD64);
        FloatVector b31 = a12.rearrange(HI64).blend(a14.rearrange(HI64), ODD64);
        FloatVector b32 = a13.rearrange(LO64).blend(a15.rearrange(LO64), ODD64);
        FloatVector b33 = a13.rearrange(HI64).blend(a15.rearrange(HI64), ODD64);
        // b{q}{g}: rows 4q..4q+3 at k = 4g..4g+3.
        FloatVector c00 = b00.rearrange(LO128).blend(b10.rearrange(LO128), ODD128);
        FloatVector c01 = b00.rearrange(HI128).blend(b10.rearrange(HI128), ODD128);
        FloatVector c10 = b20.rearrange(LO128).blend(b30.rearrange(LO128), ODD128);
        FloatVector c11 = b20.rearrange(HI128).blend(b30.rearrange(HI128), ODD128);
        c00.rearrange(LO256).blend(c10.rearrange(LO256), ODD256).intoArray(bp, dst);
        c00.rearrange(HI256).blend(c10.rearrange(HI256), ODD256).intoArray(bp, dst + 1 * NR);
        c01.rearrange(LO256).blend(c11.rearrange(LO256), ODD256).intoArray(bp, dst + 2 * NR);
        c01.rearrange(HI256).blend(c11.rearrange(HI256), ODD256).intoArray(bp, dst + 3 * NR);
        FloatVector c02 = b01.rearrange(LO128).blend(b11.rearrange(LO128), ODD128);
        FloatVector c03 = b01.rearrange(HI128).blend(b11.rearrange(HI128), ODD128);
        FloatVector c12 = b21.rearrange(LO128).blend(b31.rearrange(LO128), ODD128);
        FloatVector c13 = b21.rearrange(HI128).blend(b31.rearrange(HI128), ODD128);
        c02.rearrange(LO256).blend(c12.rearrange(LO256), ODD256).intoArray(bp, dst + 4 * NR);
        c02.rearrange(HI256).blend(c12.rearrange(HI256), ODD256).intoArray(bp, dst + 5 * NR);
        c03.rearrange(LO256).blend(c13.rearrange(LO256), ODD256).intoArray(bp, dst + 6 * NR);
        c03.rearrange(HI256).blend(c13.rearrange(HI256), ODD256).intoArray(bp, dst + 7 * NR);
        FloatVector c04 = b02.rearrange(LO128).blend(b12.rearrange(LO128), ODD128);
        FloatVector c05 = b02.rearrange(HI128).blend(b12.rearrange(HI128), ODD128);
        FloatVector c14 = b22.rearrange(LO128).blend(b32.rearrange(LO128), ODD128);
        FloatVector c15 = b22.rearrange(HI128).blend(b32.rearrange(HI128), ODD128);
        c04.rearrange(LO256).blend(c14.rearrange(LO256), ODD256).intoArray(bp, dst + 8 * NR);
        c04.rearrange(HI256).blend(c14.rearrange(HI256), ODD256).intoArray(bp, dst + 9 * NR);
        c05.rearrange(LO256).blend(c15.rearrange(LO256), ODD256).intoArray(bp, dst + 10 * NR);
        c05.rearrange(HI256).blend(c15.rearrange(HI256), ODD256).intoArray(bp, dst + 11 * NR);
        FloatVector c06 = b03.rearrange(LO128).blend(b13.rearrange(LO128), ODD128);
        FloatVector c07 = b03.rearrange(HI128).blend(b13.rearrange(HI128), ODD128);
        FloatVector c16 = b23.rearrange(LO128).blend(b33.rearrange(LO128), ODD128);
        FloatVector c17 = b23.rearrange(HI128).blend(b33.rearrange(HI128), ODD128);
        c06.rearrange(LO256).blend(c16.rearrange(LO256), ODD256).intoArray(bp, dst + 12 * NR);
        c06.rearrange(HI256).blend(c16.rearrange(HI256), ODD256).intoArray(bp, dst + 13 * NR);
        c07.rearrange(LO256).blend(c17.rearrange(LO256), ODD256).intoArray(bp, dst + 14 * NR);
        c07.rearrange(HI256).blend(c17.rearrange(HI256), ODD256).intoArray(bp, dst + 15 * NR);
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
    public int maxFewRows() {
        return 4;
    }

    /**
     * One row: four strips (eight vectors, eight accumulators) at a time, then the last strips one at
     * a time. Two to four rows: two strips (four vectors) of four rows at a time, sixteen
     * accumulators, the rows past {@code rows} being the packed panel's zero padding; an odd last
     * strip goes through the MR-row tile. The row r value for k is
     * {@code ap[aOff + k·MR + r]}, as in the MR-row tile.
     */
    @Override
    public void runFewRowsUnpackedB(int rows, int kc, float[] ap, int aOff, MemorySegment bs, long bOff, long ldbBytes,
                                    int strips, MemorySegment c, int ldc, int row0, int col0,
                                    float alpha, float beta, TileEpilogue ep, float[] tile) {
        if (rows == 1) {
            oneRow(kc, ap, aOff, bs, bOff, ldbBytes, strips, c, ldc, row0, col0, alpha, beta, ep, tile);
        } else {
            fourRows(rows, kc, ap, aOff, bs, bOff, ldbBytes, strips, c, ldc, row0, col0, alpha, beta, ep, tile);
        }
    }

    private static void oneRow(int kc, float[] ap, int aOff, MemorySegment bs, long bOff, long ldbBytes, int strips,
                               MemorySegment c, int ldc, int row0, int col0,
                               float alpha, float beta, TileEpilogue ep, float[] tile) {
        int s = 0;
        for (; s + 4 <= strips; s += 4) {
            FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
            FloatVector c4 = FloatVector.zero(S), c5 = FloatVector.zero(S), c6 = FloatVector.zero(S), c7 = FloatVector.zero(S);
            int a = aOff;
            long b = bOff + (long) s * NR * Float.BYTES;
            for (int k = 0; k < kc; k++, a += MR, b += ldbBytes) {
                FloatVector x = FloatVector.broadcast(S, ap[a]);
                c0 = x.fma(FloatVector.fromMemorySegment(S, bs, b, NATIVE), c0);
                c1 = x.fma(FloatVector.fromMemorySegment(S, bs, b + 64, NATIVE), c1);
                c2 = x.fma(FloatVector.fromMemorySegment(S, bs, b + 128, NATIVE), c2);
                c3 = x.fma(FloatVector.fromMemorySegment(S, bs, b + 192, NATIVE), c3);
                c4 = x.fma(FloatVector.fromMemorySegment(S, bs, b + 256, NATIVE), c4);
                c5 = x.fma(FloatVector.fromMemorySegment(S, bs, b + 320, NATIVE), c5);
                c6 = x.fma(FloatVector.fromMemorySegment(S, bs, b + 384, NATIVE), c6);
                c7 = x.fma(FloatVector.fromMemorySegment(S, bs, b + 448, NATIVE), c7);
            }
            int col = col0 + s * NR;
            c0.intoArray(tile, 0); c1.intoArray(tile, 16);
            store(tile, c, ldc, row0, col, 1, NR, alpha, beta, ep);
            c2.intoArray(tile, 0); c3.intoArray(tile, 16);
            store(tile, c, ldc, row0, col + NR, 1, NR, alpha, beta, ep);
            c4.intoArray(tile, 0); c5.intoArray(tile, 16);
            store(tile, c, ldc, row0, col + 2 * NR, 1, NR, alpha, beta, ep);
            c6.intoArray(tile, 0); c7.intoArray(tile, 16);
            store(tile, c, ldc, row0, col + 3 * NR, 1, NR, alpha, beta, ep);
        }
        for (; s < strips; s++) {
            FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S);
            int a = aOff;
            long b = bOff + (long) s * NR * Float.BYTES;
            for (int k = 0; k < kc; k++, a += MR, b += ldbBytes) {
                FloatVector x = FloatVector.broadcast(S, ap[a]);
                c0 = x.fma(FloatVector.fromMemorySegment(S, bs, b, NATIVE), c0);
                c1 = x.fma(FloatVector.fromMemorySegment(S, bs, b + 64, NATIVE), c1);
            }
            c0.intoArray(tile, 0); c1.intoArray(tile, 16);
            store(tile, c, ldc, row0, col0 + s * NR, 1, NR, alpha, beta, ep);
        }
    }

    private void fourRows(int rows, int kc, float[] ap, int aOff, MemorySegment bs, long bOff, long ldbBytes,
                                 int strips, MemorySegment c, int ldc, int row0, int col0,
                                 float alpha, float beta, TileEpilogue ep, float[] tile) {
        int s = 0;
        for (; s + 2 <= strips; s += 2) {
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
            int a = aOff;
            long b = bOff + (long) s * NR * Float.BYTES;
            for (int k = 0; k < kc; k++, a += MR, b += ldbBytes) {
                FloatVector b0 = FloatVector.fromMemorySegment(S, bs, b, NATIVE);
                FloatVector b1 = FloatVector.fromMemorySegment(S, bs, b + 64, NATIVE);
                FloatVector b2 = FloatVector.fromMemorySegment(S, bs, b + 128, NATIVE);
                FloatVector b3 = FloatVector.fromMemorySegment(S, bs, b + 192, NATIVE);
                FloatVector x;
                x = FloatVector.broadcast(S, ap[a]);
                c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
                x = FloatVector.broadcast(S, ap[a + 1]);
                c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
                x = FloatVector.broadcast(S, ap[a + 2]);
                c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
                x = FloatVector.broadcast(S, ap[a + 3]);
                c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            }
            int col = col0 + s * NR;
            c00.intoArray(tile, 0);  c01.intoArray(tile, 16);
            c10.intoArray(tile, 32); c11.intoArray(tile, 48);
            c20.intoArray(tile, 64); c21.intoArray(tile, 80);
            c30.intoArray(tile, 96); c31.intoArray(tile, 112);
            store(tile, c, ldc, row0, col, rows, NR, alpha, beta, ep);
            c02.intoArray(tile, 0);  c03.intoArray(tile, 16);
            c12.intoArray(tile, 32); c13.intoArray(tile, 48);
            c22.intoArray(tile, 64); c23.intoArray(tile, 80);
            c32.intoArray(tile, 96); c33.intoArray(tile, 112);
            store(tile, c, ldc, row0, col + NR, rows, NR, alpha, beta, ep);
        }
        if (s < strips) {
            // The odd strip: the MR-row tile, which computes these rows with the same FMAs.
            runUnpackedB(kc, ap, aOff, bs, bOff + (long) s * NR * Float.BYTES, ldbBytes, c, ldc, row0, col0 + s * NR, rows,
                    alpha, beta, ep, tile);
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
        if (cols == NR && TileEpilogue.servedWholeTile(ep)) {
            TileStore512.mergeTile(tile, c, ldc, row0, col0, rows, alpha, beta, ep);
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j += 16) {
                TileStore512.store(tile, r * NR + j, c, ldc, row0 + r, col0 + j, cols - j, alpha, beta, ep);
            }
        }
    }
}
