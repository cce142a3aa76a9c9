package dev.lanes.optim;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;

/** Adagrad: per-element rates shrinking with the accumulated squared gradient. ε defaults to 1e-7 (Keras). */
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

    @Override public String toString() { return "Adagrad(lr=" + schedule() + ", epsilon=" + epsilon + ")"; }
}
