package dev.lanes.train;

import java.util.Collections;
import java.util.Map;

/**
 * The mean loss and metrics over a data set, from {@link Trainer#evaluate}.
 *
 * @param loss    the mean loss over all rows (regularization penalties not included)
 * @param metrics metric name → mean over all rows
 */
public record Evaluation(double loss, Map<String, Double> metrics) {
    public Evaluation {
        metrics = Collections.unmodifiableMap(metrics);
    }

    /** The named metric; fails with the available names when it was not computed. */
    public double metric(String name) {
        Double v = metrics.get(name);
        if (v == null) throw new IllegalArgumentException("no metric '" + name + "'; computed " + metrics.keySet());
        return v;
    }
}
