package dev.lanes.kernel.loop;

import dev.lanes.kernel.FusedShapes;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Optimizer updates as scalar loops in float, one pass over the parameter buffer. The simd backend
 * performs the same float operations in the same order (no FMA contraction), so both backends
 * produce bitwise-identical parameters and state. Each returns whether every weight it stored is
 * finite.
 */
public final class LoopOptimizers {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private LoopOptimizers() {}

    static boolean sgd(Matrix w, Matrix g, float lr, float l2) {
        FusedShapes.same("sgdUpdate", "w", w, "g", g);
        MemorySegment ws = w.segment(), gs = g.segment();
        boolean finite = true;
        for (int r = 0; r < w.rows(); r++) {
            long wb = (long) r * w.stride(), gb = (long) r * g.stride();
            for (int c = 0; c < w.cols(); c++) {
                float wv = ws.getAtIndex(F, wb + c);
                float grad = gs.getAtIndex(F, gb + c) + l2 * wv;
                float updated = wv - lr * grad;
                ws.setAtIndex(F, wb + c, updated);
                finite &= Float.isFinite(updated);
            }
        }
        return finite;
    }

    static boolean momentum(Matrix w, Matrix g, Matrix v, float lr, float beta, boolean nesterov, float l2) {
        FusedShapes.same("momentumUpdate", "w", w, "g", g);
        FusedShapes.same("momentumUpdate", "w", w, "v", v);
        MemorySegment ws = w.segment(), gs = g.segment(), vs = v.segment();
        boolean finite = true;
        for (int r = 0; r < w.rows(); r++) {
            long wb = (long) r * w.stride(), gb = (long) r * g.stride(), vb = (long) r * v.stride();
            for (int c = 0; c < w.cols(); c++) {
                float wv = ws.getAtIndex(F, wb + c);
                float grad = gs.getAtIndex(F, gb + c) + l2 * wv;
                float vel = beta * vs.getAtIndex(F, vb + c) + grad;
                vs.setAtIndex(F, vb + c, vel);
                float step = nesterov ? grad + beta * vel : vel;
                float updated = wv - lr * step;
                ws.setAtIndex(F, wb + c, updated);
                finite &= Float.isFinite(updated);
            }
        }
        return finite;
    }

    static boolean adagrad(Matrix w, Matrix g, Matrix s, float lr, float eps, float l2) {
        FusedShapes.same("adagradUpdate", "w", w, "g", g);
        FusedShapes.same("adagradUpdate", "w", w, "s", s);
        MemorySegment ws = w.segment(), gs = g.segment(), ss = s.segment();
        boolean finite = true;
        for (int r = 0; r < w.rows(); r++) {
            long wb = (long) r * w.stride(), gb = (long) r * g.stride(), sb = (long) r * s.stride();
            for (int c = 0; c < w.cols(); c++) {
                float wv = ws.getAtIndex(F, wb + c);
                float grad = gs.getAtIndex(F, gb + c) + l2 * wv;
                float acc = ss.getAtIndex(F, sb + c) + grad * grad;
                ss.setAtIndex(F, sb + c, acc);
                float updated = wv - lr * grad / ((float) Math.sqrt(acc) + eps);
                ws.setAtIndex(F, wb + c, updated);
                finite &= Float.isFinite(updated);
            }
        }
        return finite;
    }

    static boolean rmsprop(Matrix w, Matrix g, Matrix s, float lr, float rho, float eps, float l2) {
        FusedShapes.same("rmspropUpdate", "w", w, "g", g);
        FusedShapes.same("rmspropUpdate", "w", w, "s", s);
        MemorySegment ws = w.segment(), gs = g.segment(), ss = s.segment();
        float oneMinusRho = 1f - rho;
        boolean finite = true;
        for (int r = 0; r < w.rows(); r++) {
            long wb = (long) r * w.stride(), gb = (long) r * g.stride(), sb = (long) r * s.stride();
            for (int c = 0; c < w.cols(); c++) {
                float wv = ws.getAtIndex(F, wb + c);
                float grad = gs.getAtIndex(F, gb + c) + l2 * wv;
                float acc = rho * ss.getAtIndex(F, sb + c) + oneMinusRho * (grad * grad);
                ss.setAtIndex(F, sb + c, acc);
                float updated = wv - lr * grad / ((float) Math.sqrt(acc) + eps);
                ws.setAtIndex(F, wb + c, updated);
                finite &= Float.isFinite(updated);
            }
        }
        return finite;
    }

    /** Adam / AdamW; the bias corrections 1/(1−βᵗ) are computed once, in double. */
    static boolean adam(Matrix w, Matrix g, Matrix m, Matrix v, float lr, float beta1, float beta2, float eps,
                            int t, float l2, float decoupledDecay) {
        FusedShapes.step(t);
        FusedShapes.same("adamUpdate", "w", w, "g", g);
        FusedShapes.same("adamUpdate", "w", w, "m", m);
        FusedShapes.same("adamUpdate", "w", w, "v", v);
        MemorySegment ws = w.segment(), gs = g.segment(), ms = m.segment(), vs = v.segment();
        float c1 = 1f - beta1, c2 = 1f - beta2;
        float invBc1 = biasCorrection(beta1, t), invBc2 = biasCorrection(beta2, t);
        float decay = lr * decoupledDecay;
        boolean finite = true;
        for (int r = 0; r < w.rows(); r++) {
            long wb = (long) r * w.stride(), gb = (long) r * g.stride();
            long mb = (long) r * m.stride(), vb = (long) r * v.stride();
            for (int c = 0; c < w.cols(); c++) {
                float wv = ws.getAtIndex(F, wb + c);
                float grad = gs.getAtIndex(F, gb + c) + l2 * wv;
                float m1 = beta1 * ms.getAtIndex(F, mb + c) + c1 * grad;
                float m2 = beta2 * vs.getAtIndex(F, vb + c) + c2 * (grad * grad);
                ms.setAtIndex(F, mb + c, m1);
                vs.setAtIndex(F, vb + c, m2);
                float mHat = m1 * invBc1, vHat = m2 * invBc2;
                float updated = wv - lr * mHat / ((float) Math.sqrt(vHat) + eps) - decay * wv;
                ws.setAtIndex(F, wb + c, updated);
                finite &= Float.isFinite(updated);
            }
        }
        return finite;
    }

    /** 1/(1 − βᵗ), rounded once to float. */
    public static float biasCorrection(float beta, int t) {
        return (float) (1.0 / (1.0 - Math.pow(beta, t)));
    }
}
