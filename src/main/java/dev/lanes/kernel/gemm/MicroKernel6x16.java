package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 6×16 micro-kernel for 256-bit vectors (8 float lanes, AVX2): twelve accumulators, two B vectors
 * and one broadcast, the classic Haswell-class register tile.
 *
 * <p>As C2 (JDK 25) compiles the loop, it loads all six broadcasts before the FMAs, so 20 vectors
 * are live and three accumulators round-trip through the stack every k (read from the compiled
 * code's bytes with {@code -XX:CompileCommand=print} and objdump). Tiles that fit in 16 registers
 * however C2 orders them were still slower inside the GEMM driver on a Zen 3 core, alternating
 * in-process with this one (medians over the training step's products and 512³): 4×16 ran
 * 0.73–1.00× as fast, 3×24 0.67–0.85×, 2×48 0.45–0.80×, each with vector packing.
 */
public final class MicroKernel6x16 implements MicroKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int MR = 6;
    static final int NR = 16;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Override public int mr() { return MR; }

    @Override public int nr() { return NR; }

    /** Scratch for {@link #packA}'s in-cache transpose, one per thread. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[MR * 8]);

    /**
     * Vector packing: the portable scalar loops cost 2–3 ns an element through bounds-checked segment
     * reads, which on a Zen 3 core was a quarter of backprop's dW = Xᵀ·dZ (the Xᵀ pack of a
     * 128×784 batch took 230–290 µs) and 7–10 % of the forward product.
     * <ul>
     *   <li>Aᵀ: each k of a micro-panel is six consecutive floats of one row of A, copied as one
     *       8-float vector whose last two lanes the next k overwrites. The two extra floats read
     *       lie in the row of the next k; the last k of a panel, after which neither need be there,
     *       is copied a float at a time (a masked vector load may lose its intrinsic and allocate).</li>
     *   <li>A: six rows, eight k at a time, land in a scratch tile as vectors and are read out
     *       transposed: array moves, not segment reads.</li>
     * </ul>
     * Edge panels (fewer than six rows), a short last run of k and panels of fewer than 16 k take
     * the portable code.
     */
    @Override
    public void packA(MemorySegment a, int lda, boolean trans, int i0, int p0, int mc, int kc, float[] ap) {
        int full = mc / MR * MR;
        if (trans) {
            for (int ir = 0; ir < full; ir += MR) {
                int d = ir * kc;
                long src = ((long) p0 * lda + i0 + ir) * Float.BYTES, step = (long) lda * Float.BYTES;
                for (int k = 0; k + 1 < kc; k++, d += MR, src += step) {
                    FloatVector.fromMemorySegment(S, a, src, NATIVE).intoArray(ap, d);
                }
                for (int i = 0; i < MR; i++) { // the last k
                    ap[d + i] = a.get(F, src + (long) i * Float.BYTES);
                }
            }
        } else if (kc < 16) {
            // A few k per panel (the 10-wide layers' NT product): the scratch round trip costs more.
            Packing.packPanelsA(a, lda, false, i0, p0, full, kc, MR, ap, 0);
        } else {
            float[] t = SCRATCH.get();
            int kFull = kc / 8 * 8;
            long rowBytes = (long) lda * Float.BYTES;
            for (int ir = 0; ir < full; ir += MR) {
                int d = ir * kc;
                long src = ((long) (i0 + ir) * lda + p0) * Float.BYTES;
                for (int k = 0; k < kFull; k += 8, src += 32) {
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
                if (kFull < kc) {
                    Packing.packPanelsA(a, lda, false, i0 + ir, p0 + kFull, MR, kc - kFull, MR, ap, d);
                }
            }
        }
        if (full < mc) {
            Packing.packPanelsA(a, lda, trans, i0 + full, p0, mc - full, kc, MR, ap, full * kc);
        }
    }

    /**
     * B: two vector copies a k (a {@code MemorySegment.copy} call per 16 floats cost as much again
     * as the copy). Bᵀ keeps the portable code: a transpose through the scratch tile was 8–15 %
     * slower on the NT products of backprop.
     */
    @Override
    public void packB(MemorySegment b, int ldb, boolean trans, int p0, int j0, int kc, int nc, float[] bp, int start) {
        if (trans) {
            Packing.packPanelsB(b, ldb, true, p0, j0, kc, nc, NR, bp, start);
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
        // Through the tile array rather than passing accumulators to a helper: a vector argument of a
        // method C2 does not inline is boxed on the heap.
        if (cols == NR && ep == null) {
            mergeTile(tile, c, ldc, row0, col0, rows, alpha, beta);
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j += 8) {
                storeEdge(tile, r * NR + j, c, ldc, row0 + r, col0 + j, cols - j, alpha, beta, ep);
            }
        }
    }

    private static void mergeTile(float[] tile, MemorySegment c, int ldc, int row0, int col0, int rows,
                                  float alpha, float beta) {
        for (int r = 0; r < rows; r++) {
            long off = ((long) (row0 + r) * ldc + col0) * Float.BYTES;
            FloatVector z0 = FloatVector.fromArray(S, tile, r * NR).mul(alpha);
            FloatVector z1 = FloatVector.fromArray(S, tile, r * NR + 8).mul(alpha);
            if (beta != 0f) {
                z0 = FloatVector.fromMemorySegment(S, c, off, NATIVE).fma(FloatVector.broadcast(S, beta), z0);
                z1 = FloatVector.fromMemorySegment(S, c, off + 32, NATIVE).fma(FloatVector.broadcast(S, beta), z1);
            }
            z0.intoMemorySegment(c, off, NATIVE);
            z1.intoMemorySegment(c, off + 32, NATIVE);
        }
    }

    /** One vector (up to 8 columns, masked at the right edge) of a tile row, with the epilogue. */
    private static void storeEdge(float[] tile, int t, MemorySegment c, int ldc, int row, int col, int left,
                                  float alpha, float beta, TileEpilogue ep) {
        VectorMask<Float> m = S.indexInRange(0, left);
        long off = ((long) row * ldc + col) * Float.BYTES;
        FloatVector z = FloatVector.fromArray(S, tile, t).mul(alpha);
        if (beta != 0f) {
            z = FloatVector.fromMemorySegment(S, c, off, NATIVE, m).fma(FloatVector.broadcast(S, beta), z);
        }
        if (ep != null) {
            if (ep.bias != null) {
                z = z.add(FloatVector.fromMemorySegment(S, ep.bias, (long) col * Float.BYTES, NATIVE, m));
            }
            if (ep.pre != null) {
                z.intoMemorySegment(ep.pre, ((long) row * ep.ldp + col) * Float.BYTES, NATIVE, m);
            }
            switch (ep.activation) {
                case IDENTITY -> { }
                case RELU -> z = FloatVector.zero(S).blend(z, z.compare(VectorOperators.GT, 0f));
                case LEAKY_RELU -> z = z.blend(z.mul(ep.leak), z.compare(VectorOperators.LT, 0f));
                case SIGMOID, TANH -> {
                    // One lane at a time through the loop backend's function. The JDK's lanewise
                    // EXP/TANH gave results 1 ulp apart depending on whether the JIT had compiled the
                    // caller yet (its intrinsic against its per-lane fallback), so 1 and 3 threads
                    // could differ; and VectorMath works on the preferred species, not on this one.
                    // Only direct callers of the driver get here: SimdKernels applies sigmoid and
                    // tanh after the product.
                    z.intoMemorySegment(c, off, NATIVE, m);
                    for (int j = 0; j < left && j < S.length(); j++) {
                        long at = off + (long) j * Float.BYTES;
                        c.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at,
                                ep.activation.apply(c.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at), ep.leak));
                    }
                    return;
                }
            }
        }
        z.intoMemorySegment(c, off, NATIVE, m);
    }
}
