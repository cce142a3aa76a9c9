package dev.lanes.kernel.simd;

import static dev.lanes.kernel.simd.Vec.L;
import static dev.lanes.kernel.simd.Vec.S;
import static dev.lanes.kernel.simd.Vec.load;
import static dev.lanes.kernel.simd.Vec.row;
import static dev.lanes.kernel.simd.Vec.store;

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

    private static void activate(Activation act, float leak, MemorySegment xs, long xo, MemorySegment os, long oo,
                                 int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            store(apply(act, leak, load(xs, xo + b)), os, oo + b);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            store(apply(act, leak, load(xs, xo + b, m)), os, oo + b, m);
        }
    }

    /** g(v), matching {@link Activation#apply} (ReLU maps NaN and −0 to +0, as its {@code x > 0} test does). */
    static FloatVector apply(Activation act, float leak, FloatVector v) {
        return switch (act) {
            case IDENTITY -> v;
            case RELU -> FloatVector.zero(S).blend(v, v.compare(VectorOperators.GT, 0f));
            case LEAKY_RELU -> v.mul(leak).blend(v, v.compare(VectorOperators.GT, 0f));
            case SIGMOID -> VectorMath.sigmoid(v);
            case TANH -> VectorMath.tanh(v);
        };
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

    private static void backward(Activation act, float leak, MemorySegment as, long ao, MemorySegment gs, long go,
                                 MemorySegment zs, long zo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            store(derivative(act, leak, load(as, ao + b), load(gs, go + b)), zs, zo + b);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            store(derivative(act, leak, load(as, ao + b, m), load(gs, go + b, m)), zs, zo + b, m);
        }
    }

    /** dA ⊙ g′ from the output a, in the loop backend's operation order (so bitwise equal to it). */
    private static FloatVector derivative(Activation act, float leak, FloatVector a, FloatVector g) {
        return switch (act) {
            case IDENTITY -> g;
            case RELU -> FloatVector.zero(S).blend(g, a.compare(VectorOperators.GT, 0f));
            case LEAKY_RELU -> g.mul(leak).blend(g, a.compare(VectorOperators.GT, 0f));
            case SIGMOID -> g.mul(a.mul(FloatVector.broadcast(S, 1f).sub(a)));
            case TANH -> g.mul(FloatVector.broadcast(S, 1f).sub(a.mul(a)));
        };
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
        for (int r = 0; r < x.rows(); r++) {
            long xo = row(x, r), oo = row(out, r);
            float max = rowMax(xs, xo, n);
            float sum = expShiftedInto(xs, xo, max, os, oo, n);
            scaleRun(os, oo, n, 1f / sum);
        }
    }

    /** The largest of n floats at {@code xs + xo}; NaN if any is NaN. */
    static float rowMax(MemorySegment xs, long xo, int n) {
        FloatVector max = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            max = max.max(load(xs, xo + (long) i * Float.BYTES));
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            max = max.lanewise(VectorOperators.MAX, load(xs, xo + (long) i * Float.BYTES, m), m);
        }
        return max.reduceLanes(VectorOperators.MAX);
    }

    /** out = exp(x − shift); returns Σ out. */
    static float expShiftedInto(MemorySegment xs, long xo, float shift, MemorySegment os, long oo, int n) {
        FloatVector sum = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            FloatVector e = VectorMath.exp(load(xs, xo + b).sub(shift));
            store(e, os, oo + b);
            sum = sum.add(e);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            FloatVector e = VectorMath.exp(load(xs, xo + b, m).sub(shift));
            store(e, os, oo + b, m);
            sum = sum.add(e, m);
        }
        return sum.reduceLanes(VectorOperators.ADD);
    }

    private static void scaleRun(MemorySegment os, long oo, int n, float factor) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            store(load(os, oo + b).mul(factor), os, oo + b);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            store(load(os, oo + b, m).mul(factor), os, oo + b, m);
        }
    }
}
