package dev.lanes.nn;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;

/**
 * A training loss: its mean value over a batch and its gradient with respect to the model output,
 * computed together in one kernel pass. The cross-entropies consume logits: a model whose output
 * layer ends in softmax (categorical) or sigmoid (binary) stops applying it while training and the
 * loss kernel applies it itself, which is both faster and stable for any logit. MSE, MAE, Huber and
 * binary cross-entropy average over all m·n output elements (PyTorch's {@code reduction="mean"}, and
 * Keras's mean over outputs then rows); the categorical cross-entropies average over the m rows.
 *
 * <pre>{@code
 * Loss.categoricalCrossEntropy()         // one-hot targets, softmax output
 * Loss.sparseCategoricalCrossEntropy()   // targets are class indices (an m×1 column), softmax output
 * Loss.binaryCrossEntropy()              // 0/1 targets, sigmoid output
 * Loss.meanSquaredError(), Loss.meanAbsoluteError(), Loss.huber(1f)
 * }</pre>
 */
public final class Loss {

    /** The supported losses. */
    public enum Kind { MEAN_SQUARED_ERROR, MEAN_ABSOLUTE_ERROR, HUBER, BINARY_CROSS_ENTROPY,
        CATEGORICAL_CROSS_ENTROPY, SPARSE_CATEGORICAL_CROSS_ENTROPY }

    private final Kind kind;
    private final float delta;

    private Loss(Kind kind, float delta) {
        this.kind = kind;
        this.delta = delta;
    }

    public static Loss meanSquaredError() { return new Loss(Kind.MEAN_SQUARED_ERROR, 0f); }

    public static Loss meanAbsoluteError() { return new Loss(Kind.MEAN_ABSOLUTE_ERROR, 0f); }

    /** Quadratic within ±delta of the target, linear beyond (Keras's default delta is 1). */
    public static Loss huber(float delta) {
        if (!(delta > 0f) || Float.isInfinite(delta)) {
            throw new IllegalArgumentException("Huber delta must be finite and > 0, got " + delta);
        }
        return new Loss(Kind.HUBER, delta);
    }

    public static Loss binaryCrossEntropy() { return new Loss(Kind.BINARY_CROSS_ENTROPY, 0f); }

    public static Loss categoricalCrossEntropy() { return new Loss(Kind.CATEGORICAL_CROSS_ENTROPY, 0f); }

    public static Loss sparseCategoricalCrossEntropy() { return new Loss(Kind.SPARSE_CATEGORICAL_CROSS_ENTROPY, 0f); }

    /** Parses {@code mse}, {@code mae}, {@code huber[:delta]}, {@code binary_crossentropy}, {@code categorical_crossentropy}, {@code sparse_categorical_crossentropy}. */
    public static Loss parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT).replace("-", "_");
        if (t.startsWith("huber")) {
            if (t.equals("huber")) return huber(1f);
            if (t.startsWith("huber:")) {
                try {
                    return huber(Float.parseFloat(t.substring(6)));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad Huber delta in '" + text + "'", e);
                }
            }
        }
        return switch (t) {
            case "mse", "mean_squared_error" -> meanSquaredError();
            case "mae", "mean_absolute_error" -> meanAbsoluteError();
            case "bce", "binary_crossentropy", "binary_cross_entropy" -> binaryCrossEntropy();
            case "cce", "categorical_crossentropy", "categorical_cross_entropy" -> categoricalCrossEntropy();
            case "sparse_categorical_crossentropy", "sparse_categorical_cross_entropy", "scce" -> sparseCategoricalCrossEntropy();
            default -> throw new IllegalArgumentException("unknown loss '" + text + "' (expected mse, mae, huber[:delta], "
                    + "binary_crossentropy, categorical_crossentropy or sparse_categorical_crossentropy)");
        };
    }

    public Kind kind() { return kind; }

    /** Huber's threshold; 0 for the other losses. */
    public float delta() { return delta; }

    /** True for the cross-entropies, which take logits and apply the output activation themselves. */
    public boolean fusesOutputActivation() {
        return kind == Kind.BINARY_CROSS_ENTROPY || kind == Kind.CATEGORICAL_CROSS_ENTROPY
                || kind == Kind.SPARSE_CATEGORICAL_CROSS_ENTROPY;
    }

    /** Columns the targets must have for a model with {@code units} outputs. */
    public int targetWidth(int units) {
        return kind == Kind.SPARSE_CATEGORICAL_CROSS_ENTROPY ? 1 : units;
    }

    /**
     * Refuses a loss that does not fit the output layer, with a message that says what to use instead.
     *
     * @throws IllegalArgumentException for a wrong combination
     */
    public void checkOutput(Activation output, int units) {
        switch (kind) {
            case CATEGORICAL_CROSS_ENTROPY, SPARSE_CATEGORICAL_CROSS_ENTROPY -> {
                if (output.kind() != Activation.Kind.SOFTMAX || units < 2) {
                    throw new IllegalArgumentException(this + " needs a softmax output layer with at least 2 units, but the"
                            + " model ends in " + units + " unit" + (units == 1 ? "" : "s") + " with " + output + " activation"
                            + (units == 1 && output.kind() == Activation.Kind.SIGMOID
                                    ? "; for two classes with one sigmoid unit use binary_crossentropy"
                                    : "; end the model with Dense(classes, Activation.softmax())"));
                }
            }
            case BINARY_CROSS_ENTROPY -> {
                if (output.kind() != Activation.Kind.SIGMOID) {
                    throw new IllegalArgumentException(this + " needs a sigmoid output layer, but the model ends with "
                            + output + " activation" + (output.kind() == Activation.Kind.SOFTMAX
                                    ? "; for a softmax output use categorical_crossentropy"
                                    : "; end the model with Dense(1, Activation.sigmoid())"));
                }
            }
            default -> { }
        }
    }

    /**
     * Refuses targets that do not match the model's {@code units} outputs or the {@code rows} inputs.
     * Sparse labels must be whole numbers in [0, units).
     */
    public void checkTargets(Matrix targets, int rows, int units) {
        if (targets.rows() != rows) {
            throw new IllegalArgumentException("targets have " + targets.rows() + " rows but the inputs have " + rows);
        }
        int width = targetWidth(units);
        if (targets.cols() != width) {
            String hint = switch (kind) {
                case SPARSE_CATEGORICAL_CROSS_ENTROPY -> " (one class index per row; for one-hot targets use categorical_crossentropy)";
                case CATEGORICAL_CROSS_ENTROPY -> targets.cols() == 1
                        ? " (one-hot rows; for class indices use sparse_categorical_crossentropy)" : "";
                default -> "";
            };
            throw new IllegalArgumentException(this + " on a model with " + units + " output" + (units == 1 ? "" : "s")
                    + " needs targets with " + width + " column" + (width == 1 ? "" : "s") + ", got " + targets.shape() + hint);
        }
        if (kind == Kind.SPARSE_CATEGORICAL_CROSS_ENTROPY) {
            for (int r = 0; r < targets.rows(); r++) {
                float label = targets.get(r, 0);
                if (!(label >= 0f && label < units) || label != Math.rint(label)) {
                    throw new IllegalArgumentException("target row " + r + " holds class " + label
                            + ", expected a whole number in [0, " + units + ")");
                }
            }
            return;
        }
        // Caught here, a bad target is named; left to the loss, it surfaced as a NaN loss blamed on
        // the learning rate. Cross-entropy targets are probabilities, as PyTorch's BCELoss requires.
        boolean probabilities = kind == Kind.BINARY_CROSS_ENTROPY || kind == Kind.CATEGORICAL_CROSS_ENTROPY;
        for (int r = 0; r < targets.rows(); r++) {
            for (int c = 0; c < targets.cols(); c++) {
                float t = targets.get(r, c);
                if (!Float.isFinite(t) || probabilities && !(t >= 0f && t <= 1f)) {
                    throw new IllegalArgumentException("target row " + r + (targets.cols() > 1 ? " column " + c : "")
                            + " holds " + t + "; " + this + (probabilities ? " needs targets in [0, 1]" : " needs finite targets"));
                }
            }
        }
    }

    /**
     * Mean loss over the batch; writes ∂loss/∂output into {@code gradient} (which may alias
     * {@code output}). {@code output} holds logits for the cross-entropies.
     */
    public float compute(Kernels kernels, Matrix output, Matrix targets, Matrix gradient) {
        return switch (kind) {
            case MEAN_SQUARED_ERROR -> kernels.meanSquaredError(output, targets, gradient);
            case MEAN_ABSOLUTE_ERROR -> kernels.meanAbsoluteError(output, targets, gradient);
            case HUBER -> kernels.huber(output, targets, delta, gradient);
            case BINARY_CROSS_ENTROPY -> kernels.sigmoidBinaryCrossEntropy(output, targets, gradient);
            case CATEGORICAL_CROSS_ENTROPY -> kernels.softmaxCrossEntropy(output, targets, gradient);
            case SPARSE_CATEGORICAL_CROSS_ENTROPY -> kernels.sparseSoftmaxCrossEntropy(output, targets, gradient);
        };
    }

    /**
     * As {@link #compute} with row r's loss and gradient times {@code rowWeights[r]} (an m×1 column):
     * {@code Σᵣ wᵣ·Lᵣ / m}, Keras's weighted loss (sum over the batch divided by its size), where Lᵣ is
     * row r's loss (for MSE, MAE and Huber the mean over its outputs).
     */
    public float computeWeighted(Kernels kernels, Matrix output, Matrix targets, Matrix rowWeights, Matrix gradient) {
        return switch (kind) {
            case MEAN_SQUARED_ERROR -> kernels.weightedMeanSquaredError(output, targets, rowWeights, gradient);
            case MEAN_ABSOLUTE_ERROR -> kernels.weightedMeanAbsoluteError(output, targets, rowWeights, gradient);
            case HUBER -> kernels.weightedHuber(output, targets, delta, rowWeights, gradient);
            case BINARY_CROSS_ENTROPY -> kernels.weightedSigmoidBinaryCrossEntropy(output, targets, rowWeights, gradient);
            case CATEGORICAL_CROSS_ENTROPY -> kernels.weightedSoftmaxCrossEntropy(output, targets, rowWeights, gradient);
            case SPARSE_CATEGORICAL_CROSS_ENTROPY ->
                    kernels.weightedSparseSoftmaxCrossEntropy(output, targets, rowWeights, gradient);
        };
    }

    /** Keras's name: "mean_squared_error", "huber(delta=1.0)", ... */
    @Override
    public String toString() {
        return switch (kind) {
            case MEAN_SQUARED_ERROR -> "mean_squared_error";
            case MEAN_ABSOLUTE_ERROR -> "mean_absolute_error";
            case HUBER -> "huber(delta=" + delta + ")";
            case BINARY_CROSS_ENTROPY -> "binary_crossentropy";
            case CATEGORICAL_CROSS_ENTROPY -> "categorical_crossentropy";
            case SPARSE_CATEGORICAL_CROSS_ENTROPY -> "sparse_categorical_crossentropy";
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Loss l && l.kind == kind && l.delta == delta;
    }

    @Override
    public int hashCode() { return kind.hashCode() * 31 + Float.hashCode(delta); }
}
