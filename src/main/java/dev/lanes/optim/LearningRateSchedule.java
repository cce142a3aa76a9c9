package dev.lanes.optim;

/**
 * The learning rate as a function of the epoch, counted from 0 (so every schedule starts at α0).
 * An {@link Optimizer} asks its schedule once at the start of each epoch. The epoch is the one
 * {@code Trainer.fit} is on: each {@code fit} counts from its {@code initialEpoch} (0 unless resuming),
 * so a second {@code fit} starts the schedule again, while the optimizer's step counter (Adam's bias
 * correction) carries on. Keras's schedules count optimizer steps instead, which carry on too.
 *
 * <pre>{@code new Sgd(LearningRateSchedule.exponential(0.1f, 0.95f)) }</pre>
 */
@FunctionalInterface
public interface LearningRateSchedule {

    /** The rate for {@code epoch} (0-based). */
    float rate(int epoch);

    /** α0 for every epoch. */
    static LearningRateSchedule constant(float alpha0) {
        requirePositive(alpha0, "learning rate");
        return new Named(e -> alpha0, "constant(" + alpha0 + ")");
    }

    /** α0 / (1 + decay·epoch). */
    static LearningRateSchedule inverseTimeDecay(float alpha0, float decay) {
        requirePositive(alpha0, "learning rate");
        requireNonNegative(decay, "decay");
        return new Named(e -> (float) (alpha0 / (1.0 + decay * (double) e)), "inverse_time(" + alpha0 + ", decay=" + decay + ")");
    }

    /** rate^epoch · α0. */
    static LearningRateSchedule exponential(float alpha0, float rate) {
        requirePositive(alpha0, "learning rate");
        requirePositive(rate, "decay rate");
        return new Named(e -> (float) (alpha0 * Math.pow(rate, e)), "exponential(" + alpha0 + ", rate=" + rate + ")");
    }

    /** α0·k/√(epoch + 1): the epoch counted from 1 here, so the first epoch runs at α0·k. */
    static LearningRateSchedule inverseSqrt(float alpha0, float k) {
        requirePositive(alpha0, "learning rate");
        requirePositive(k, "k");
        return new Named(e -> (float) (alpha0 * k / Math.sqrt(e + 1.0)), "inverse_sqrt(" + alpha0 + ", k=" + k + ")");
    }

    /** Staircase: α0·factor^⌊epoch/every⌋, i.e. multiply by {@code factor} every {@code every} epochs. */
    static LearningRateSchedule step(float alpha0, float factor, int every) {
        requirePositive(alpha0, "learning rate");
        requirePositive(factor, "factor");
        if (every < 1) throw new IllegalArgumentException("step schedule period must be >= 1 epoch, got " + every);
        return new Named(e -> (float) (alpha0 * Math.pow(factor, e / every)), "step(" + alpha0 + ", factor=" + factor + ", every=" + every + ")");
    }

    private static void requirePositive(float v, String what) {
        if (!(v > 0f) || Float.isInfinite(v)) throw new IllegalArgumentException(what + " must be finite and > 0, got " + v);
    }

    private static void requireNonNegative(float v, String what) {
        if (!(v >= 0f) || Float.isInfinite(v)) throw new IllegalArgumentException(what + " must be finite and >= 0, got " + v);
    }

    /** A schedule with a readable {@code toString} for logs. */
    record Named(LearningRateSchedule schedule, String description) implements LearningRateSchedule {
        @Override public float rate(int epoch) { return schedule.rate(epoch); }

        @Override public String toString() { return description; }
    }
}
