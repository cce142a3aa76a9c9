package dev.lanes.train;

import java.util.Collections;
import java.util.Map;

/**
 * What one epoch produced, as callbacks see it: {@code loss}, each metric, and their {@code val_}
 * versions when there is validation data, plus timing and the learning rate used.
 */
public record EpochLogs(int epoch, Map<String, Double> values, double seconds, double samplesPerSecond,
                        float learningRate) {
    public EpochLogs {
        values = Collections.unmodifiableMap(values);
    }

    /** The value named {@code key}, or {@code null} when it was not computed. */
    public Double get(String key) { return values.get(key); }
}
