package dev.lanes.train;

import java.util.Locale;

/**
 * The quantity a callback watches ({@code val_loss}, {@code accuracy}, ...) and Keras's rule for when
 * an epoch improves on the best so far: by more than {@code minDelta}, lower for mode MIN and higher
 * for MAX, AUTO picking MAX for names containing "acc". Shared by {@link EarlyStopping} and
 * {@link ReduceLROnPlateau} and {@code dev.lanes.io.ModelCheckpoint}, which say who is watching in
 * their messages. Public for callbacks outside this package that watch a quantity the same way.
 */
public record Monitor(String name, double minDelta, boolean maximize, String watcher) {
    public Monitor {
        if (!(minDelta >= 0)) throw new IllegalArgumentException("minDelta must be >= 0, got " + minDelta);
    }

    public static Monitor of(String name, double minDelta, EarlyStopping.Mode mode, String watcher) {
        return new Monitor(name, minDelta, mode == EarlyStopping.Mode.MAX
                || (mode == EarlyStopping.Mode.AUTO && name.toLowerCase(Locale.ROOT).contains("acc")), watcher);
    }

    /** The best value before any epoch: every first epoch improves on it. */
    public double worst() {
        return maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    public boolean improves(double current, double best) {
        return maximize ? current - minDelta > best : current + minDelta < best;
    }

    /** Refuses a {@code val_} quantity when the fit has nothing to validate on. */
    public void checkAvailable(FitOptions options) {
        if (name.startsWith("val_") && !options.hasValidation()) {
            throw new IllegalArgumentException(watcher + " monitors '" + name + "' but fit has no validation data;"
                    + " give validationSplit or validationData, or monitor 'loss'");
        }
    }

    /** The watched value of an epoch. */
    public double read(EpochLogs logs) {
        Double current = logs.get(name);
        if (current == null) {
            throw new IllegalArgumentException(watcher + " monitors '" + name + "', which is not among "
                    + logs.values().keySet());
        }
        return current;
    }
}
