package dev.lanes.train;

import dev.lanes.nn.WeightSnapshot;

/**
 * Stops training when a monitored quantity has stopped improving, with Keras's semantics: an epoch
 * improves on the best so far when it beats it by more than {@code minDelta} (lower for mode MIN,
 * higher for MAX; AUTO picks MAX for names containing "acc", else MIN); training stops once
 * {@code patience} epochs in a row have not improved. With {@code restoreBestWeights}, the weights of
 * the best epoch are put back when training ends (kept off-heap in a {@link WeightSnapshot}).
 *
 * <pre>{@code
 * EarlyStopping.builder().monitor("val_loss").patience(5).minDelta(1e-4).restoreBestWeights(true).build()
 * }</pre>
 */
public final class EarlyStopping implements Callback {

    /** Whether smaller or larger is better. */
    public enum Mode { AUTO, MIN, MAX }

    private final Monitor monitor;
    private final int patience;
    private final boolean restoreBestWeights;
    private double best;
    private int bestEpoch;
    private int wait;
    private int stoppedEpoch;
    private WeightSnapshot bestWeights;

    private EarlyStopping(String monitor, double minDelta, int patience, Mode mode, boolean restoreBestWeights) {
        if (patience < 0) throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        this.monitor = Monitor.of(monitor, minDelta, mode, "early stopping");
        this.patience = patience;
        this.restoreBestWeights = restoreBestWeights;
    }

    public static Builder builder() { return new Builder(); }

    /** Collects {@link EarlyStopping} settings; defaults as in Keras except {@code monitor}, which is {@code val_loss}. */
    public static final class Builder {
        private String monitor = "val_loss";
        private double minDelta;
        private int patience;
        private Mode mode = Mode.AUTO;
        private boolean restoreBestWeights;

        public Builder monitor(String monitor) { this.monitor = monitor; return this; }

        public Builder minDelta(double minDelta) { this.minDelta = minDelta; return this; }

        public Builder patience(int patience) { this.patience = patience; return this; }

        public Builder mode(Mode mode) { this.mode = mode; return this; }

        public Builder restoreBestWeights(boolean restore) { this.restoreBestWeights = restore; return this; }

        public EarlyStopping build() { return new EarlyStopping(monitor, minDelta, patience, mode, restoreBestWeights); }
    }

    @Override
    public void onTrainBegin(Trainer trainer, FitOptions options) {
        monitor.checkAvailable(options);
        best = monitor.worst();
        bestEpoch = -1;
        wait = 0;
        stoppedEpoch = -1;
        closeSnapshot();
        if (restoreBestWeights) bestWeights = trainer.model().snapshot();
    }

    @Override
    public void onEpochEnd(int epoch, EpochLogs logs, Trainer trainer) {
        double current = monitor.read(logs);
        wait++;
        if (monitor.improves(current, best)) {
            best = current;
            bestEpoch = epoch;
            wait = 0;
            if (bestWeights != null) bestWeights.capture();
            return;
        }
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            trainer.stopTraining();
        }
    }

    @Override
    public void onTrainEnd(Trainer trainer, History history) {
        if (bestWeights != null && bestEpoch >= 0) bestWeights.restore();
        closeSnapshot();
    }

    /** The copy of the best weights is off-heap: free it; the model keeps what the trainer left it. */
    @Override
    public void onTrainFailed(Trainer trainer, Throwable cause) {
        closeSnapshot();
    }

    /** Whether a copy of the best weights is held (allocated); for tests. */
    boolean holdsBestWeights() {
        return bestWeights != null;
    }

    private void closeSnapshot() {
        if (bestWeights != null) bestWeights.close();
        bestWeights = null;
    }

    /** The 0-based epoch after which training was stopped, or −1 when it ran to the end. */
    public int stoppedEpoch() { return stoppedEpoch; }

    /** The 0-based epoch with the best monitored value, or −1 before any epoch. */
    public int bestEpoch() { return bestEpoch; }

    public double best() { return best; }
}
