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
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Optimizer updates on float vectors: the loop backend's float operations in the same order, with
 * no FMA contraction, so parameters and state are bitwise identical across backends (the tests
 * check this) and a training run does not depend on which backend executed it. Each is one
 * streaming pass; the elements past the last whole vector take the same float operations one at a
 * time (see {@link #adamTail} for why not a masked vector).
 *
 * <p>Each also reports whether the weights it stored are all finite: it adds w·0 (0 for a finite w,
 * NaN for ±∞ and NaN) into one more vector, which costs an add per vector in a pass bound by memory,
 * where a separate check would read every weight again.
 */
final class SimdOptimizers {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private SimdOptimizers() {}

    static boolean sgd(Matrix w, Matrix g, float lr, float l2) {
        FusedShapes.same("sgdUpdate", "w", w, "g", g);
        MemorySegment ws = w.segment(), gs = g.segment();
        int n = Vec.run(w, g);
        if (n >= 0) return sgd(ws, 0, gs, 0, n, lr, l2);
        boolean finite = true;
        for (int r = 0; r < w.rows(); r++) finite &= sgd(ws, row(w, r), gs, row(g, r), w.cols(), lr, l2);
        return finite;
    }

    private static boolean sgd(MemorySegment ws, long wo, MemorySegment gs, long go, int n, float lr, float l2) {
        FloatVector check = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            FloatVector w = fromMemorySegment(S, ws, wo + b, NATIVE);
            FloatVector grad = fromMemorySegment(S, gs, go + b, NATIVE).add(w.mul(l2));
            FloatVector updated = w.sub(grad.mul(lr));
            updated.intoMemorySegment(ws, wo + b, NATIVE);
            check = check.add(updated.mul(0f));
        }
        boolean finite = allZero(check);
        for (; i < n; i++) {
            long b = (long) i * Float.BYTES;
            float w = ws.get(F, wo + b);
            float updated = w - lr * (gs.get(F, go + b) + l2 * w);
            ws.set(F, wo + b, updated);
            finite &= Float.isFinite(updated);
        }
        return finite;
    }

    /** True when every lane is ±0, that is when no w·0 added into {@code check} was NaN. */
    private static boolean allZero(FloatVector check) {
        return check.reduceLanes(VectorOperators.ADD) == 0f;
    }

    static boolean momentum(Matrix w, Matrix g, Matrix v, float lr, float beta, boolean nesterov, float l2) {
        FusedShapes.same("momentumUpdate", "w", w, "g", g);
        FusedShapes.same("momentumUpdate", "w", w, "v", v);
        MemorySegment ws = w.segment(), gs = g.segment(), vs = v.segment();
        int n = Vec.run(w, g, v);
        if (n >= 0) return momentum(ws, 0, gs, 0, vs, 0, n, lr, beta, nesterov, l2);
        boolean finite = true;
        for (int r = 0; r < w.rows(); r++) {
            finite &= momentum(ws, row(w, r), gs, row(g, r), vs, row(v, r), w.cols(), lr, beta, nesterov, l2);
        }
        return finite;
    }

    private static boolean momentum(MemorySegment ws, long wo, MemorySegment gs, long go, MemorySegment vs, long vo,
                                 int n, float lr, float beta, boolean nesterov, float l2) {
        FloatVector check = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            FloatVector w = fromMemorySegment(S, ws, wo + b, NATIVE);
            FloatVector grad = fromMemorySegment(S, gs, go + b, NATIVE).add(w.mul(l2));
            FloatVector vel = fromMemorySegment(S, vs, vo + b, NATIVE).mul(beta).add(grad);
            vel.intoMemorySegment(vs, vo + b, NATIVE);
            FloatVector step = nesterov ? grad.add(vel.mul(beta)) : vel;
            FloatVector updated = w.sub(step.mul(lr));
            updated.intoMemorySegment(ws, wo + b, NATIVE);
            check = check.add(updated.mul(0f));
        }
        boolean finite = allZero(check);
        for (; i < n; i++) {
            long b = (long) i * Float.BYTES;
            float w = ws.get(F, wo + b);
            float grad = gs.get(F, go + b) + l2 * w;
            float vel = beta * vs.get(F, vo + b) + grad;
            vs.set(F, vo + b, vel);
            float updated = w - lr * (nesterov ? grad + beta * vel : vel);
            ws.set(F, wo + b, updated);
            finite &= Float.isFinite(updated);
        }
        return finite;
    }

    static boolean adagrad(Matrix w, Matrix g, Matrix s, float lr, float eps, float l2) {
        FusedShapes.same("adagradUpdate", "w", w, "g", g);
        FusedShapes.same("adagradUpdate", "w", w, "s", s);
        return squareScaled(w, g, s, lr, 1f, 1f, eps, l2);
    }

    static boolean rmsprop(Matrix w, Matrix g, Matrix s, float lr, float rho, float eps, float l2) {
        FusedShapes.same("rmspropUpdate", "w", w, "g", g);
        FusedShapes.same("rmspropUpdate", "w", w, "s", s);
        return squareScaled(w, g, s, lr, rho, 1f - rho, eps, l2);
    }

    /**
     * Adagrad (decay 1, gain 1: s + g'² — multiplying by 1 is exact, so this is bitwise the loop's
     * {@code s + g'·g'}) and RMSProp (ρ·s + (1−ρ)·g'²), then w −= lr·g'/(√s + ε).
     */
    private static boolean squareScaled(Matrix w, Matrix g, Matrix s, float lr, float decay, float gain, float eps,
                                        float l2) {
        MemorySegment ws = w.segment(), gs = g.segment(), ss = s.segment();
        int n = Vec.run(w, g, s);
        if (n >= 0) return squareScaled(ws, 0, gs, 0, ss, 0, n, lr, decay, gain, eps, l2);
        boolean finite = true;
        for (int r = 0; r < w.rows(); r++) {
            finite &= squareScaled(ws, row(w, r), gs, row(g, r), ss, row(s, r), w.cols(), lr, decay, gain, eps, l2);
        }
        return finite;
    }

    private static boolean squareScaled(MemorySegment ws, long wo, MemorySegment gs, long go, MemorySegment ss,
                                        long so, int n, float lr, float decay, float gain, float eps, float l2) {
        FloatVector check = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            FloatVector w = fromMemorySegment(S, ws, wo + b, NATIVE);
            FloatVector grad = fromMemorySegment(S, gs, go + b, NATIVE).add(w.mul(l2));
            FloatVector acc = fromMemorySegment(S, ss, so + b, NATIVE).mul(decay).add(grad.mul(grad).mul(gain));
            acc.intoMemorySegment(ss, so + b, NATIVE);
            FloatVector updated = w.sub(grad.mul(lr).div(acc.sqrt().add(eps)));
            updated.intoMemorySegment(ws, wo + b, NATIVE);
            check = check.add(updated.mul(0f));
        }
        boolean finite = allZero(check);
        for (; i < n; i++) {
            long b = (long) i * Float.BYTES;
            float w = ws.get(F, wo + b);
            float grad = gs.get(F, go + b) + l2 * w;
            float acc = decay * ss.get(F, so + b) + gain * (grad * grad);
            ss.set(F, so + b, acc);
            float updated = w - lr * grad / ((float) Math.sqrt(acc) + eps);
            ws.set(F, wo + b, updated);
            finite &= Float.isFinite(updated);
        }
        return finite;
    }

    static boolean adam(Matrix w, Matrix g, Matrix m, Matrix v, float lr, float beta1, float beta2, float eps,
                        int t, float l2, float decoupledDecay) {
        FusedShapes.step(t);
        FusedShapes.same("adamUpdate", "w", w, "g", g);
        FusedShapes.same("adamUpdate", "w", w, "m", m);
        FusedShapes.same("adamUpdate", "w", w, "v", v);
        MemorySegment ws = w.segment(), gs = g.segment(), ms = m.segment(), vs = v.segment();
        float invBc1 = LoopOptimizers.biasCorrection(beta1, t), invBc2 = LoopOptimizers.biasCorrection(beta2, t);
        float decay = lr * decoupledDecay;
        int n = Vec.run(w, g, m, v);
        if (n >= 0) return adam(ws, 0, gs, 0, ms, 0, vs, 0, n, lr, beta1, beta2, eps, l2, invBc1, invBc2, decay);
        boolean finite = true;
        for (int r = 0; r < w.rows(); r++) {
            finite &= adam(ws, row(w, r), gs, row(g, r), ms, row(m, r), vs, row(v, r), w.cols(),
                    lr, beta1, beta2, eps, l2, invBc1, invBc2, decay);
        }
        return finite;
    }

    static boolean adam(MemorySegment ws, long wo, MemorySegment gs, long go, MemorySegment ms, long mo,
                        MemorySegment vs, long vo, int n, float lr, float beta1, float beta2, float eps, float l2,
                        float invBc1, float invBc2, float decay) {
        float c1 = 1f - beta1, c2 = 1f - beta2;
        FloatVector check = FloatVector.zero(S);
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
            FloatVector updated = w.sub(step).sub(w.mul(decay));
            updated.intoMemorySegment(ws, wo + b, NATIVE);
            check = check.add(updated.mul(0f));
        }
        boolean finite = allZero(check);
        if (i < n) {
            finite &= adamTail(ws, wo, gs, go, ms, mo, vs, vo, i, n, lr, beta1, beta2, eps, l2, invBc1, invBc2, decay);
        }
        return finite;
    }

    /**
     * The elements past {@link #adam}'s last whole vector, one at a time with the loop backend's
     * float operations. Scalar, like every tail here: a masked vector tail is compiled by C1 until a
     * kernel has run thousands of times, and C1 boxes every vector (3.5 KB per call for a 10-unit
     * bias, every training step for the first tens of seconds); a scalar loop costs a few ns.
     */
    private static boolean adamTail(MemorySegment ws, long wo, MemorySegment gs, long go, MemorySegment ms, long mo,
                                    MemorySegment vs, long vo, int i, int n, float lr, float beta1, float beta2,
                                    float eps, float l2, float invBc1, float invBc2, float decay) {
        float c1 = 1f - beta1, c2 = 1f - beta2;
        boolean finite = true;
        for (; i < n; i++) {
            long b = (long) i * Float.BYTES;
            float w = ws.get(F, wo + b);
            float grad = gs.get(F, go + b) + l2 * w;
            float m1 = beta1 * ms.get(F, mo + b) + c1 * grad;
            float m2 = beta2 * vs.get(F, vo + b) + c2 * (grad * grad);
            ms.set(F, mo + b, m1);
            vs.set(F, vo + b, m2);
            float updated = w - lr * (m1 * invBc1) / ((float) Math.sqrt(m2 * invBc2) + eps) - decay * w;
            ws.set(F, wo + b, updated);
            finite &= Float.isFinite(updated);
        }
        return finite;
    }
}
