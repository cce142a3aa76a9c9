package dev.lanes.optim;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;

/**
 * Adam with bias correction, {@code w −= lr·m̂/(√v̂ + ε)} with m̂ and v̂ the bias-corrected moments:
 * PyTorch's form and defaults (β1 0.9, β2 0.999, ε 1e-8). Keras's ε (1e-7) is added to √v before
 * the bias correction, which makes it up to 1/√(1 − β2ᵗ) times larger in the first steps; the two
 * differ only for gradients near ε.
 *
 * <pre>{@code new Adam(1e-3f); new Adam(LearningRateSchedule.exponential(1e-3f, 0.9f), 0.9f, 0.999f, 1e-8f) }</pre>
 */
public class Adam extends Optimizer {
    final float beta1;
    final float beta2;
    final float epsilon;

    public Adam(float learningRate) {
        this(LearningRateSchedule.constant(learningRate), 0.9f, 0.999f, 1e-8f);
    }

    public Adam(LearningRateSchedule schedule, float beta1, float beta2, float epsilon) {
        super(schedule);
        if (!(beta1 >= 0f && beta1 < 1f)) throw new IllegalArgumentException("Adam beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0f && beta2 < 1f)) throw new IllegalArgumentException("Adam beta2 must be in [0, 1), got " + beta2);
        if (!(epsilon > 0f) || Float.isInfinite(epsilon)) {
            throw new IllegalArgumentException("Adam epsilon must be finite and > 0, got " + epsilon);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    @Override protected final int stateSlots() { return 2; }

    @Override
    protected boolean update(Kernels k, Matrix w, Matrix g, Matrix[] state, float lr, float l2, boolean decays, int t) {
        return k.adamUpdate(w, g, state[0], state[1], lr, beta1, beta2, epsilon, t, l2, 0f);
    }

    /**
     * Adam's step is bounded whatever the gradients' scale. Its moments are averages of the same
     * gradients g, m = (1−β1)·Σ β1^k·g_k and v = (1−β2)·Σ β2^k·g_k², so by Cauchy–Schwarz
     * |m| ≤ (1−β1)·√(Σ (β1²/β2)^k)·√(v/(1−β2)), and with the bias corrections (the first's
     * factor (1−β1)/(1−β1^t) is at most 1) every weight moves by at most
     * lr·(1/√(1−β2))·(1/√(1−β1²/β2)): about 73·lr at the defaults. The bound needs β1² < β2, and
     * intermediates that do not overflow: m̂·lr stays finite while gradients stay below
     * Float.MAX_VALUE/(4·max(lr, 1)·1/(1−β1^t)); a v that overflows to +∞ only makes the step 0.
     * The last term covers a v that underflowed to 0 while m did not quite (|m| ≤ 1e-19 then).
     */
    @Override
    protected boolean boundsStep(float gradientNow, float gradientEver, float lr, int t) {
        double b1 = beta1, b2 = beta2;
        double ratio = b1 * b1 / b2;
        if (!(ratio < 1)) return false;
        double invBc1 = 1 / (1 - Math.pow(b1, t));
        if ((double) gradientEver * invBc1 * Math.max(lr, 1.0) > Float.MAX_VALUE / 4.0) return false;
        double step = lr * 1.01 / Math.sqrt((1 - b2) * (1 - ratio)) + invBc1 * underflowTerm(lr, epsilon);
        return step < SAFE_STEP && decayKeepsWeights(lr);
    }

    /** Decoupled decay scales a weight by 1 − lr·decay: no larger in magnitude while lr·decay ≤ 1. */
    boolean decayKeepsWeights(float lr) {
        return true;
    }

    @Override
    public String toString() {
        return "Adam(lr=" + schedule() + ", beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + ")";
    }
}
