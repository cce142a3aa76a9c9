package dev.lanes.kernel.simd;

import dev.lanes.kernel.vector.VectorMath;

import static dev.lanes.kernel.simd.Vec.L;
import static dev.lanes.kernel.simd.Vec.NATIVE;
import static dev.lanes.kernel.simd.Vec.S;
import static dev.lanes.kernel.simd.Vec.row;
import static jdk.incubator.vector.FloatVector.fromMemorySegment;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.FusedShapes;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** Activations forward and backward, and row softmax, on float vectors. */
final class SimdActivations {
    private SimdActivations() {}

    static void activate(Activation act, float leak, Matrix x, Matrix out) {
        FusedShapes.same("activate", "x", x, "out", out);
        MemorySegment xs = x.segment(), os = out.segment();
        int n = Vec.run(x, out);
        if (n >= 0) {
            activate(act, leak, xs, 0, os, 0, n);
        } else {
            for (int r = 0; r < x.rows(); r++) activate(act, leak, xs, row(x, r), os, row(out, r), x.cols());
        }
    }

    static void activate(Activation act, float leak, MemorySegment xs, long xo, MemorySegment os, long oo,
                         int n) {
        switch (act) {
            case SIGMOID -> squash(false, xs, xo, os, oo, n);
            case TANH -> squash(true, xs, xo, os, oo, n);
            default -> piecewiseLinear(act, leak, xs, xo, os, oo, n);
        }
    }

    /*
     * A loop whose body calls a VectorMath polynomial must hold the only call site of that
     * polynomial in its compilation: C2 stops inlining at a node budget (NodeCountInliningCutoff)
     * that one polynomial nearly fills, so a second call site (say, for a masked tail after the
     * loop) is left as a call, and a vector crossing a call is boxed on the heap (measured: 1 KB per
     * row). One loop with a mask recomputed every iteration avoids that but ran 20-25% slower than
     * an unmasked loop (sigmoid at 64K). So the loop methods below take either whole vectors or one
     * partial vector, chosen by a loop-invariant flag that C2 unswitches the loop on, and are called
     * from a single site that runs a second time for the tail. Only segments, offsets and counts
     * cross that call, so nothing is boxed whether C2 inlines it or not.
     */

    /** Sigmoid, or tanh when {@code tanh}: the whole vectors, then the partial one, each loop calling one polynomial. */
    private static void squash(boolean tanh, MemorySegment xs, long xo, MemorySegment os, long oo, int n) {
        int whole = S.loopBound(n);
        for (int pass = whole == 0 ? 1 : 0; pass < (whole < n ? 2 : 1); pass++) {
            boolean tail = pass == 1;
            long b = tail ? (long) whole * Float.BYTES : 0;
            int count = tail ? 1 : whole / L, lanes = tail ? n - whole : L;
            if (tanh) {
                tanhVectors(xs, xo + b, os, oo + b, count, lanes);
            } else {
                sigmoidVectors(xs, xo + b, os, oo + b, count, lanes);
            }
        }
    }

    /** Sigmoid of count vectors of {@code lanes} floats: whole vectors (lanes = L), or one partial one. */
    private static void sigmoidVectors(MemorySegment xs, long xo, MemorySegment os, long oo, int count, int lanes) {
        VectorMask<Float> m = S.indexInRange(0, lanes);
        boolean whole = lanes == L;
        for (int i = 0; i < count; i++) {
            long b = (long) i * L * Float.BYTES;
            FloatVector v = whole ? fromMemorySegment(S, xs, xo + b, NATIVE)
                    : fromMemorySegment(S, xs, xo + b, NATIVE, m);
            FloatVector y = VectorMath.sigmoid(v);
            if (whole) {
                y.intoMemorySegment(os, oo + b, NATIVE);
            } else {
                y.intoMemorySegment(os, oo + b, NATIVE, m);
            }
        }
    }

    /** As {@link #sigmoidVectors}. */
    private static void tanhVectors(MemorySegment xs, long xo, MemorySegment os, long oo, int count, int lanes) {
        VectorMask<Float> m = S.indexInRange(0, lanes);
        boolean whole = lanes == L;
        for (int i = 0; i < count; i++) {
            long b = (long) i * L * Float.BYTES;
            FloatVector v = whole ? fromMemorySegment(S, xs, xo + b, NATIVE)
                    : fromMemorySegment(S, xs, xo + b, NATIVE, m);
            FloatVector y = VectorMath.tanh(v);
            if (whole) {
                y.intoMemorySegment(os, oo + b, NATIVE);
            } else {
                y.intoMemorySegment(os, oo + b, NATIVE, m);
            }
        }
    }

    /**
     * Identity, ReLU and leaky ReLU, matching {@link Activation#apply}: ReLU maps −0 and −∞ to +0 and
     * keeps NaN, as its {@code x <= 0} test does (v·0 would not: −0), so ReLU blends with zero.
     */
    private static void piecewiseLinear(Activation act, float leak, MemorySegment xs, long xo, MemorySegment os,
                                        long oo, int n) {
        if (act == Activation.IDENTITY) {
            SimdElementwise.copy(xs, xo, os, oo, n);
            return;
        }
        boolean relu = act == Activation.RELU;
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            FloatVector v = fromMemorySegment(S, xs, xo + b, NATIVE);
            FloatVector g = v.blend(relu ? zero : v.mul(leak), v.compare(VectorOperators.LE, 0f));
            g.intoMemorySegment(os, oo + b, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            FloatVector v = fromMemorySegment(S, xs, xo + b, NATIVE, m);
            FloatVector g = v.blend(relu ? zero : v.mul(leak), v.compare(VectorOperators.LE, 0f));
            g.intoMemorySegment(os, oo + b, NATIVE, m);
        }
    }

    static void backward(Activation act, float leak, Matrix a, Matrix dA, Matrix dZ) {
        FusedShapes.same("activationBackward", "a", a, "dA", dA);
        FusedShapes.same("activationBackward", "a", a, "dZ", dZ);
        MemorySegment as = a.segment(), gs = dA.segment(), zs = dZ.segment();
        int n = Vec.run(a, dA, dZ);
        if (n >= 0) {
            backward(act, leak, as, 0, gs, 0, zs, 0, n);
        } else {
            for (int r = 0; r < a.rows(); r++) {
                backward(act, leak, as, row(a, r), gs, row(dA, r), zs, row(dZ, r), a.cols());
            }
        }
    }

    /** dA ⊙ g′ from the output a, in the loop backend's operation order (so bitwise equal to it). */
    private static void backward(Activation act, float leak, MemorySegment as, long ao, MemorySegment gs, long go,
                                 MemorySegment zs, long zo, int n) {
        if (act == Activation.IDENTITY) {
            SimdElementwise.copy(gs, go, zs, zo, n);
            return;
        }
        boolean relu = act == Activation.RELU, leaky = act == Activation.LEAKY_RELU;
        boolean sigmoid = act == Activation.SIGMOID;
        FloatVector one = FloatVector.broadcast(S, 1f), zero = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            FloatVector a = fromMemorySegment(S, as, ao + b, NATIVE);
            FloatVector g = fromMemorySegment(S, gs, go + b, NATIVE);
            FloatVector d = relu ? zero.blend(g, a.compare(VectorOperators.GT, 0f))
                    : leaky ? g.mul(leak).blend(g, a.compare(VectorOperators.GT, 0f))
                    : sigmoid ? g.mul(a.mul(one.sub(a)))
                    : g.mul(one.sub(a.mul(a)));
            d.intoMemorySegment(zs, zo + b, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            FloatVector a = fromMemorySegment(S, as, ao + b, NATIVE, m);
            FloatVector g = fromMemorySegment(S, gs, go + b, NATIVE, m);
            FloatVector d = relu ? zero.blend(g, a.compare(VectorOperators.GT, 0f))
                    : leaky ? g.mul(leak).blend(g, a.compare(VectorOperators.GT, 0f))
                    : sigmoid ? g.mul(a.mul(one.sub(a)))
                    : g.mul(one.sub(a.mul(a)));
            d.intoMemorySegment(zs, zo + b, NATIVE, m);
        }
    }

    /**
     * Per row: the maximum, then e = exp(x − max) written to out while summed (one vector
     * accumulator: a row is at most a few thousand floats, so the float sum is good to ~√n ulp),
     * then out ·= 1/sum. Reads x once per pass; out may be x.
     */
    static void softmaxRows(Matrix x, Matrix out) {
        FusedShapes.same("softmaxRows", "x", x, "out", out);
        MemorySegment xs = x.segment(), os = out.segment();
        int n = x.cols();
        float[] scratch = Vec.scratch();
        for (int r = 0; r < x.rows(); r++) {
            long xo = row(x, r), oo = row(out, r);
            float max = rowMax(xs, xo, n);
            float sum = expShiftedInto(xs, xo, max, os, oo, n, scratch);
            scaleRun(os, oo, n, 1f / sum);
        }
    }

    /** The largest of n floats at {@code xs + xo}; NaN if any is NaN. */
    static float rowMax(MemorySegment xs, long xo, int n) {
        FloatVector max = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            max = max.max(fromMemorySegment(S, xs, xo + (long) i * Float.BYTES, NATIVE));
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            // Masked-off lanes load as 0, which must not win: they become −∞ first.
            FloatVector v = fromMemorySegment(S, xs, xo + (long) i * Float.BYTES, NATIVE, m);
            max = max.max(v.blend(Float.NEGATIVE_INFINITY, m.not()));
        }
        return max.reduceLanes(VectorOperators.MAX);
    }

    /**
     * out = exp(x − shift); returns Σ out. Whole vectors, then the tail: see the note above
     * {@code squash}. {@code scratch}: {@link Vec#scratch()}, looked up once per call, not per row.
     */
    static float expShiftedInto(MemorySegment xs, long xo, float shift, MemorySegment os, long oo, int n,
                                float[] scratch) {
        int whole = S.loopBound(n);
        float sum = 0f;
        for (int pass = whole == 0 ? 1 : 0; pass < (whole < n ? 2 : 1); pass++) {
            boolean tail = pass == 1;
            long b = tail ? (long) whole * Float.BYTES : 0;
            sum += expShiftedVectors(xs, xo + b, shift, os, oo + b, tail ? 1 : whole / L, tail ? n - whole : L, scratch);
        }
        return sum;
    }

    /** As {@link #sigmoidVectors}, for out = exp(x − shift); returns Σ out. */
    private static float expShiftedVectors(MemorySegment xs, long xo, float shift, MemorySegment os, long oo,
                                           int count, int lanes, float[] scratch) {
        VectorMask<Float> m = S.indexInRange(0, lanes);
        boolean whole = lanes == L;
        FloatVector sum = FloatVector.zero(S);
        for (int i = 0; i < count; i++) {
            long b = (long) i * L * Float.BYTES;
            FloatVector x = whole ? fromMemorySegment(S, xs, xo + b, NATIVE)
                    : fromMemorySegment(S, xs, xo + b, NATIVE, m);
            // x − max ≤ 0 (or NaN); lanes a partial vector leaves out may be anything and are not used.
            FloatVector e = VectorMath.expNonPositive(x.sub(shift));
            if (whole) {
                e.intoMemorySegment(os, oo + b, NATIVE);
                sum = sum.add(e);
            } else {
                e.intoMemorySegment(os, oo + b, NATIVE, m);
                sum = sum.add(e, m);
            }
        }
        sum.intoArray(scratch, 0);
        return VectorMath.sumLanes(scratch, 0);
    }

    private static void scaleRun(MemorySegment os, long oo, int n, float factor) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            fromMemorySegment(S, os, oo + b, NATIVE).mul(factor).intoMemorySegment(os, oo + b, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            fromMemorySegment(S, os, oo + b, NATIVE, m).mul(factor).intoMemorySegment(os, oo + b, NATIVE, m);
        }
    }
}
