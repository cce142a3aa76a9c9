package dev.lanes.optim;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;

/**
 * Adam with bias correction. Defaults β1 0.9, β2 0.999, ε 1e-8.
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

    @Override
    public String toString() {
        return "Adam(lr=" + schedule() + ", beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + ")";
    }
}
