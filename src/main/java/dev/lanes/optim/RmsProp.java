package dev.lanes.optim;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;

/**
 * RMSProp: divides by a running root-mean-square of the gradient, {@code s = ρ·s + (1 − ρ)·g²;
 * w −= lr·g/(√s + ε)}, s starting at 0, neither centered nor with momentum. ε outside the root, as
 * in PyTorch; defaults ρ 0.9 and ε 1e-7 as in Keras (PyTorch: 0.99 and 1e-8). Keras takes ε inside
 * the root, which only matters while |g| is near √ε or below.
 */
public final class RmsProp extends Optimizer {
    private final float rho;
    private final float epsilon;

    public RmsProp(float learningRate) {
        this(LearningRateSchedule.constant(learningRate), 0.9f, 1e-7f);
    }

    public RmsProp(LearningRateSchedule schedule, float rho, float epsilon) {
        super(schedule);
        if (!(rho > 0f && rho < 1f)) throw new IllegalArgumentException("RMSProp rho must be in (0, 1), got " + rho);
        if (!(epsilon > 0f) || Float.isInfinite(epsilon)) {
            throw new IllegalArgumentException("RMSProp epsilon must be finite and > 0, got " + epsilon);
        }
        this.rho = rho;
        this.epsilon = epsilon;
    }

    @Override protected int stateSlots() { return 1; }

    @Override
    protected boolean update(Kernels k, Matrix w, Matrix g, Matrix[] state, float lr, float l2, boolean decays, int t) {
        return k.rmspropUpdate(w, g, state[0], lr, rho, epsilon, l2);
    }

    /**
     * The average ρ·s + (1−ρ)·g² is at least (1−ρ)·g², so a step is at most lr/√(1−ρ) whatever
     * the gradients' scale, once lr·g cannot overflow (a g² that overflows makes it 0).
     */
    @Override
    protected boolean boundsStep(float gradientNow, float gradientEver, float lr, int t) {
        double perRate = 1.01 / Math.sqrt(1.0 - rho);
        return (double) lr * gradientNow < Float.MAX_VALUE / 4.0
                && lr * perRate + underflowTerm(lr, epsilon) * perRate < SAFE_STEP;
    }

    @Override public String toString() { return "RMSProp(lr=" + schedule() + ", rho=" + rho + ", epsilon=" + epsilon + ")"; }
}
