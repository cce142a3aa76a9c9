package dev.lanes.optim;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;

/**
 * Stochastic gradient descent, optionally with momentum (PyTorch's form, {@code v = β·v + g},
 * {@code w -= lr·v}) or Nesterov momentum. Nesterov is PyTorch's {@code nesterov=True} too,
 * {@code w -= lr·(g + β·v)} with the updated v (Keras's form, v = β·v − lr·g, agrees while lr is constant).
 * Batch, mini-batch and stochastic gradient descent differ only in the batch size given to {@code fit}.
 *
 * <pre>{@code new Sgd(0.01f); Sgd.momentum(0.01f, 0.9f); Sgd.nesterov(0.01f, 0.9f) }</pre>
 */
public final class Sgd extends Optimizer {
    private final float momentum;
    private final boolean nesterov;

    public Sgd(float learningRate) {
        this(LearningRateSchedule.constant(learningRate));
    }

    public Sgd(LearningRateSchedule schedule) {
        this(schedule, 0f, false);
    }

    public Sgd(LearningRateSchedule schedule, float momentum, boolean nesterov) {
        super(schedule);
        if (!(momentum >= 0f && momentum < 1f)) throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
        if (nesterov && momentum == 0f) throw new IllegalArgumentException("Nesterov momentum needs momentum > 0");
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    public static Sgd momentum(float learningRate, float momentum) {
        return new Sgd(LearningRateSchedule.constant(learningRate), momentum, false);
    }

    public static Sgd nesterov(float learningRate, float momentum) {
        return new Sgd(LearningRateSchedule.constant(learningRate), momentum, true);
    }

    public float momentum() { return momentum; }

    public boolean nesterov() { return nesterov; }

    @Override protected int stateSlots() { return momentum > 0f ? 1 : 0; }

    @Override
    protected boolean update(Kernels k, Matrix w, Matrix g, Matrix[] state, float lr, float l2, boolean decays, int t) {
        return momentum == 0f ? k.sgdUpdate(w, g, lr, l2) : k.momentumUpdate(w, g, state[0], lr, momentum, nesterov, l2);
    }

    /**
     * Plain SGD moves a weight by lr·|g|. With momentum the velocity v = β·v + g stays below
     * max|g|/(1−β) over the gradients it absorbed, and Nesterov's g + β·v too; so the step is at
     * most lr·max|g|/(1−β), and no intermediate overflows while that stays below
     * Float.MAX_VALUE/4.
     */
    @Override
    protected boolean boundsStep(float gradientNow, float gradientEver, float lr, int t) {
        double velocity = momentum == 0f ? gradientNow : gradientEver / (1.0 - momentum);
        return velocity < Float.MAX_VALUE / 4.0 && 1.01 * lr * velocity < SAFE_STEP;
    }

    @Override
    public String toString() {
        return (nesterov ? "SGD(nesterov, momentum=" + momentum : momentum > 0f ? "SGD(momentum=" + momentum : "SGD(")
                + (momentum > 0f ? ", " : "") + "lr=" + schedule() + ")";
    }
}
