package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link NarrowKernel} for 512-bit vectors: 8 rows × up to 16 columns, two k at a time.
 *
 * <p>A kernel that broadcasts one element of A per FMA is bound by broadcasts, not FMAs: this core
 * issues about one a cycle, so a 10-wide product ran at 75–80 GFLOP/s. Here each vector lane pair
 * (2j, 2j+1) holds column j at k and k+1: a single 64-bit broadcast of A's two consecutive
 * elements (a plain load, {@code vbroadcastsd}) then feeds one FMA per 8 columns for both k. Up to
 * 8 columns that is one FMA per broadcast doing twice the work; up to 16, two FMAs per broadcast.
 * The pairs are added once per tile (two two-vector permutes and an add per row), which also means
 * even and odd k are summed separately: a different, equally accurate, rounding order.
 *
 * <p>Row-major A is read where it lies, a pair as one unaligned 64-bit load: copying the rows
 * first took a fifth of a 128×256·256×10 product (89 against 107 GFLOP/s read in place). Only
 * transposed A, and the odd-length last K block of row-major A, are packed, into a
 * {@code double[]} of such pairs.
 */
public final class NarrowKernel8x16 implements NarrowKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final VectorSpecies<Double> SD = DoubleVector.SPECIES_512;
    static final int MR = 8;
    static final int W = 16;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Two consecutive floats of a row of A, read as one 64-bit lane to broadcast. */
    private static final ValueLayout.OfDouble PAIR = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    /*
     * Two-vector lane selections, each written as both vectors permuted by one shuffle and blended
     * by a mask, as in MicroKernel8x32, where two-source selectFrom cost an index reload, conversion
     * and mask per permute: NN 128×128·128×10 ran 1.08–1.10× as fast this way, TN 1.05–1.12× (1 thread,
     * separate JVMs, medians of 6 pairs).
     */
    /** Lanes 2j and 2j+1 from x[j] and y[j] (j < 8 for LO, j ≥ 8 for HI): two k rows interleaved into pairs. */
    private static final VectorShuffle<Float> ZIP_LO = shuffle(j -> j / 2), ZIP_HI = shuffle(j -> 8 + j / 2);
    /** The odd lanes: those ZIP_LO and ZIP_HI take from y. */
    private static final VectorMask<Float> ZIP_Y = mask(j -> j % 2 == 1);
    /**
     * Even and odd lanes of two accumulators x‖y (x's in lanes 0–7, y's in 8–15): their sum is the
     * tile row, column j in lane j.
     */
    private static final VectorShuffle<Float> EVEN = shuffle(j -> 2 * j % W);
    private static final VectorShuffle<Float> ODD = shuffle(j -> (2 * j + 1) % W);
    /** The upper lanes: those EVEN and ODD take from y. */
    private static final VectorMask<Float> UPPER = mask(j -> j >= W / 2);

    private static VectorShuffle<Float> shuffle(java.util.function.IntUnaryOperator f) {
        int[] v = new int[W];
        for (int j = 0; j < W; j++) v[j] = f.applyAsInt(j);
        return VectorShuffle.fromArray(S, v, 0);
    }

    private static VectorMask<Float> mask(java.util.function.IntPredicate f) {
        boolean[] v = new boolean[W];
        for (int j = 0; j < W; j++) v[j] = f.test(j);
        return VectorMask.fromArray(S, v, 0);
    }

    @Override public int mr() { return MR; }

    @Override public int maxCols() { return W; }

    /** Its stores go through {@link TileStore512}, which folds max |C| when asked. */
    @Override public boolean foldsMaxAbs() { return true; }

    @Override public boolean foldsActivationGradient() { return true; }

    /** Vectors per k pair: columns 0–7 in the first, 8–15 in the second. */
    private static int vectors(int n) {
        return n <= W / 2 ? 1 : 2;
    }

    @Override
    public int packedBSize(int k, int n) {
        return (k + 1) / 2 * W * vectors(n);
    }

    /**
     * Pair q of op(B) is {@code vectors(n)} vectors at {@code bp[q·16·vectors(n)]}; lane 2j+t of
     * the v-th holds op(B)(2q+t, 8v+j), zero past column n and past row k.
     */
    @Override
    public void packB(MemorySegment b, int ldb, boolean trans, int k, int n, float[] bp) {
        int v = vectors(n);
        if (!trans) {
            // Rows 2q and 2q+1 of B, one full-width load each with the lanes past n cleared; the
            // last rows, whose vector would run past the segment, are read masked (a slow path:
            // masked loads from a segment cost about 20 cycles each).
            VectorMask<Float> m = S.indexInRange(0, n);
            long rowBytes = (long) ldb * Float.BYTES;
            long fast = b.byteSize() - S.vectorByteSize();
            FloatVector zero = FloatVector.zero(S);
            int p = 0, o = 0;
            for (; p + 1 < k && (p + 1) * rowBytes <= fast; p += 2, o += W * v) {
                FloatVector x = FloatVector.fromMemorySegment(S, b, p * rowBytes, NATIVE).blend(zero, m.not());
                FloatVector y = FloatVector.fromMemorySegment(S, b, (p + 1) * rowBytes, NATIVE).blend(zero, m.not());
                x.rearrange(ZIP_LO).blend(y.rearrange(ZIP_LO), ZIP_Y).intoArray(bp, o);
                if (v == 2) {
                    x.rearrange(ZIP_HI).blend(y.rearrange(ZIP_HI), ZIP_Y).intoArray(bp, o + W);
                }
            }
            for (; p < k; p += 2, o += W * v) {
                FloatVector x = FloatVector.fromMemorySegment(S, b, p * rowBytes, NATIVE, m);
                FloatVector y = p + 1 < k ? FloatVector.fromMemorySegment(S, b, (p + 1) * rowBytes, NATIVE, m) : zero;
                x.rearrange(ZIP_LO).blend(y.rearrange(ZIP_LO), ZIP_Y).intoArray(bp, o);
                if (v == 2) {
                    x.rearrange(ZIP_HI).blend(y.rearrange(ZIP_HI), ZIP_Y).intoArray(bp, o + W);
                }
            }
            return;
        }
        // op(B)(p, j) = B[j][p]: n rows of B read along p; a pair is already adjacent there.
        Arrays.fill(bp, 0, packedBSize(k, n), 0f);
        int pairStride = W * v;
        for (int j = 0; j < n; j++) {
            long src = (long) j * ldb;
            int dst = (j / 8) * W + (j % 8) * 2;
            int p = 0;
            for (; p + 1 < k; p += 2, dst += pairStride) {
                bp[dst] = b.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, src + p);
                bp[dst + 1] = b.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, src + p + 1);
            }
            if (p < k) {
                bp[dst] = b.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, src + p);
            }
        }
    }

    @Override
    public int packedASize(int kc) {
        return MR * ((kc + 1) / 2);
    }

    /** Transposed A is packed 16 rows at a time: one whole cache line of each row of the stored A. */
    @Override
    public int packRows(boolean trans) {
        return trans ? 2 * MR : MR;
    }

    /**
     * Panel s (rows 8s..8s+7) starts at {@code s·packedASize(kc)}. Not transposed (only for an
     * odd kc), its row r is {@code [r·pairs + q]}, the pair op(A)(r, 2q..2q+1), copied as it lies
     * with a zero after the last k. Transposed, the panel is k-major, {@code [q·8 + r]}: each pair
     * of rows of the stored A is read along a whole cache line (16 rows of op(A), two panels) and
     * interleaved by two permutes. Reading one panel's half line at a time instead, 8 rows down a
     * column of A, cost as much as the multiply.
     */
    @Override
    public void packA(MemorySegment a, int lda, boolean trans, int i, int k0, int rows, int kc,
                      double[] ap, MemorySegment apView) {
        if (trans) {
            packTransposedA(a, lda, i, k0, rows, kc, ap);
        } else {
            packRowMajorA(a, lda, i, k0, rows, kc, ap, apView);
        }
    }

    private void packRowMajorA(MemorySegment a, int lda, int i, int k0, int rows, int kc, double[] ap,
                               MemorySegment apView) {
        int pairs = (kc + 1) / 2, panel = packedASize(kc);
        long pairBytes = (long) pairs * Double.BYTES;
        for (int r = 0; r < rows; r++) {
            long dst = (long) (r / MR) * panel * Double.BYTES + (r % MR) * pairBytes;
            MemorySegment.copy(a, ((long) (i + r) * lda + k0) * Float.BYTES, apView, dst, (long) kc * Float.BYTES);
            if ((kc & 1) != 0) {
                apView.set(ValueLayout.JAVA_FLOAT_UNALIGNED, dst + (long) kc * Float.BYTES, 0f);
            }
        }
        int padded = (rows + MR - 1) / MR * MR;
        for (int r = rows; r < padded; r++) {
            int dst = (r / MR) * panel + (r % MR) * pairs;
            Arrays.fill(ap, dst, dst + pairs, 0.0);
        }
    }

    private void packTransposedA(MemorySegment a, int lda, int i, int k0, int rows, int kc, double[] ap) {
        int pairs = (kc + 1) / 2, panel = packedASize(kc);
        long rowBytes = (long) lda * Float.BYTES;
        long fast = a.byteSize() - S.vectorByteSize();
        int full = kc / 2;
        for (int s = 0; s < rows; s += 2 * MR) {
            int left = Math.min(2 * MR, rows - s);
            long col = (long) (i + s) * Float.BYTES;
            int lo = (s / MR) * panel, hi = lo + panel;
            boolean two = left > MR;
            // Unmasked loads while 16 floats lie inside the segment (masked segment loads take a
            // slow path); lanes past `left` then hold neighbouring columns, multiplied into rows
            // of the panel that are never stored. Each branch has its own loop: a vector merged
            // from two branches is boxed.
            if ((k0 + kc - 1L) * rowBytes + col <= fast) {
                for (int q = 0; q < full; q++) {
                    long off = (k0 + 2L * q) * rowBytes + col;
                    FloatVector x = FloatVector.fromMemorySegment(S, a, off, NATIVE);
                    FloatVector y = FloatVector.fromMemorySegment(S, a, off + rowBytes, NATIVE);
                    x.rearrange(ZIP_LO).blend(y.rearrange(ZIP_LO), ZIP_Y)
                            .reinterpretAsDoubles().intoArray(ap, lo + q * MR);
                    if (two) {
                        x.rearrange(ZIP_HI).blend(y.rearrange(ZIP_HI), ZIP_Y)
                                .reinterpretAsDoubles().intoArray(ap, hi + q * MR);
                    }
                }
            } else {
                VectorMask<Float> m = S.indexInRange(0, left);
                for (int q = 0; q < full; q++) {
                    long off = (k0 + 2L * q) * rowBytes + col;
                    FloatVector x = FloatVector.fromMemorySegment(S, a, off, NATIVE, m);
                    FloatVector y = FloatVector.fromMemorySegment(S, a, off + rowBytes, NATIVE, m);
                    x.rearrange(ZIP_LO).blend(y.rearrange(ZIP_LO), ZIP_Y)
                            .reinterpretAsDoubles().intoArray(ap, lo + q * MR);
                    if (two) {
                        x.rearrange(ZIP_HI).blend(y.rearrange(ZIP_HI), ZIP_Y)
                                .reinterpretAsDoubles().intoArray(ap, hi + q * MR);
                    }
                }
            }
            if (full < pairs) {
                VectorMask<Float> m = S.indexInRange(0, left);
                FloatVector x = FloatVector.fromMemorySegment(S, a, (k0 + kc - 1L) * rowBytes + col, NATIVE, m);
                FloatVector zero = FloatVector.zero(S);
                x.rearrange(ZIP_LO).blend(zero, ZIP_Y).reinterpretAsDoubles().intoArray(ap, lo + full * MR);
                if (two) {
                    x.rearrange(ZIP_HI).blend(zero, ZIP_Y).reinterpretAsDoubles().intoArray(ap, hi + full * MR);
                }
            }
        }
    }

    /** Not transposed, a K block of even length is read where it lies: no packing at all. */
    @Override
    public boolean readsAInPlace(boolean trans, int kc) {
        return !trans && (kc & 1) == 0;
    }

    /**
     * Two copies of each kernel, one reading A in place through its segment and one reading the
     * packed array: when one method's loads saw both (native A and a heap view of the packed array,
     * as a training step does), C2's code for them was 10–15 % slower on both.
     */
    @Override
    public void run(int kc, MemorySegment a, int lda, boolean aTrans, double[] ap, int aOff, float[] bp, int k0,
                    int n, MemorySegment c, int ldc, int row0, int rows, float alpha, float beta, TileEpilogue ep,
                    float[] tile) {
        int pairs = (kc + 1) / 2;
        int v = vectors(n);
        int bOff = k0 / 2 * W * v;
        if (readsAInPlace(aTrans, kc)) {
            long rowBytes = (long) lda * Float.BYTES, base = (long) row0 * rowBytes + (long) k0 * Float.BYTES;
            if (v == 1) {
                runOneVectorInPlace(pairs, a, base, rowBytes, rows, bp, bOff, tile);
            } else {
                runTwoVectorsInPlace(pairs, a, base, rowBytes, rows, bp, bOff, tile);
            }
        } else {
            // Element (r, q) of the packed panel is ap[aOff + r·rowStride + q·pairStride].
            int rowStride = aTrans ? 1 : pairs, pairStride = aTrans ? MR : 1;
            if (v == 1) {
                runOneVector(pairs, ap, aOff, rowStride, pairStride, bp, bOff, tile);
            } else {
                runTwoVectors(pairs, ap, aOff, rowStride, pairStride, bp, bOff, tile);
            }
        }
        for (int r = 0; r < rows; r++) {
            TileStore512.store(tile, r * W, c, ldc, row0 + r, 0, n, alpha, beta, ep);
        }
    }

    /**
     * Rows past {@code rows} re-read row 0 (in place there is nothing below the last row to read);
     * their sums are never stored.
     */
    private static long row(long base, long rowBytes, int r, int rows) {
        return base + (r < rows ? r : 0) * rowBytes;
    }

    private static void runTwoVectorsInPlace(int pairs, MemorySegment as, long base, long rowBytes, int rows,
                                             float[] bp, int b, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        long a0 = row(base, rowBytes, 0, rows), a1 = row(base, rowBytes, 1, rows), a2 = row(base, rowBytes, 2, rows);
        long a3 = row(base, rowBytes, 3, rows), a4 = row(base, rowBytes, 4, rows), a5 = row(base, rowBytes, 5, rows);
        long a6 = row(base, rowBytes, 6, rows), a7 = row(base, rowBytes, 7, rows);
        for (int q = 0; q < pairs; q++, b += 2 * W) {
            long o = (long) q * Double.BYTES;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + W);
            FloatVector x = DoubleVector.broadcast(SD, as.get(PAIR, a0 + o)).reinterpretAsFloats();
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = DoubleVector.broadcast(SD, as.get(PAIR, a1 + o)).reinterpretAsFloats();
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = DoubleVector.broadcast(SD, as.get(PAIR, a2 + o)).reinterpretAsFloats();
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = DoubleVector.broadcast(SD, as.get(PAIR, a3 + o)).reinterpretAsFloats();
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = DoubleVector.broadcast(SD, as.get(PAIR, a4 + o)).reinterpretAsFloats();
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = DoubleVector.broadcast(SD, as.get(PAIR, a5 + o)).reinterpretAsFloats();
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = DoubleVector.broadcast(SD, as.get(PAIR, a6 + o)).reinterpretAsFloats();
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = DoubleVector.broadcast(SD, as.get(PAIR, a7 + o)).reinterpretAsFloats();
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        c00.rearrange(EVEN).blend(c01.rearrange(EVEN), UPPER)
                .add(c00.rearrange(ODD).blend(c01.rearrange(ODD), UPPER)).intoArray(tile, 0);
        c10.rearrange(EVEN).blend(c11.rearrange(EVEN), UPPER)
                .add(c10.rearrange(ODD).blend(c11.rearrange(ODD), UPPER)).intoArray(tile, W);
        c20.rearrange(EVEN).blend(c21.rearrange(EVEN), UPPER)
                .add(c20.rearrange(ODD).blend(c21.rearrange(ODD), UPPER)).intoArray(tile, 2 * W);
        c30.rearrange(EVEN).blend(c31.rearrange(EVEN), UPPER)
                .add(c30.rearrange(ODD).blend(c31.rearrange(ODD), UPPER)).intoArray(tile, 3 * W);
        c40.rearrange(EVEN).blend(c41.rearrange(EVEN), UPPER)
                .add(c40.rearrange(ODD).blend(c41.rearrange(ODD), UPPER)).intoArray(tile, 4 * W);
        c50.rearrange(EVEN).blend(c51.rearrange(EVEN), UPPER)
                .add(c50.rearrange(ODD).blend(c51.rearrange(ODD), UPPER)).intoArray(tile, 5 * W);
        c60.rearrange(EVEN).blend(c61.rearrange(EVEN), UPPER)
                .add(c60.rearrange(ODD).blend(c61.rearrange(ODD), UPPER)).intoArray(tile, 6 * W);
        c70.rearrange(EVEN).blend(c71.rearrange(EVEN), UPPER)
                .add(c70.rearrange(ODD).blend(c71.rearrange(ODD), UPPER)).intoArray(tile, 7 * W);
    }

    /** Up to 8 columns: one vector per pair; lanes 8–15 of each tile row come out as don't-cares. */
    private static void runOneVectorInPlace(int pairs, MemorySegment as, long base, long rowBytes, int rows,
                                            float[] bp, int b, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        long a0 = row(base, rowBytes, 0, rows), a1 = row(base, rowBytes, 1, rows), a2 = row(base, rowBytes, 2, rows);
        long a3 = row(base, rowBytes, 3, rows), a4 = row(base, rowBytes, 4, rows), a5 = row(base, rowBytes, 5, rows);
        long a6 = row(base, rowBytes, 6, rows), a7 = row(base, rowBytes, 7, rows);
        for (int q = 0; q < pairs; q++, b += W) {
            long o = (long) q * Double.BYTES;
            FloatVector bv = FloatVector.fromArray(S, bp, b);
            c0 = DoubleVector.broadcast(SD, as.get(PAIR, a0 + o)).reinterpretAsFloats().fma(bv, c0);
            c1 = DoubleVector.broadcast(SD, as.get(PAIR, a1 + o)).reinterpretAsFloats().fma(bv, c1);
            c2 = DoubleVector.broadcast(SD, as.get(PAIR, a2 + o)).reinterpretAsFloats().fma(bv, c2);
            c3 = DoubleVector.broadcast(SD, as.get(PAIR, a3 + o)).reinterpretAsFloats().fma(bv, c3);
            c4 = DoubleVector.broadcast(SD, as.get(PAIR, a4 + o)).reinterpretAsFloats().fma(bv, c4);
            c5 = DoubleVector.broadcast(SD, as.get(PAIR, a5 + o)).reinterpretAsFloats().fma(bv, c5);
            c6 = DoubleVector.broadcast(SD, as.get(PAIR, a6 + o)).reinterpretAsFloats().fma(bv, c6);
            c7 = DoubleVector.broadcast(SD, as.get(PAIR, a7 + o)).reinterpretAsFloats().fma(bv, c7);
        }
        c0.rearrange(EVEN).blend(c0.rearrange(EVEN), UPPER)
                .add(c0.rearrange(ODD).blend(c0.rearrange(ODD), UPPER)).intoArray(tile, 0);
        c1.rearrange(EVEN).blend(c1.rearrange(EVEN), UPPER)
                .add(c1.rearrange(ODD).blend(c1.rearrange(ODD), UPPER)).intoArray(tile, W);
        c2.rearrange(EVEN).blend(c2.rearrange(EVEN), UPPER)
                .add(c2.rearrange(ODD).blend(c2.rearrange(ODD), UPPER)).intoArray(tile, 2 * W);
        c3.rearrange(EVEN).blend(c3.rearrange(EVEN), UPPER)
                .add(c3.rearrange(ODD).blend(c3.rearrange(ODD), UPPER)).intoArray(tile, 3 * W);
        c4.rearrange(EVEN).blend(c4.rearrange(EVEN), UPPER)
                .add(c4.rearrange(ODD).blend(c4.rearrange(ODD), UPPER)).intoArray(tile, 4 * W);
        c5.rearrange(EVEN).blend(c5.rearrange(EVEN), UPPER)
                .add(c5.rearrange(ODD).blend(c5.rearrange(ODD), UPPER)).intoArray(tile, 5 * W);
        c6.rearrange(EVEN).blend(c6.rearrange(EVEN), UPPER)
                .add(c6.rearrange(ODD).blend(c6.rearrange(ODD), UPPER)).intoArray(tile, 6 * W);
        c7.rearrange(EVEN).blend(c7.rearrange(EVEN), UPPER)
                .add(c7.rearrange(ODD).blend(c7.rearrange(ODD), UPPER)).intoArray(tile, 7 * W);
    }

    /** {@link #runTwoVectorsInPlace} over the packed array: element (r, q) is ap[a0 + r·rs + q·ps]. */
    private static void runTwoVectors(int pairs, double[] ap, int a0, int rs, int ps, float[] bp, int b, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        int o1 = rs, o2 = 2 * rs, o3 = 3 * rs, o4 = 4 * rs, o5 = 5 * rs, o6 = 6 * rs, o7 = 7 * rs;
        int end = a0 + pairs * ps;
        for (int a = a0; a < end; a += ps, b += 2 * W) {
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + W);
            FloatVector x = DoubleVector.broadcast(SD, ap[a]).reinterpretAsFloats();
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = DoubleVector.broadcast(SD, ap[a + o1]).reinterpretAsFloats();
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = DoubleVector.broadcast(SD, ap[a + o2]).reinterpretAsFloats();
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = DoubleVector.broadcast(SD, ap[a + o3]).reinterpretAsFloats();
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = DoubleVector.broadcast(SD, ap[a + o4]).reinterpretAsFloats();
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = DoubleVector.broadcast(SD, ap[a + o5]).reinterpretAsFloats();
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = DoubleVector.broadcast(SD, ap[a + o6]).reinterpretAsFloats();
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = DoubleVector.broadcast(SD, ap[a + o7]).reinterpretAsFloats();
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        c00.rearrange(EVEN).blend(c01.rearrange(EVEN), UPPER)
                .add(c00.rearrange(ODD).blend(c01.rearrange(ODD), UPPER)).intoArray(tile, 0);
        c10.rearrange(EVEN).blend(c11.rearrange(EVEN), UPPER)
                .add(c10.rearrange(ODD).blend(c11.rearrange(ODD), UPPER)).intoArray(tile, W);
        c20.rearrange(EVEN).blend(c21.rearrange(EVEN), UPPER)
                .add(c20.rearrange(ODD).blend(c21.rearrange(ODD), UPPER)).intoArray(tile, 2 * W);
        c30.rearrange(EVEN).blend(c31.rearrange(EVEN), UPPER)
                .add(c30.rearrange(ODD).blend(c31.rearrange(ODD), UPPER)).intoArray(tile, 3 * W);
        c40.rearrange(EVEN).blend(c41.rearrange(EVEN), UPPER)
                .add(c40.rearrange(ODD).blend(c41.rearrange(ODD), UPPER)).intoArray(tile, 4 * W);
        c50.rearrange(EVEN).blend(c51.rearrange(EVEN), UPPER)
                .add(c50.rearrange(ODD).blend(c51.rearrange(ODD), UPPER)).intoArray(tile, 5 * W);
        c60.rearrange(EVEN).blend(c61.rearrange(EVEN), UPPER)
                .add(c60.rearrange(ODD).blend(c61.rearrange(ODD), UPPER)).intoArray(tile, 6 * W);
        c70.rearrange(EVEN).blend(c71.rearrange(EVEN), UPPER)
                .add(c70.rearrange(ODD).blend(c71.rearrange(ODD), UPPER)).intoArray(tile, 7 * W);
    }

    /** {@link #runOneVectorInPlace} over the packed array. */
    private static void runOneVector(int pairs, double[] ap, int a0, int rs, int ps, float[] bp, int b, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        int o1 = rs, o2 = 2 * rs, o3 = 3 * rs, o4 = 4 * rs, o5 = 5 * rs, o6 = 6 * rs, o7 = 7 * rs;
        int end = a0 + pairs * ps;
        for (int a = a0; a < end; a += ps, b += W) {
            FloatVector bv = FloatVector.fromArray(S, bp, b);
            c0 = DoubleVector.broadcast(SD, ap[a]).reinterpretAsFloats().fma(bv, c0);
            c1 = DoubleVector.broadcast(SD, ap[a + o1]).reinterpretAsFloats().fma(bv, c1);
            c2 = DoubleVector.broadcast(SD, ap[a + o2]).reinterpretAsFloats().fma(bv, c2);
            c3 = DoubleVector.broadcast(SD, ap[a + o3]).reinterpretAsFloats().fma(bv, c3);
            c4 = DoubleVector.broadcast(SD, ap[a + o4]).reinterpretAsFloats().fma(bv, c4);
            c5 = DoubleVector.broadcast(SD, ap[a + o5]).reinterpretAsFloats().fma(bv, c5);
            c6 = DoubleVector.broadcast(SD, ap[a + o6]).reinterpretAsFloats().fma(bv, c6);
            c7 = DoubleVector.broadcast(SD, ap[a + o7]).reinterpretAsFloats().fma(bv, c7);
        }
        c0.rearrange(EVEN).blend(c0.rearrange(EVEN), UPPER)
                .add(c0.rearrange(ODD).blend(c0.rearrange(ODD), UPPER)).intoArray(tile, 0);
        c1.rearrange(EVEN).blend(c1.rearrange(EVEN), UPPER)
                .add(c1.rearrange(ODD).blend(c1.rearrange(ODD), UPPER)).intoArray(tile, W);
        c2.rearrange(EVEN).blend(c2.rearrange(EVEN), UPPER)
                .add(c2.rearrange(ODD).blend(c2.rearrange(ODD), UPPER)).intoArray(tile, 2 * W);
        c3.rearrange(EVEN).blend(c3.rearrange(EVEN), UPPER)
                .add(c3.rearrange(ODD).blend(c3.rearrange(ODD), UPPER)).intoArray(tile, 3 * W);
        c4.rearrange(EVEN).blend(c4.rearrange(EVEN), UPPER)
                .add(c4.rearrange(ODD).blend(c4.rearrange(ODD), UPPER)).intoArray(tile, 4 * W);
        c5.rearrange(EVEN).blend(c5.rearrange(EVEN), UPPER)
                .add(c5.rearrange(ODD).blend(c5.rearrange(ODD), UPPER)).intoArray(tile, 5 * W);
        c6.rearrange(EVEN).blend(c6.rearrange(EVEN), UPPER)
                .add(c6.rearrange(ODD).blend(c6.rearrange(ODD), UPPER)).intoArray(tile, 6 * W);
        c7.rearrange(EVEN).blend(c7.rearrange(EVEN), UPPER)
                .add(c7.rearrange(ODD).blend(c7.rearrange(ODD), UPPER)).intoArray(tile, 7 * W);
    }
}
