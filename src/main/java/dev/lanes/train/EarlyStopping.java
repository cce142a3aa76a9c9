package dev.lanes.train;

import dev.lanes.nn.WeightSnapshot;
import java.util.Locale;

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

    private final String monitor;
    private final double minDelta;
    private final int patience;
    private final boolean restoreBestWeights;
    private final boolean maximize;
    private double best;
    private int bestEpoch;
    private int wait;
    private int stoppedEpoch;
    private WeightSnapshot bestWeights;

    private EarlyStopping(String monitor, double minDelta, int patience, Mode mode, boolean restoreBestWeights) {
        if (patience < 0) throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        if (!(minDelta >= 0)) throw new IllegalArgumentException("minDelta must be >= 0, got " + minDelta);
        this.monitor = monitor;
        this.minDelta = minDelta;
        this.patience = patience;
        this.restoreBestWeights = restoreBestWeights;
        this.maximize = mode == Mode.MAX || (mode == Mode.AUTO && monitor.toLowerCase(Locale.ROOT).contains("acc"));
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
        if (monitor.startsWith("val_") && !options.hasValidation()) {
            throw new IllegalArgumentException("early stopping monitors '" + monitor + "' but fit has no validation data;"
                    + " give validationSplit or validationData, or monitor 'loss'");
        }
        best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        bestEpoch = -1;
        wait = 0;
        stoppedEpoch = -1;
        closeSnapshot();
        if (restoreBestWeights) bestWeights = trainer.model().snapshot();
    }

    @Override
    public void onEpochEnd(int epoch, EpochLogs logs, Trainer trainer) {
        Double current = logs.get(monitor);
        if (current == null) {
            throw new IllegalArgumentException("early stopping monitors '" + monitor + "', which is not among "
                    + logs.values().keySet());
        }
        wait++;
        if (improves(current)) {
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

    private boolean improves(double current) {
        return maximize ? current - minDelta > best : current + minDelta < best;
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
