package dev.lanes.train;

/**
 * Lowers the learning rate when a monitored quantity has stopped improving, with Keras's
 * {@code ReduceLROnPlateau} semantics: an epoch improves on the best so far when it beats it by more
 * than {@code minDelta} (lower for mode MIN, higher for MAX; AUTO picks MAX for names containing
 * "acc"); after {@code patience} epochs without improvement the rate is multiplied by {@code factor},
 * never below {@code minLr}, and then {@code cooldown} epochs pass before epochs count again.
 *
 * <p>The optimizer sets each epoch's rate from its own schedule, so the reduction is kept as a
 * factor on that rate and applied at the start of every later epoch: with a constant schedule this is
 * exactly Keras's behaviour, and a decaying schedule keeps decaying from the reduced level. Each
 * {@code fit} starts again from the schedule's rate.
 *
 * <pre>{@code
 * ReduceLROnPlateau.builder().monitor("val_loss").factor(0.5f).patience(3).minLr(1e-5f).build()
 * }</pre>
 */
public final class ReduceLROnPlateau implements Callback {
    private final Monitor monitor;
    private final float factor;
    private final int patience;
    private final int cooldown;
    private final float minLr;

    private double best;
    private int wait;
    private int cooldownLeft;
    /** The product of the reductions so far, applied to the schedule's rate at each epoch's start. */
    private float scale;
    private int reductions;
    /** Epochs of an interrupted run this one continues, replayed at the start of the fit; or null. */
    private History past;

    private ReduceLROnPlateau(Builder b) {
        if (!(b.factor > 0f && b.factor < 1f)) {
            throw new IllegalArgumentException("factor must be in (0, 1), got " + b.factor);
        }
        if (b.patience < 0) throw new IllegalArgumentException("patience must be >= 0, got " + b.patience);
        if (b.cooldown < 0) throw new IllegalArgumentException("cooldown must be >= 0, got " + b.cooldown);
        if (!(b.minLr >= 0f) || Float.isInfinite(b.minLr)) {
            throw new IllegalArgumentException("minLr must be finite and >= 0, got " + b.minLr);
        }
        this.monitor = Monitor.of(b.monitor, b.minDelta, b.mode, "ReduceLROnPlateau");
        this.factor = b.factor;
        this.patience = b.patience;
        this.cooldown = b.cooldown;
        this.minLr = b.minLr;
    }

    public static Builder builder() { return new Builder(); }

    /** Collects settings; defaults as in Keras (factor 0.1, patience 10, minDelta 1e-4, cooldown 0, minLr 0). */
    public static final class Builder {
        private String monitor = "val_loss";
        private float factor = 0.1f;
        private int patience = 10;
        private double minDelta = 1e-4;
        private int cooldown;
        private float minLr;
        private EarlyStopping.Mode mode = EarlyStopping.Mode.AUTO;

        public Builder monitor(String monitor) { this.monitor = monitor; return this; }

        public Builder factor(float factor) { this.factor = factor; return this; }

        public Builder patience(int patience) { this.patience = patience; return this; }

        public Builder minDelta(double minDelta) { this.minDelta = minDelta; return this; }

        public Builder cooldown(int cooldown) { this.cooldown = cooldown; return this; }

        public Builder minLr(float minLr) { this.minLr = minLr; return this; }

        public Builder mode(EarlyStopping.Mode mode) { this.mode = mode; return this; }

        public ReduceLROnPlateau build() { return new ReduceLROnPlateau(this); }
    }

    @Override
    public void onTrainBegin(Trainer trainer, FitOptions options) {
        monitor.checkAvailable(options);
        best = monitor.worst();
        wait = 0;
        cooldownLeft = 0;
        scale = 1f;
        reductions = 0;
        // A resumed run (fit from initialEpoch) first goes through the epochs it continues, with their
        // recorded values and rates, so it lowers the rate when the uninterrupted run would have.
        if (past != null) {
            int done = Math.min(options.initialEpoch(), past.epochs());
            for (int e = 0; e < done; e++) observe(monitored(past, e), past.learningRates().get(e).floatValue());
        }
    }

    /**
     * This callback continues the run whose first epochs {@code history} holds (a checkpoint's): each
     * {@code fit} with an {@code initialEpoch} replays that many of them before its own epochs, so the
     * plateau count, the cooldown and the reductions are as if the run had not been interrupted.
     */
    public ReduceLROnPlateau continuing(History history) {
        this.past = history;
        return this;
    }

    private double monitored(History h, int epoch) {
        if (!h.keys().contains(monitor.name())) {
            throw new IllegalArgumentException("ReduceLROnPlateau monitors '" + monitor.name() + "', which the run it"
                    + " continues did not record (it has " + h.keys() + ")");
        }
        return h.get(monitor.name()).get(epoch);
    }

    @Override
    public void onEpochBegin(int epoch, Trainer trainer) {
        if (scale < 1f) {
            float scheduled = trainer.optimizer().learningRate();
            trainer.optimizer().setLearningRate(Math.max(scheduled * scale, Math.min(minLr, scheduled)));
        }
    }

    @Override
    public void onEpochEnd(int epoch, EpochLogs logs, Trainer trainer) {
        observe(monitor.read(logs), trainer.optimizer().learningRate());
    }

    /** One epoch's monitored value and the rate it ran with, as Keras's on_epoch_end takes them. */
    private void observe(double current, float rate) {
        boolean inCooldown = cooldownLeft > 0;
        if (inCooldown) {
            cooldownLeft--;
            wait = 0;
        }
        if (monitor.improves(current, best)) {
            best = current;
            wait = 0;
        } else if (!inCooldown && ++wait >= patience) {
            if (rate > minLr) {
                scale *= factor;
                reductions++;
                cooldownLeft = cooldown;
                wait = 0;
            }
        }
    }

    /** How many times the rate was lowered in the last (or current) fit. */
    public int reductions() { return reductions; }
}
