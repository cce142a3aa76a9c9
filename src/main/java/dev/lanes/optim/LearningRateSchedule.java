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

    /**
     * Cosine decay (Keras's {@code CosineDecay}, PyTorch's {@code CosineAnnealingLR}): from α0 at
     * epoch 0 along half a cosine to α0·{@code alpha} at epoch {@code decayEpochs}, then α0·alpha
     * from there on, as Keras keeps it (PyTorch's closed form would rise again):
     * α0·((1 − alpha)·(1 + cos(π·min(epoch, T)/T))/2 + alpha).
     */
    static LearningRateSchedule cosine(float alpha0, int decayEpochs, float alpha) {
        requirePositive(alpha0, "learning rate");
        if (decayEpochs < 1) throw new IllegalArgumentException("cosine decay needs >= 1 epoch to decay over, got " + decayEpochs);
        if (!(alpha >= 0f && alpha <= 1f)) {
            throw new IllegalArgumentException("cosine decay's final fraction alpha must be in [0, 1], got " + alpha);
        }
        return new Named(e -> {
            double cos = 0.5 * (1 + Math.cos(Math.PI * Math.min(e, decayEpochs) / decayEpochs));
            return (float) (alpha0 * ((1 - alpha) * cos + alpha));
        }, "cosine(" + alpha0 + ", epochs=" + decayEpochs + ", alpha=" + alpha + ")");
    }

    /**
     * {@code epochs} epochs of linear warm-up, then {@code after} from its own epoch 0: epoch e &lt;
     * epochs runs at after.rate(0)·(e + 1)/(epochs + 1), as PyTorch's {@code LinearLR} with
     * {@code start_factor = 1/(epochs + 1)} followed by the schedule in a {@code SequentialLR}. Large
     * first steps from freshly initialised weights can throw Adam's moment estimates off for good.
     */
    static LearningRateSchedule warmup(int epochs, LearningRateSchedule after) {
        if (epochs < 1) throw new IllegalArgumentException("warm-up needs >= 1 epoch, got " + epochs);
        if (after == null) throw new IllegalArgumentException("warm-up needs the schedule to follow it");
        return new Named(e -> e < epochs ? after.rate(0) * (e + 1) / (epochs + 1) : after.rate(e - epochs),
                "warmup(" + epochs + ", then " + after + ")");
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
