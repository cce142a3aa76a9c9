package dev.lanes.kernel.simd;

import static dev.lanes.kernel.simd.Vec.L;
import static dev.lanes.kernel.simd.Vec.NATIVE;
import static dev.lanes.kernel.simd.Vec.S;
import static dev.lanes.kernel.simd.Vec.row;
import static jdk.incubator.vector.FloatVector.fromMemorySegment;

import dev.lanes.kernel.FusedShapes;
import dev.lanes.kernel.loop.LoopOptimizers;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Optimizer updates on float vectors: the loop backend's float operations in the same order, with
 * no FMA contraction, so parameters and state are bitwise identical across backends (the tests
 * check this) and a training run does not depend on which backend executed it. Each is one
 * streaming pass; the masked tail reuses the same per-vector step with masked loads and stores.
 */
final class SimdOptimizers {
    private SimdOptimizers() {}

    static void sgd(Matrix w, Matrix g, float lr, float l2) {
        FusedShapes.same("sgdUpdate", "w", w, "g", g);
        MemorySegment ws = w.segment(), gs = g.segment();
        int n = Vec.run(w, g);
        if (n >= 0) {
            sgd(ws, 0, gs, 0, n, lr, l2);
        } else {
            for (int r = 0; r < w.rows(); r++) sgd(ws, row(w, r), gs, row(g, r), w.cols(), lr, l2);
        }
    }

    private static void sgd(MemorySegment ws, long wo, MemorySegment gs, long go, int n, float lr, float l2) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            FloatVector w = fromMemorySegment(S, ws, wo + b, NATIVE);
            FloatVector grad = fromMemorySegment(S, gs, go + b, NATIVE).add(w.mul(l2));
            w.sub(grad.mul(lr)).intoMemorySegment(ws, wo + b, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> t = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            FloatVector w = fromMemorySegment(S, ws, wo + b, NATIVE, t);
            FloatVector grad = fromMemorySegment(S, gs, go + b, NATIVE, t).add(w.mul(l2));
            w.sub(grad.mul(lr)).intoMemorySegment(ws, wo + b, NATIVE, t);
        }
    }

    static void momentum(Matrix w, Matrix g, Matrix v, float lr, float beta, boolean nesterov, float l2) {
        FusedShapes.same("momentumUpdate", "w", w, "g", g);
        FusedShapes.same("momentumUpdate", "w", w, "v", v);
        MemorySegment ws = w.segment(), gs = g.segment(), vs = v.segment();
        int n = Vec.run(w, g, v);
        if (n >= 0) {
            momentum(ws, 0, gs, 0, vs, 0, n, lr, beta, nesterov, l2);
        } else {
            for (int r = 0; r < w.rows(); r++) {
                momentum(ws, row(w, r), gs, row(g, r), vs, row(v, r), w.cols(), lr, beta, nesterov, l2);
            }
        }
    }

    private static void momentum(MemorySegment ws, long wo, MemorySegment gs, long go, MemorySegment vs, long vo,
                                 int n, float lr, float beta, boolean nesterov, float l2) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            FloatVector w = fromMemorySegment(S, ws, wo + b, NATIVE);
            FloatVector grad = fromMemorySegment(S, gs, go + b, NATIVE).add(w.mul(l2));
            FloatVector vel = fromMemorySegment(S, vs, vo + b, NATIVE).mul(beta).add(grad);
            vel.intoMemorySegment(vs, vo + b, NATIVE);
            FloatVector step = nesterov ? grad.add(vel.mul(beta)) : vel;
            w.sub(step.mul(lr)).intoMemorySegment(ws, wo + b, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> t = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            FloatVector w = fromMemorySegment(S, ws, wo + b, NATIVE, t);
            FloatVector grad = fromMemorySegment(S, gs, go + b, NATIVE, t).add(w.mul(l2));
            FloatVector vel = fromMemorySegment(S, vs, vo + b, NATIVE, t).mul(beta).add(grad);
            vel.intoMemorySegment(vs, vo + b, NATIVE, t);
            FloatVector step = nesterov ? grad.add(vel.mul(beta)) : vel;
            w.sub(step.mul(lr)).intoMemorySegment(ws, wo + b, NATIVE, t);
        }
    }

    static void adagrad(Matrix w, Matrix g, Matrix s, float lr, float eps, float l2) {
        FusedShapes.same("adagradUpdate", "w", w, "g", g);
        FusedShapes.same("adagradUpdate", "w", w, "s", s);
        squareScaled(w, g, s, lr, 1f, 1f, eps, l2);
    }

    static void rmsprop(Matrix w, Matrix g, Matrix s, float lr, float rho, float eps, float l2) {
        FusedShapes.same("rmspropUpdate", "w", w, "g", g);
        FusedShapes.same("rmspropUpdate", "w", w, "s", s);
        squareScaled(w, g, s, lr, rho, 1f - rho, eps, l2);
    }

    /**
     * Adagrad (decay 1, gain 1: s + g'² — multiplying by 1 is exact, so this is bitwise the loop's
     * {@code s + g'·g'}) and RMSProp (ρ·s + (1−ρ)·g'²), then w −= lr·g'/(√s + ε).
     */
    private static void squareScaled(Matrix w, Matrix g, Matrix s, float lr, float decay, float gain, float eps,
                                     float l2) {
        MemorySegment ws = w.segment(), gs = g.segment(), ss = s.segment();
        int n = Vec.run(w, g, s);
        if (n >= 0) {
            squareScaled(ws, 0, gs, 0, ss, 0, n, lr, decay, gain, eps, l2);
        } else {
            for (int r = 0; r < w.rows(); r++) {
                squareScaled(ws, row(w, r), gs, row(g, r), ss, row(s, r), w.cols(), lr, decay, gain, eps, l2);
            }
        }
    }

    private static void squareScaled(MemorySegment ws, long wo, MemorySegment gs, long go, MemorySegment ss, long so,
                                     int n, float lr, float decay, float gain, float eps, float l2) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            FloatVector w = fromMemorySegment(S, ws, wo + b, NATIVE);
            FloatVector grad = fromMemorySegment(S, gs, go + b, NATIVE).add(w.mul(l2));
            FloatVector acc = fromMemorySegment(S, ss, so + b, NATIVE).mul(decay).add(grad.mul(grad).mul(gain));
            acc.intoMemorySegment(ss, so + b, NATIVE);
            w.sub(grad.mul(lr).div(acc.sqrt().add(eps))).intoMemorySegment(ws, wo + b, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> t = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            FloatVector w = fromMemorySegment(S, ws, wo + b, NATIVE, t);
            FloatVector grad = fromMemorySegment(S, gs, go + b, NATIVE, t).add(w.mul(l2));
            FloatVector acc = fromMemorySegment(S, ss, so + b, NATIVE, t).mul(decay).add(grad.mul(grad).mul(gain));
            acc.intoMemorySegment(ss, so + b, NATIVE, t);
            w.sub(grad.mul(lr).div(acc.sqrt().add(eps))).intoMemorySegment(ws, wo + b, NATIVE, t);
        }
    }

    static void adam(Matrix w, Matrix g, Matrix m, Matrix v, float lr, float beta1, float beta2, float eps,
                     int t, float l2, float decoupledDecay) {
        FusedShapes.step(t);
        FusedShapes.same("adamUpdate", "w", w, "g", g);
        FusedShapes.same("adamUpdate", "w", w, "m", m);
        FusedShapes.same("adamUpdate", "w", w, "v", v);
        MemorySegment ws = w.segment(), gs = g.segment(), ms = m.segment(), vs = v.segment();
        float invBc1 = LoopOptimizers.biasCorrection(beta1, t), invBc2 = LoopOptimizers.biasCorrection(beta2, t);
        float decay = lr * decoupledDecay;
        int n = Vec.run(w, g, m, v);
        if (n >= 0) {
            adam(ws, 0, gs, 0, ms, 0, vs, 0, n, lr, beta1, beta2, eps, l2, invBc1, invBc2, decay);
        } else {
            for (int r = 0; r < w.rows(); r++) {
                adam(ws, row(w, r), gs, row(g, r), ms, row(m, r), vs, row(v, r), w.cols(),
                        lr, beta1, beta2, eps, l2, invBc1, invBc2, decay);
            }
        }
    }

    static void adam(MemorySegment ws, long wo, MemorySegment gs, long go, MemorySegment ms, long mo,
                             MemorySegment vs, long vo, int n, float lr, float beta1, float beta2, float eps, float l2,
                             float invBc1, float invBc2, float decay) {
        float c1 = 1f - beta1, c2 = 1f - beta2;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            FloatVector w = fromMemorySegment(S, ws, wo + b, NATIVE);
            FloatVector grad = fromMemorySegment(S, gs, go + b, NATIVE).add(w.mul(l2));
            FloatVector m1 = fromMemorySegment(S, ms, mo + b, NATIVE).mul(beta1).add(grad.mul(c1));
            FloatVector m2 = fromMemorySegment(S, vs, vo + b, NATIVE).mul(beta2).add(grad.mul(grad).mul(c2));
            m1.intoMemorySegment(ms, mo + b, NATIVE);
            m2.intoMemorySegment(vs, vo + b, NATIVE);
            FloatVector step = m1.mul(invBc1).mul(lr).div(m2.mul(invBc2).sqrt().add(eps));
            w.sub(step).sub(w.mul(decay)).intoMemorySegment(ws, wo + b, NATIVE);
        }
        if (i < n) {
            adamTail(ws, wo, gs, go, ms, mo, vs, vo, i, n, lr, beta1, beta2, eps, l2, invBc1, invBc2, decay);
        }
    }

    /**
     * The masked last vector of {@link #adam}'s run, kept out of the main method: with both in one
     * method C1 ran out of virtual registers, gave up, and the kernel stayed in code that does not
     * intrinsify the Vector API (3 KB of boxes per vector) until C2 got to it.
     */
    private static void adamTail(MemorySegment ws, long wo, MemorySegment gs, long go, MemorySegment ms, long mo,
                                 MemorySegment vs, long vo, int i, int n, float lr, float beta1, float beta2,
                                 float eps, float l2, float invBc1, float invBc2, float decay) {
        float c1 = 1f - beta1, c2 = 1f - beta2;
        VectorMask<Float> t = S.indexInRange(i, n);
        long b = (long) i * Float.BYTES;
        FloatVector w = fromMemorySegment(S, ws, wo + b, NATIVE, t);
        FloatVector grad = fromMemorySegment(S, gs, go + b, NATIVE, t).add(w.mul(l2));
        FloatVector m1 = fromMemorySegment(S, ms, mo + b, NATIVE, t).mul(beta1).add(grad.mul(c1));
        FloatVector m2 = fromMemorySegment(S, vs, vo + b, NATIVE, t).mul(beta2).add(grad.mul(grad).mul(c2));
        m1.intoMemorySegment(ms, mo + b, NATIVE, t);
        m2.intoMemorySegment(vs, vo + b, NATIVE, t);
        FloatVector step = m1.mul(invBc1).mul(lr).div(m2.mul(invBc2).sqrt().add(eps));
        w.sub(step).sub(w.mul(decay)).intoMemorySegment(ws, wo + b, NATIVE, t);
    }
}
