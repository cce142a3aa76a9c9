package dev.lanes.optim;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;

/**
 * Adagrad: per-element rates shrinking with the accumulated squared gradient,
 * {@code acc += g²; w −= lr·g/(√acc + ε)} with the accumulator starting at 0. That is PyTorch's
 * update ({@code torch.optim.Adagrad}, initial accumulator 0); ε defaults to Keras's 1e-7 (PyTorch's
 * is 1e-10). Keras starts the accumulator at 0.1 and takes ε inside the root, so its first steps are
 * smaller: for a gradient of 0.01, lr·0.03 against about lr here.
 */
public final class Adagrad extends Optimizer {
    private final float epsilon;

    public Adagrad(float learningRate) {
        this(LearningRateSchedule.constant(learningRate), 1e-7f);
    }

    public Adagrad(LearningRateSchedule schedule, float epsilon) {
        super(schedule);
        if (!(epsilon > 0f) || Float.isInfinite(epsilon)) {
            throw new IllegalArgumentException("Adagrad epsilon must be finite and > 0, got " + epsilon);
        }
        this.epsilon = epsilon;
    }

    @Override protected int stateSlots() { return 1; }

    @Override
    protected boolean update(Kernels k, Matrix w, Matrix g, Matrix[] state, float lr, float l2, boolean decays, int t) {
        return k.adagradUpdate(w, g, state[0], lr, epsilon, l2);
    }

    /**
     * The accumulator s + g² is at least g², so |g|/(√(s + g²) + ε) ≤ 1: a step of at most lr
     * whatever the gradients' scale, once lr·g cannot overflow (a g² that overflows makes it 0).
     */
    @Override
    protected boolean boundsStep(float gradientNow, float gradientEver, float lr, int t) {
        return (double) lr * gradientNow < Float.MAX_VALUE / 4.0 && lr * 1.01 + underflowTerm(lr, epsilon) < SAFE_STEP;
    }

    @Override public String toString() { return "Adagrad(lr=" + schedule() + ", epsilon=" + epsilon + ")"; }
}
