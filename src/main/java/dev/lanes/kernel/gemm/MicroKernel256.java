package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the MR×16 micro-kernels for 256-bit vectors (8 float lanes, AVX2) share: vector packing and
 * the stores of a finished tile. Each subclass holds only its FMA loop, the one place that knows its
 * register tile.
 *
 * <p>Which tile to run depends on the JIT as much as on the CPU; see {@link #forThisJvm}.
 */
public abstract sealed class MicroKernel256 implements MicroKernel permits MicroKernel6x16, MicroKernel4x16 {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int NR = 16;
    static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /**
     * Rows of the register tile, 4 to 8: {@link #packA} copies a k of Aᵀ as one 8-float vector, which
     * must end inside its micro-panel even at the last k but one.
     */
    private final int mr;

    MicroKernel256(int mr) {
        this.mr = mr;
    }

    /**
     * The AVX2 kernel for this JVM. With 16 vector registers, the 6×16 tile's twelve accumulators,
     * two B vectors and six broadcasts do not all fit, and how C2 (JDK 25) allocates them depends on
     * whether it strip-mines the k loop, which it does when counted loops keep safepoints
     * ({@code UseCountedLoopSafepoints}: on by default with G1, ZGC and Shenandoah, off with the
     * parallel and serial collectors). Strip-mined, the loop kept accumulators on the stack, and
     * training 784-256-128-10 at batch 128 on 1 thread ran at half speed: 26–29k samples/s under G1
     * against 43–54k under the parallel collector, and 26–27k under the parallel collector with
     * strip mining switched on (Zen 3). The 4×16 tile needs 14 registers however C2 orders its
     * loads, and ran at 33–51k under G1 (2 threads: 50–83k, against 42–52k); without strip mining
     * the 6×16 tile is the faster one (1.2× the 4×16 at 1 thread, 1.3–1.4× at 2, same machine).
     * {@code -Dlanes.gemm.tile=6x16} or {@code 4x16} overrides the choice (AVX-512 machines run
     * {@link MicroKernel8x32} whatever it says).
     */
    public static MicroKernel256 forThisJvm() {
        String forced = System.getProperty("lanes.gemm.tile", "").trim();
        return switch (forced) {
            case "" -> countedLoopsKeepSafepoints() ? new MicroKernel4x16() : new MicroKernel6x16();
            case "6x16" -> new MicroKernel6x16();
            case "4x16" -> new MicroKernel4x16();
            default -> throw new IllegalArgumentException(
                    "-Dlanes.gemm.tile must be 6x16 or 4x16 (the AVX2 tiles), got '" + forced + "'");
        };
    }

    /** Whether C2 keeps safepoints in counted loops; true when the JVM cannot say (the safe choice). */
    static boolean countedLoopsKeepSafepoints() {
        try {
            var bean = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean == null || !"false".equals(bean.getVMOption("UseCountedLoopSafepoints").getValue());
        } catch (RuntimeException | LinkageError e) {
            // No jdk.management module (a trimmed runtime), or not HotSpot.
            return true;
        }
    }

    @Override public final int mr() { return mr; }

    @Override public final int nr() { return NR; }

    /** Its stores go through {@link TileStore256}, which folds max |C| when asked. */
    @Override public final boolean foldsMaxAbs() { return true; }

    @Override public final boolean foldsActivationGradient() { return true; }

    /** Scratch for {@link #packA}'s in-cache transpose, one per thread. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[8 * 8]);

    /**
     * Vector packing: the portable scalar loops cost 2–3 ns an element through bounds-checked segment
     * reads, which on a Zen 3 core was a quarter of backprop's dW = Xᵀ·dZ (the Xᵀ pack of a
     * 128×784 batch took 230–290 µs) and 7–10 % of the forward product.
     * <ul>
     *   <li>Aᵀ: each k of a micro-panel is MR consecutive floats of one row of A, copied as one
     *       8-float vector whose last lanes the next k overwrites. The extra floats read
     *       lie in the row of the next k; the last k of a panel, after which neither need be there,
     *       is copied a float at a time (a masked vector load may lose its intrinsic and allocate).</li>
     *   <li>A: MR rows, eight k at a time, land in a scratch tile as vectors and are read out
     *       transposed: array moves, not segment reads.</li>
     * </ul>
     * Edge panels (fewer than MR rows), a short last run of k and panels of fewer than 16 k take
     * the portable code.
     */
    @Override
    public final void packA(MemorySegment a, int lda, boolean trans, int i0, int p0, int mc, int kc, float[] ap) {
        int full = mc / mr * mr;
        if (trans) {
            for (int ir = 0; ir < full; ir += mr) {
                int d = ir * kc;
                long src = ((long) p0 * lda + i0 + ir) * Float.BYTES, step = (long) lda * Float.BYTES;
                for (int k = 0; k + 1 < kc; k++, d += mr, src += step) {
                    FloatVector.fromMemorySegment(S, a, src, NATIVE).intoArray(ap, d);
                }
                for (int i = 0; i < mr; i++) { // the last k
                    ap[d + i] = a.get(F, src + (long) i * Float.BYTES);
                }
            }
        } else if (kc < 16) {
            // A few k per panel (the 10-wide layers' NT product): the scratch round trip costs more.
            Packing.packPanelsA(a, lda, false, i0, p0, full, kc, mr, ap, 0);
        } else {
            float[] t = SCRATCH.get();
            int kFull = kc / 8 * 8;
            long rowBytes = (long) lda * Float.BYTES;
            for (int ir = 0; ir < full; ir += mr) {
                int d = ir * kc;
                long src = ((long) (i0 + ir) * lda + p0) * Float.BYTES;
                for (int k = 0; k < kFull; k += 8, src += 32) {
                    packEightK(a, src, rowBytes, t, ap, d);
                    d += 8 * mr;
                }
                if (kFull < kc) {
                    Packing.packPanelsA(a, lda, false, i0 + ir, p0 + kFull, mr, kc - kFull, mr, ap, d);
                }
            }
        }
        if (full < mc) {
            Packing.packPanelsA(a, lda, trans, i0 + full, p0, mc - full, kc, mr, ap, full * kc);
        }
    }

    /**
     * Eight k of one full micro-panel of untransposed A: the MR rows' eight floats from byte
     * {@code src} on (rows {@code rowBytes} apart) into the scratch tile {@code t}, then out to
     * {@code ap[d..]} transposed. Written out per tile: as a loop over a row count held in a field,
     * the packing made NN 128×784·784×256 10–16 % slower (in-process A/B, two runs).
     */
    abstract void packEightK(MemorySegment a, long src, long rowBytes, float[] t, float[] ap, int d);

    /**
     * B: two vector copies a k (a {@code MemorySegment.copy} call per 16 floats cost as much again
     * as the copy). Bᵀ: see {@link #packTransposedB}.
     */
    @Override
    public final void packB(MemorySegment b, int ldb, boolean trans, int p0, int j0, int kc, int nc, float[] bp, int start) {
        if (trans) {
            packTransposedB(b, ldb, p0, j0, kc, nc, bp, start);
            return;
        }
        int full = nc / NR * NR;
        long rowBytes = (long) ldb * Float.BYTES;
        for (int jr = 0; jr < full; jr += NR) {
            int dst = start + jr * kc;
            long src = ((long) p0 * ldb + j0 + jr) * Float.BYTES;
            for (int k = 0; k < kc; k++, src += rowBytes, dst += NR) {
                FloatVector.fromMemorySegment(S, b, src, NATIVE).intoArray(bp, dst);
                FloatVector.fromMemorySegment(S, b, src + 32, NATIVE).intoArray(bp, dst + 8);
            }
        }
        if (full < nc) {
            Packing.packPanelsB(b, ldb, false, p0, j0 + full, kc, nc - full, NR, bp, start + full * kc);
        }
    }

    /*
     * The three stages of an 8×8 transpose interleave 32-, 64- and 128-bit units of two vectors. On
     * AVX2 each interleave is two one-source permutes and a blend. Written as selectFrom(x, y), a
     * two-source permute AVX2 does not have, the transposing pack was slower than the scalar loop
     * (0.66 against 0.39 ns per element on a 128×256 block); written this way it is level with it in
     * cache (0.41 against 0.39) and 2.4× as fast on 1024×1024 (0.44 against 1.07).
     */
    private static final VectorShuffle<Float> LO32 = interleave(1, 0), HI32 = interleave(1, 4);
    private static final VectorShuffle<Float> LO64 = interleave(2, 0), HI64 = interleave(2, 4);
    private static final VectorShuffle<Float> LO128 = interleave(4, 0), HI128 = interleave(4, 4);
    /** Lanes that take the second vector's unit: every other {@code unit} floats. */
    private static final VectorMask<Float> ODD32 = oddUnits(1), ODD64 = oddUnits(2), ODD128 = oddUnits(4);

    /**
     * One vector's half of an interleave of {@code unit}-float units: lane p takes lane
     * {@code from + (p / unit / 2)·unit + p mod unit}, so the units from lane {@code from} on land
     * in every other unit, and the blend fills the units between from the other vector.
     */
    private static VectorShuffle<Float> interleave(int unit, int from) {
        int[] idx = new int[8];
        for (int p = 0; p < 8; p++) {
            idx[p] = from + (p / unit / 2) * unit + p % unit;
        }
        return VectorShuffle.fromArray(S, idx, 0);
    }

    private static VectorMask<Float> oddUnits(int unit) {
        boolean[] odd = new boolean[8];
        for (int p = 0; p < 8; p++) odd[p] = (p / unit) % 2 == 1;
        return VectorMask.fromArray(S, odd, 0);
    }

    /**
     * Bᵀ into 16-column micro-panels: row j of B holds column j of op(B) along k, so each panel is a
     * transpose. Eight rows by eight k are loaded as vectors and transposed in registers
     * ({@link #transpose8}). A right-edge panel narrower than 16 columns, and the last kc mod 8 k of
     * a panel, take the portable scalar code. In-process alternation against the scalar loop (Zen 3,
     * medians of 10 rounds, 1 and 2 threads): NT 256×1024·1024×1024 1.047× and 1.057× as fast,
     * NT 128×10·10×128 1.078× and 1.063×, NT 128×128·128×256 unchanged (0.997×, 1.007×).
     */
    private static void packTransposedB(MemorySegment b, int ldb, int p0, int j0, int kc, int nc, float[] bp, int start) {
        int full = nc / NR * NR, kFull = kc / 8 * 8;
        long rowBytes = (long) ldb * Float.BYTES;
        for (int jr = 0; jr < full; jr += NR) {
            int dst = start + jr * kc;
            for (int h = 0; h < NR; h += 8) {
                long src = ((long) (j0 + jr + h) * ldb + p0) * Float.BYTES;
                for (int k = 0; k < kFull; k += 8) {
                    transpose8(b, src + (long) k * Float.BYTES, rowBytes, bp, dst + k * NR + h);
                }
                for (int k = kFull; k < kc; k++) {
                    for (int j = 0; j < 8; j++) {
                        bp[dst + k * NR + h + j] = b.get(F, src + j * rowBytes + (long) k * Float.BYTES);
                    }
                }
            }
        }
        if (full < nc) {
            Packing.packPanelsB(b, ldb, true, p0, j0 + full, kc, nc - full, NR, bp, start + full * kc);
        }
    }

    /**
     * Eight rows of 8 floats (at {@code src}, {@code rowBytes} apart) transposed: column k lands as
     * eight consecutive floats at {@code bp[dst + k·NR]}. Written out, no loop over rows: every
     * vector stays in a register.
     */
    private static void transpose8(MemorySegment b, long src, long rowBytes, float[] bp, int dst) {
        FloatVector r0 = FloatVector.fromMemorySegment(S, b, src, NATIVE);
        FloatVector r1 = FloatVector.fromMemorySegment(S, b, src + rowBytes, NATIVE);
        FloatVector r2 = FloatVector.fromMemorySegment(S, b, src + 2 * rowBytes, NATIVE);
        FloatVector r3 = FloatVector.fromMemorySegment(S, b, src + 3 * rowBytes, NATIVE);
        FloatVector r4 = FloatVector.fromMemorySegment(S, b, src + 4 * rowBytes, NATIVE);
        FloatVector r5 = FloatVector.fromMemorySegment(S, b, src + 5 * rowBytes, NATIVE);
        FloatVector r6 = FloatVector.fromMemorySegment(S, b, src + 6 * rowBytes, NATIVE);
        FloatVector r7 = FloatVector.fromMemorySegment(S, b, src + 7 * rowBytes, NATIVE);
        // Pairs of rows: (row, row+1) at k = 0–3 (l) and 4–7 (h).
        FloatVector t01l = r0.rearrange(LO32).blend(r1.rearrange(LO32), ODD32);
        FloatVector t01h = r0.rearrange(HI32).blend(r1.rearrange(HI32), ODD32);
        FloatVector t23l = r2.rearrange(LO32).blend(r3.rearrange(LO32), ODD32);
        FloatVector t23h = r2.rearrange(HI32).blend(r3.rearrange(HI32), ODD32);
        FloatVector t45l = r4.rearrange(LO32).blend(r5.rearrange(LO32), ODD32);
        FloatVector t45h = r4.rearrange(HI32).blend(r5.rearrange(HI32), ODD32);
        FloatVector t67l = r6.rearrange(LO32).blend(r7.rearrange(LO32), ODD32);
        FloatVector t67h = r6.rearrange(HI32).blend(r7.rearrange(HI32), ODD32);
        // Four rows, two k: rows 0–3 and 4–7 at k = 0–1 (a), 2–3 (b), 4–5 (c), 6–7 (d).
        FloatVector u03a = t01l.rearrange(LO64).blend(t23l.rearrange(LO64), ODD64);
        FloatVector u03b = t01l.rearrange(HI64).blend(t23l.rearrange(HI64), ODD64);
        FloatVector u03c = t01h.rearrange(LO64).blend(t23h.rearrange(LO64), ODD64);
        FloatVector u03d = t01h.rearrange(HI64).blend(t23h.rearrange(HI64), ODD64);
        FloatVector u47a = t45l.rearrange(LO64).blend(t67l.rearrange(LO64), ODD64);
        FloatVector u47b = t45l.rearrange(HI64).blend(t67l.rearrange(HI64), ODD64);
        FloatVector u47c = t45h.rearrange(LO64).blend(t67h.rearrange(LO64), ODD64);
        FloatVector u47d = t45h.rearrange(HI64).blend(t67h.rearrange(HI64), ODD64);
        // Eight rows at one k.
        u03a.rearrange(LO128).blend(u47a.rearrange(LO128), ODD128).intoArray(bp, dst);
        u03a.rearrange(HI128).blend(u47a.rearrange(HI128), ODD128).intoArray(bp, dst + NR);
        u03b.rearrange(LO128).blend(u47b.rearrange(LO128), ODD128).intoArray(bp, dst + 2 * NR);
        u03b.rearrange(HI128).blend(u47b.rearrange(HI128), ODD128).intoArray(bp, dst + 3 * NR);
        u03c.rearrange(LO128).blend(u47c.rearrange(LO128), ODD128).intoArray(bp, dst + 4 * NR);
        u03c.rearrange(HI128).blend(u47c.rearrange(HI128), ODD128).intoArray(bp, dst + 5 * NR);
        u03d.rearrange(LO128).blend(u47d.rearrange(LO128), ODD128).intoArray(bp, dst + 6 * NR);
        u03d.rearrange(HI128).blend(u47d.rearrange(HI128), ODD128).intoArray(bp, dst + 7 * NR);
    }

    /**
     * Merges the top-left {@code rows × cols} of an accumulated tile (row stride NR) into C through
     * {@link TileStore256}. The accumulators come through the tile array rather than as arguments: a
     * vector argument of a method C2 does not inline is boxed on the heap.
     */
    static void store(float[] tile, MemorySegment c, int ldc, int row0, int col0, int rows, int cols,
                      float alpha, float beta, TileEpilogue ep) {
        if (cols == NR && TileEpilogue.servedWholeTile(ep)) {
            TileStore256.mergeTile(tile, c, ldc, row0, col0, rows, alpha, beta, ep);
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j += 8) {
                TileStore256.store(tile, r * NR + j, c, ldc, row0 + r, col0 + j, cols - j, alpha, beta, ep);
            }
        }
    }
}
