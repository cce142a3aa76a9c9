package dev.lanes.kernel.simd;

import static dev.lanes.kernel.simd.Vec.L;
import static dev.lanes.kernel.simd.Vec.NATIVE;
import static dev.lanes.kernel.simd.Vec.S;
import static dev.lanes.kernel.simd.Vec.row;
import static jdk.incubator.vector.FloatVector.fromMemorySegment;

import dev.lanes.kernel.CounterRng;
import dev.lanes.kernel.FusedShapes;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise helpers and dropout: one full-vector loop and one masked tail per run (see
 * {@link Vec}). All are memory-bound; the only arithmetic worth noting is axpy's FMA (one rounding
 * instead of the loop's two) and dropout's vectorized {@link CounterRng}.
 */
final class SimdElementwise {
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    /** 0, 2, 4, …: the even element offsets of a pair of vectors, one per hash. */
    private static final IntVector IOTA2 = IntVector.zero(I).addIndex(2);

    private SimdElementwise() {}

    static void axpy(float alpha, Matrix x, Matrix y) {
        FusedShapes.same("axpy", "x", x, "y", y);
        MemorySegment xs = x.segment(), ys = y.segment();
        int n = Vec.run(x, y);
        if (n >= 0) {
            axpy(alpha, xs, 0, ys, 0, n);
        } else {
            for (int r = 0; r < x.rows(); r++) axpy(alpha, xs, row(x, r), ys, row(y, r), x.cols());
        }
    }

    private static void axpy(float alpha, MemorySegment xs, long xo, MemorySegment ys, long yo, int n) {
        FloatVector a = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            FloatVector y = fromMemorySegment(S, ys, yo + b, NATIVE);
            fromMemorySegment(S, xs, xo + b, NATIVE).fma(a, y).intoMemorySegment(ys, yo + b, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            FloatVector y = fromMemorySegment(S, ys, yo + b, NATIVE, m);
            fromMemorySegment(S, xs, xo + b, NATIVE, m).fma(a, y).intoMemorySegment(ys, yo + b, NATIVE, m);
        }
    }

    static void scale(float alpha, Matrix x) {
        MemorySegment xs = x.segment();
        int n = Vec.run(x);
        if (n >= 0) {
            scale(alpha, xs, 0, n);
        } else {
            for (int r = 0; r < x.rows(); r++) scale(alpha, xs, row(x, r), x.cols());
        }
    }

    private static void scale(float alpha, MemorySegment xs, long xo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            fromMemorySegment(S, xs, xo + b, NATIVE).mul(alpha).intoMemorySegment(xs, xo + b, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            fromMemorySegment(S, xs, xo + b, NATIVE, m).mul(alpha).intoMemorySegment(xs, xo + b, NATIVE, m);
        }
    }

    static void copy(Matrix x, Matrix y) {
        FusedShapes.same("copy", "x", x, "y", y);
        MemorySegment xs = x.segment(), ys = y.segment();
        int n = Vec.run(x, y);
        if (n >= 0) {
            copy(xs, 0, ys, 0, n);
        } else {
            for (int r = 0; r < x.rows(); r++) copy(xs, row(x, r), ys, row(y, r), x.cols());
        }
    }

    /** Copies through vector registers, like every other kernel here, so it is a fair bandwidth yardstick. */
    static void copy(MemorySegment xs, long xo, MemorySegment ys, long yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            fromMemorySegment(S, xs, xo + b, NATIVE).intoMemorySegment(ys, yo + b, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            fromMemorySegment(S, xs, xo + b, NATIVE, m).intoMemorySegment(ys, yo + b, NATIVE, m);
        }
    }

    static void fill(Matrix x, float value) {
        MemorySegment xs = x.segment();
        int n = Vec.run(x);
        if (n >= 0) {
            fill(xs, 0, n, value);
        } else {
            for (int r = 0; r < x.rows(); r++) fill(xs, row(x, r), x.cols(), value);
        }
    }

    private static void fill(MemorySegment xs, long xo, int n, float value) {
        FloatVector v = FloatVector.broadcast(S, value);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            v.intoMemorySegment(xs, xo + (long) i * Float.BYTES, NATIVE);
        }
        if (i < n) {
            v.intoMemorySegment(xs, xo + (long) i * Float.BYTES, NATIVE, S.indexInRange(i, n));
        }
    }

    static void multiply(Matrix a, Matrix b, Matrix out) {
        FusedShapes.same("multiply", "a", a, "b", b);
        FusedShapes.same("multiply", "a", a, "out", out);
        MemorySegment as = a.segment(), bs = b.segment(), os = out.segment();
        int n = Vec.run(a, b, out);
        if (n >= 0) {
            multiply(as, 0, bs, 0, os, 0, n);
        } else {
            for (int r = 0; r < a.rows(); r++) multiply(as, row(a, r), bs, row(b, r), os, row(out, r), a.cols());
        }
    }

    private static void multiply(MemorySegment as, long ao, MemorySegment bs, long bo, MemorySegment os, long oo,
                                 int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long k = (long) i * Float.BYTES;
            FloatVector b = fromMemorySegment(S, bs, bo + k, NATIVE);
            fromMemorySegment(S, as, ao + k, NATIVE).mul(b).intoMemorySegment(os, oo + k, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long k = (long) i * Float.BYTES;
            FloatVector b = fromMemorySegment(S, bs, bo + k, NATIVE, m);
            fromMemorySegment(S, as, ao + k, NATIVE, m).mul(b).intoMemorySegment(os, oo + k, NATIVE, m);
        }
    }

    static void clamp(Matrix x, float lo, float hi) {
        MemorySegment xs = x.segment();
        int n = Vec.run(x);
        if (n >= 0) {
            clamp(xs, 0, n, lo, hi);
        } else {
            for (int r = 0; r < x.rows(); r++) clamp(xs, row(x, r), x.cols(), lo, hi);
        }
    }

    private static void clamp(MemorySegment xs, long xo, int n, float lo, float hi) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            fromMemorySegment(S, xs, xo + b, NATIVE).max(lo).min(hi).intoMemorySegment(xs, xo + b, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            fromMemorySegment(S, xs, xo + b, NATIVE, m).max(lo).min(hi).intoMemorySegment(xs, xo + b, NATIVE, m);
        }
    }

    /**
     * Dropout with {@link CounterRng} evaluated lane-wise: the same 32-bit xor-shift/multiply steps
     * on the same counters, each hash's two 16-bit halves spread to its two elements and compared
     * with the same integer threshold, so the mask is bitwise the loop backend's.
     */
    static void dropoutForward(Matrix x, Matrix mask, Matrix out, float keep, long seed, long step) {
        FusedShapes.keepProbability(keep);
        FusedShapes.same("dropoutForward", "x", x, "mask", mask);
        FusedShapes.same("dropoutForward", "x", x, "out", out);
        long key = CounterRng.key(seed, step);
        int k0 = CounterRng.k0(key), k1 = CounterRng.k1(key);
        int threshold = CounterRng.threshold(keep);
        float kept = 1f / keep;
        MemorySegment xs = x.segment(), ms = mask.segment(), os = out.segment();
        int n = Vec.run(x, mask, out);
        if (n >= 0) {
            dropout(xs, 0, ms, 0, os, 0, n, 0, k0, k1, threshold, kept);
        } else {
            int cols = x.cols();
            for (int r = 0; r < x.rows(); r++) {
                dropout(xs, row(x, r), ms, row(mask, r), os, row(out, r), cols, r * cols, k0, k1, threshold, kept);
            }
        }
    }

    /**
     * One hash serves two vectors (2L elements), so a run must start on an even index: an odd
     * first element is done alone. Then whole pairs of vectors, then the tail. The hash is written
     * out in each loop, which is then only force-inlined Vector API calls, and only segments,
     * offsets and ints cross the calls here, so whatever C2 inlines, no vector is boxed. (With a
     * helper per hash round, called from a full-vector loop and again from a masked tail, C2 ran
     * past its inlining node budget on the row-by-row path and boxed every vector: 0.5 KB per
     * row.) The tail has a method of its own: with it as a second, masked version of the main loop
     * the method grew too big for C1, and on the row-by-row path never reached C2.
     */
    private static void dropout(MemorySegment xs, long xo, MemorySegment ms, long mo, MemorySegment os, long oo,
                                int n, int firstIndex, int k0, int k1, int threshold, float kept) {
        if ((firstIndex & 1) != 0) {
            float m = CounterRng.bits16(k0, k1, firstIndex) < threshold ? kept : 0f;
            ms.set(Vec.FLOAT, mo, m);
            os.set(Vec.FLOAT, oo, xs.get(Vec.FLOAT, xo) * m);
            if (--n == 0) return;
            xo += Float.BYTES;
            mo += Float.BYTES;
            oo += Float.BYTES;
            firstIndex++;
        }
        int whole = n & -(2 * L);
        if (whole > 0) dropoutPairs(xs, xo, ms, mo, os, oo, whole / (2 * L), firstIndex, k0, k1, threshold, kept);
        if (whole < n) {
            long b = (long) whole * Float.BYTES;
            dropoutTail(xs, xo + b, ms, mo + b, os, oo + b, n - whole, firstIndex + whole, k0, k1, threshold, kept);
        }
    }

    /** {@code pairs} whole pairs of vectors; firstIndex even. */
    private static void dropoutPairs(MemorySegment xs, long xo, MemorySegment ms, long mo, MemorySegment os, long oo,
                                     int pairs, int firstIndex, int k0, int k1, int threshold, float kept) {
        long second = (long) L * Float.BYTES;
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < pairs; i++) {
            long b = 2 * (long) i * second;
            // Counters (index >>> 1) of the pair's even elements; then CounterRng.bits:
            // mix(mix(j ^ k0) + k1), mix = lowbias32.
            IntVector h = IOTA2.add(firstIndex + i * 2 * L).lanewise(VectorOperators.LSHR, 1)
                    .lanewise(VectorOperators.XOR, k0);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(CounterRng.MUL1);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 15)).mul(CounterRng.MUL2);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).add(k1);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(CounterRng.MUL1);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 15)).mul(CounterRng.MUL2);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
            // As 2L shorts (lane order is little-endian), hash j's low half comes right before its
            // high half: element order. Zero-extending each half of them gives each element's bits16.
            ShortVector halves = h.reinterpretAsShorts();
            IntVector u0 = (IntVector) halves.convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
            IntVector u1 = (IntVector) halves.convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 1);
            FloatVector m0 = zero.blend(kept, u0.compare(VectorOperators.LT, threshold).cast(S));
            FloatVector m1 = zero.blend(kept, u1.compare(VectorOperators.LT, threshold).cast(S));
            m0.intoMemorySegment(ms, mo + b, NATIVE);
            m1.intoMemorySegment(ms, mo + b + second, NATIVE);
            fromMemorySegment(S, xs, xo + b, NATIVE).mul(m0).intoMemorySegment(os, oo + b, NATIVE);
            fromMemorySegment(S, xs, xo + b + second, NATIVE).mul(m1).intoMemorySegment(os, oo + b + second, NATIVE);
        }
    }

    /** The last n &lt; 2L elements, as {@link #dropoutPairs} with masks; firstIndex even. */
    private static void dropoutTail(MemorySegment xs, long xo, MemorySegment ms, long mo, MemorySegment os, long oo,
                                    int n, int firstIndex, int k0, int k1, int threshold, float kept) {
        VectorMask<Float> t0 = S.indexInRange(0, n), t1 = S.indexInRange(L, n);
        long second = (long) L * Float.BYTES;
        IntVector h = IOTA2.add(firstIndex).lanewise(VectorOperators.LSHR, 1).lanewise(VectorOperators.XOR, k0);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(CounterRng.MUL1);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 15)).mul(CounterRng.MUL2);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).add(k1);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(CounterRng.MUL1);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 15)).mul(CounterRng.MUL2);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
        ShortVector halves = h.reinterpretAsShorts();
        IntVector u0 = (IntVector) halves.convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
        IntVector u1 = (IntVector) halves.convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 1);
        FloatVector zero = FloatVector.zero(S);
        FloatVector m0 = zero.blend(kept, u0.compare(VectorOperators.LT, threshold).cast(S));
        FloatVector m1 = zero.blend(kept, u1.compare(VectorOperators.LT, threshold).cast(S));
        m0.intoMemorySegment(ms, mo, NATIVE, t0);
        fromMemorySegment(S, xs, xo, NATIVE, t0).mul(m0).intoMemorySegment(os, oo, NATIVE, t0);
        if (n > L) {
            m1.intoMemorySegment(ms, mo + second, NATIVE, t1);
            fromMemorySegment(S, xs, xo + second, NATIVE, t1).mul(m1).intoMemorySegment(os, oo + second, NATIVE, t1);
        }
    }
}
