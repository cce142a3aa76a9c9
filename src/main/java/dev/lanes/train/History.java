package dev.lanes.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code fit} returns: per epoch, the loss and every metric (and their {@code val_} versions),
 * the seconds the epoch took and the training samples per second.
 *
 * <pre>{@code
 * History h = trainer.fit(x, y, options);
 * double finalLoss = h.last("loss");
 * List<Double> valAccuracy = h.get("val_accuracy");
 * }</pre>
 */
public final class History {
    private final Map<String, List<Double>> values = new LinkedHashMap<>();
    private final List<Double> seconds = new ArrayList<>();
    private final List<Double> samplesPerSecond = new ArrayList<>();
    private final List<Double> learningRates = new ArrayList<>();

    /** Appends one epoch (fit does this; a resumed run uses it to put the earlier epochs back in front). */
    public void record(EpochLogs logs) {
        for (Map.Entry<String, Double> e : logs.values().entrySet()) {
            values.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
        }
        seconds.add(logs.seconds());
        samplesPerSecond.add(logs.samplesPerSecond());
        learningRates.add((double) logs.learningRate());
    }

    /** Epochs actually run (fewer than asked for when early stopping ended training). */
    public int epochs() { return seconds.size(); }

    /** "loss", the metric names, then their "val_" versions. */
    public Set<String> keys() { return Collections.unmodifiableSet(values.keySet()); }

    /** The per-epoch values of {@code key}. */
    public List<Double> get(String key) {
        List<Double> v = values.get(key);
        if (v == null) throw new IllegalArgumentException("no '" + key + "' in this history; it has " + values.keySet());
        return Collections.unmodifiableList(v);
    }

    /** The value of {@code key} after the last epoch. */
    public double last(String key) {
        List<Double> v = get(key);
        return v.get(v.size() - 1);
    }

    public List<Double> seconds() { return Collections.unmodifiableList(seconds); }

    public List<Double> samplesPerSecond() { return Collections.unmodifiableList(samplesPerSecond); }

    public List<Double> learningRates() { return Collections.unmodifiableList(learningRates); }

    @Override
    public String toString() {
        return "History" + values + " over " + epochs() + " epochs";
    }
}
