package dev.lanes.train;

/**
 * Sets the learning rate at the start of every epoch from a function of the epoch (0-based) and the
 * current rate, like Keras's {@code LearningRateScheduler}. It runs after the optimizer has taken the
 * rate from its own schedule, so it has the last word.
 *
 * <pre>{@code new LearningRateScheduler((epoch, lr) -> epoch < 10 ? lr : lr * 0.9f) }</pre>
 */
public final class LearningRateScheduler implements Callback {

    /** The new rate from the epoch and the current rate. */
    @FunctionalInterface
    public interface Rule {
        float rate(int epoch, float current);
    }

    private final Rule rule;

    public LearningRateScheduler(Rule rule) {
        if (rule == null) throw new IllegalArgumentException("rule must not be null");
        this.rule = rule;
    }

    @Override
    public void onEpochBegin(int epoch, Trainer trainer) {
        trainer.optimizer().setLearningRate(rule.rate(epoch, trainer.optimizer().learningRate()));
    }
}
