package dev.lanes.cli;

import dev.lanes.data.Preprocessing;
import dev.lanes.data.Standardizer;
import dev.lanes.io.Json;
import dev.lanes.tensor.Matrix;
import java.util.List;
import java.util.Map;

/**
 * How raw feature values become model inputs: divided by {@code divisor}, then standardized with
 * the training part's statistics (either step may be absent). Stored in a model file's preprocessing
 * metadata ({@code divide_by}, {@code standardize_mean}, {@code standardize_std}) so evaluation and
 * prediction prepare rows exactly as training did.
 *
 * <p>{@code classNames} are the classes a saved model was trained on, in class-id order (its
 * {@code class_names} metadata, which {@link Recipe.Prepared#metadata()} writes): re-reading a CSV
 * file for {@code lanes evaluate} maps its labels to these ids, not to ids derived afresh from
 * whatever labels that file holds. Null for a preparation being fitted, and for regression.
 *
 * <p>{@code coding} is how a CSV recipe coded the file's text columns, read back from a saved model
 * (see {@link CsvCoding}); null for a preparation being fitted and for other datasets.
 */
record Preparation(float divisor, Standardizer standardizer, List<String> classNames, CsvCoding coding) {
    Preparation {
        if (!(divisor > 0f) || Float.isInfinite(divisor)) {
            throw new IllegalArgumentException("divide_by must be finite and > 0, got " + divisor);
        }
        if (classNames != null) classNames = List.copyOf(classNames);
    }

    Preparation(float divisor, Standardizer standardizer, List<String> classNames) {
        this(divisor, standardizer, classNames, null);
    }

    Preparation(float divisor, Standardizer standardizer) {
        this(divisor, standardizer, null, null);
    }

    Preparation withStandardizer(Standardizer s) {
        return new Preparation(divisor, s, classNames, coding);
    }

    /** Prepares raw rows (as read from a CSV file) in place. */
    void apply(Matrix x) {
        applyToLoaded(x, 1f);
    }

    /**
     * Prepares rows a dataset loader returned, which may already have been divided by
     * {@code loaderDivisor} (the IDX readers scale pixels to [0, 1]).
     */
    void applyToLoaded(Matrix x, float loaderDivisor) {
        if (standardizer != null && standardizer.features() != x.cols()) {
            throw new UsageException("the model was prepared for " + standardizer.features() + " features, the data has "
                    + x.cols());
        }
        if (loaderDivisor == 1f) {
            if (divisor != 1f) Preprocessing.divide(x, divisor);
        } else if (divisor != loaderDivisor) {
            throw new UsageException("the model expects inputs divided by " + divisor + ", but this dataset is loaded "
                    + "divided by " + loaderDivisor + "; it was trained on a different dataset");
        }
        if (standardizer != null) standardizer.apply(x);
    }

    void writeTo(Map<String, Object> metadata) {
        if (standardizer != null) {
            metadata.put("standardize_mean", standardizer.mean());
            metadata.put("standardize_std", standardizer.std());
        }
        if (divisor != 1f) metadata.put("divide_by", divisor);
    }

    /** Reads what {@link #writeTo} wrote; {@code where} names the file for error messages. */
    static Preparation readFrom(Map<String, Object> metadata, String where) {
        try {
            Object divideBy = metadata.get("divide_by");
            if (divideBy != null && !(divideBy instanceof Number)) {
                throw new IllegalArgumentException("\"divide_by\" must be a number, got " + Json.write(divideBy));
            }
            float divisor = divideBy instanceof Number n ? n.floatValue() : 1f;
            Object mean = metadata.get("standardize_mean"), std = metadata.get("standardize_std");
            Standardizer s = null;
            if (mean != null || std != null) s = Standardizer.of(floats(mean, "standardize_mean"), floats(std, "standardize_std"));
            List<String> classes = null;
            if (metadata.get("class_names") instanceof List<?> names && names.size() >= 2) {
                classes = names.stream().map(String::valueOf).toList();
            }
            return new Preparation(divisor, s, classes, CsvCoding.readFrom(metadata));
        } catch (RuntimeException e) {
            throw new UsageException(where + ": the model's preprocessing metadata is invalid: " + e.getMessage());
        }
    }

    private static float[] floats(Object o, String field) {
        if (!(o instanceof List<?> list)) {
            throw new IllegalArgumentException("\"" + field + "\" must be a list of numbers, got " + Json.write(o));
        }
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n)) {
                throw new IllegalArgumentException("\"" + field + "\"[" + i + "] must be a number, got "
                        + Json.write(list.get(i)));
            }
            out[i] = n.floatValue();
        }
        return out;
    }

    String describe() {
        StringBuilder sb = new StringBuilder(coding == null ? "" : coding.describe());
        if (divisor != 1f) sb.append(sb.isEmpty() ? "" : ", then ").append("divide by ").append(divisor);
        if (standardizer != null) {
            if (!sb.isEmpty()) sb.append(", then ");
            sb.append("standardize ").append(standardizer.features()).append(" features with training mean and std");
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }
}
