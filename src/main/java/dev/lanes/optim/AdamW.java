package dev.lanes.optim;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter): {@code w -= lr·decay·w} outside the
 * adaptive step, applied to weight matrices but not to biases or normalization parameters. Default
 * decay 0.004 (Keras).
 */
public final class AdamW extends Adam {
    /** Keras's default; PyTorch's is 0.01. */
    public static final float DEFAULT_WEIGHT_DECAY = 0.004f;

    private final float weightDecay;

    public AdamW(float learningRate) {
        this(learningRate, DEFAULT_WEIGHT_DECAY);
    }

    public AdamW(float learningRate, float weightDecay) {
        this(LearningRateSchedule.constant(learningRate), weightDecay, 0.9f, 0.999f, 1e-8f);
    }

    public AdamW(LearningRateSchedule schedule, float weightDecay, float beta1, float beta2, float epsilon) {
        super(schedule, beta1, beta2, epsilon);
        if (!(weightDecay >= 0f) || Float.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be finite and >= 0, got " + weightDecay);
        }
        this.weightDecay = weightDecay;
    }

    public float weightDecay() { return weightDecay; }

    @Override
    protected boolean update(Kernels k, Matrix w, Matrix g, Matrix[] state, float lr, float l2, boolean decays, int t) {
        return k.adamUpdate(w, g, state[0], state[1], lr, beta1, beta2, epsilon, t, l2, decays ? weightDecay : 0f);
    }

    @Override
    boolean decayKeepsWeights(float lr) {
        return (double) lr * weightDecay <= 1;
    }

    @Override
    public String toString() {
        return "AdamW(lr=" + schedule() + ", weight_decay=" + weightDecay + ", beta1=" + beta1 + ", beta2=" + beta2
                + ", epsilon=" + epsilon + ")";
    }
}
