package dev.lanes.kernel.simd;

import dev.lanes.kernel.vector.VectorMath;

import static dev.lanes.kernel.simd.Vec.L;
import static dev.lanes.kernel.simd.Vec.NATIVE;
import static dev.lanes.kernel.simd.Vec.S;
import static dev.lanes.kernel.simd.Vec.row;
import static jdk.incubator.vector.FloatVector.fromMemorySegment;

import dev.lanes.kernel.FusedShapes;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Reductions on float vectors.
 *
 * <p>Error of {@link #sumOfSquares} and {@link #sumOfAbs}: four vector accumulators (independent
 * add chains, so the loop runs at load throughput rather than add latency) each add
 * {@link #CHUNK_VECTORS}/4 = 16 terms per lane, the chunk's 4·L lane sums are reduced in float and
 * the chunk sums added in double. Every term is non-negative, so the relative error is below
 * (16 + 2 + log₂ L)·2⁻²⁴ ≈ 1.3e-6 of the true sum for any length; the loop backend, all in double,
 * is exact to ~1e-16.
 */
final class SimdReductions {
    static final int CHUNK_VECTORS = 64;

    private SimdReductions() {}

    /**
     * Column sums down blocks of four vectors of columns (four independent add chains), then single
     * vectors, then a masked tail. Each lane adds m floats in order: relative error at most
     * (m − 1)·2⁻²⁴ of Σ|x|, typically √m ulp (m = batch size, so ~1e-6 for m = 256).
     */
    static void columnSums(Matrix x, float scale, Matrix out) {
        FusedShapes.row("columnSums", "out", out, x.cols());
        MemorySegment xs = x.segment(), os = out.segment();
        int m = x.rows(), n = x.cols();
        int j = 0;
        for (; j + 4 * L <= n; j += 4 * L) {
            long c = (long) j * Float.BYTES;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int r = 0; r < m; r++) {
                long b = row(x, r) + c;
                a0 = a0.add(fromMemorySegment(S, xs, b, NATIVE));
                a1 = a1.add(fromMemorySegment(S, xs, b + 4L * L, NATIVE));
                a2 = a2.add(fromMemorySegment(S, xs, b + 8L * L, NATIVE));
                a3 = a3.add(fromMemorySegment(S, xs, b + 12L * L, NATIVE));
            }
            a0.mul(scale).intoMemorySegment(os, c, NATIVE);
            a1.mul(scale).intoMemorySegment(os, c + 4L * L, NATIVE);
            a2.mul(scale).intoMemorySegment(os, c + 8L * L, NATIVE);
            a3.mul(scale).intoMemorySegment(os, c + 12L * L, NATIVE);
        }
        for (; j < n; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, n);
            long c = (long) j * Float.BYTES;
            FloatVector a = FloatVector.zero(S);
            for (int r = 0; r < m; r++) {
                a = a.add(fromMemorySegment(S, xs, row(x, r) + c, NATIVE, mask));
            }
            a.mul(scale).intoMemorySegment(os, c, NATIVE, mask);
        }
    }

    /**
     * Per row: the vector maximum, then the first lane equal to it. A row holding NaN (the vector
     * maximum is then NaN) takes the scalar path so the result is the loop backend's exactly:
     * NaN is never chosen unless it is element 0.
     */
    static void argmaxRows(Matrix x, int[] out) {
        FusedShapes.argmaxOut(x, out);
        MemorySegment xs = x.segment();
        int n = x.cols();
        for (int r = 0; r < x.rows(); r++) {
            long xo = row(x, r);
            float max = SimdActivations.rowMax(xs, xo, n);
            out[r] = max == max ? firstIndexOf(xs, xo, n, max) : scalarArgmax(xs, xo, n);
        }
    }

    private static int firstIndexOf(MemorySegment xs, long xo, int n, float value) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = fromMemorySegment(S, xs, xo + (long) i * Float.BYTES, NATIVE);
            VectorMask<Float> hit = v.compare(VectorOperators.EQ, value);
            if (hit.anyTrue()) return i + hit.firstTrue();
        }
        VectorMask<Float> tail = S.indexInRange(i, n);
        FloatVector v = fromMemorySegment(S, xs, xo + (long) i * Float.BYTES, NATIVE, tail);
        VectorMask<Float> hit = v.compare(VectorOperators.EQ, value).and(tail);
        return i + hit.firstTrue();
    }

    private static int scalarArgmax(MemorySegment xs, long xo, int n) {
        int best = 0;
        float bestValue = xs.getAtIndex(Vec.FLOAT, xo / Float.BYTES);
        for (int c = 1; c < n; c++) {
            float v = xs.getAtIndex(Vec.FLOAT, xo / Float.BYTES + c);
            if (v > bestValue) {
                bestValue = v;
                best = c;
            }
        }
        return best;
    }

    static double sumOfSquares(Matrix x) {
        return sum(x, true);
    }

    static double sumOfAbs(Matrix x) {
        return sum(x, false);
    }

    private static double sum(Matrix x, boolean squares) {
        MemorySegment xs = x.segment();
        int n = Vec.run(x);
        if (n >= 0) {
            return squares ? sumOfSquares(xs, 0, n) : sumOfAbs(xs, 0, n);
        }
        double total = 0;
        for (int r = 0; r < x.rows(); r++) {
            total += squares ? sumOfSquares(xs, row(x, r), x.cols()) : sumOfAbs(xs, row(x, r), x.cols());
        }
        return total;
    }

    private static double sumOfSquares(MemorySegment xs, long xo, int n) {
        double total = 0;
        int i = 0;
        int bound4 = n - n % (4 * L);
        while (i < bound4) {
            int chunkEnd = Math.min(bound4, i + CHUNK_VECTORS * L);
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (; i < chunkEnd; i += 4 * L) {
                long b = xo + (long) i * Float.BYTES;
                FloatVector v0 = fromMemorySegment(S, xs, b, NATIVE), v1 = fromMemorySegment(S, xs, b + 4L * L, NATIVE);
                FloatVector v2 = fromMemorySegment(S, xs, b + 8L * L, NATIVE);
                FloatVector v3 = fromMemorySegment(S, xs, b + 12L * L, NATIVE);
                a0 = v0.fma(v0, a0);
                a1 = v1.fma(v1, a1);
                a2 = v2.fma(v2, a2);
                a3 = v3.fma(v3, a3);
            }
            total += VectorMath.sum(a0.add(a1).add(a2.add(a3)));
        }
        FloatVector a = FloatVector.zero(S);
        for (; i < n; i += L) {
            FloatVector v = fromMemorySegment(S, xs, xo + (long) i * Float.BYTES, NATIVE, S.indexInRange(i, n));
            a = v.fma(v, a);
        }
        return total + VectorMath.sum(a);
    }

    private static double sumOfAbs(MemorySegment xs, long xo, int n) {
        double total = 0;
        int i = 0;
        int bound4 = n - n % (4 * L);
        while (i < bound4) {
            int chunkEnd = Math.min(bound4, i + CHUNK_VECTORS * L);
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (; i < chunkEnd; i += 4 * L) {
                long b = xo + (long) i * Float.BYTES;
                a0 = a0.add(fromMemorySegment(S, xs, b, NATIVE).abs());
                a1 = a1.add(fromMemorySegment(S, xs, b + 4L * L, NATIVE).abs());
                a2 = a2.add(fromMemorySegment(S, xs, b + 8L * L, NATIVE).abs());
                a3 = a3.add(fromMemorySegment(S, xs, b + 12L * L, NATIVE).abs());
            }
            total += VectorMath.sum(a0.add(a1).add(a2.add(a3)));
        }
        FloatVector a = FloatVector.zero(S);
        for (; i < n; i += L) {
            a = a.add(fromMemorySegment(S, xs, xo + (long) i * Float.BYTES, NATIVE, S.indexInRange(i, n)).abs());
        }
        return total + VectorMath.sum(a);
    }
}
