package dev.lanes.train;

/**
 * Sets the learning rate at the start of every epoch from a function of the epoch (0-based) and the
 * current rate, like Keras's {@code LearningRateScheduler}: the current rate is the one the previous
 * epoch ran with, so a rule that scales it compounds. The first epoch of a {@code fit} gets the
 * rate the optimizer starts it with. The callback runs after the optimizer has taken the rate from
 * its own schedule, so it has the last word; combined with a schedule that changes the rate (Keras
 * refuses the combination), the schedule therefore only sets the rate the first epoch starts from.
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
    /**
     * The rate the last epoch ran with, NaN before the first epoch of a fit. The optimizer resets its
     * rate from its schedule before each epoch, so the rate to build on has to be kept here.
     */
    private float previous = Float.NaN;

    public LearningRateScheduler(Rule rule) {
        if (rule == null) throw new IllegalArgumentException("rule must not be null");
        this.rule = rule;
    }

    @Override
    public void onTrainBegin(Trainer trainer, FitOptions options) {
        previous = Float.NaN;
    }

    @Override
    public void onEpochBegin(int epoch, Trainer trainer) {
        float current = Float.isNaN(previous) ? trainer.optimizer().learningRate() : previous;
        trainer.optimizer().setLearningRate(rule.rate(epoch, current));
    }

    @Override
    public void onEpochEnd(int epoch, EpochLogs logs, Trainer trainer) {
        previous = trainer.optimizer().learningRate();
    }
}
