package dev.lanes.train;

import dev.lanes.nn.Loss;
import dev.lanes.tensor.Matrix;
import java.util.Arrays;

/**
 * A weight per class for imbalanced classification: Keras's {@code fit(class_weight=...)}, with
 * scikit-learn's {@code class_weight='balanced'} as {@link #balanced}. Given to
 * {@link FitOptions.Builder#classWeights(ClassWeights)}.
 *
 * <p>Semantics are Keras's: each training row's loss is multiplied by the weight of its class, and
 * the batch loss is the sum of the weighted row losses divided by the batch size (not by the sum of
 * the weights), so row i's gradient is scaled by its weight:
 * <pre>
 *   loss = Σᵢ w[class(i)] · Lᵢ / m        ∂loss/∂zᵢ = w[class(i)] · ∂Lᵢ/∂zᵢ / m
 * </pre>
 * The epoch's training {@code loss} is this weighted loss; validation loss and all metrics are not
 * weighted. A row's class is its label for sparse categorical cross-entropy, the argmax of its
 * target row for categorical cross-entropy (the first on ties), and its 0/1 target for binary
 * cross-entropy with one sigmoid output (a soft target counts as the class it rounds to, 0.5 as 0,
 * as NumPy rounds). Regression losses take no class weights.
 *
 * <pre>{@code
 * FitOptions.builder().classWeights(ClassWeights.of(1f, 2.5f))               // class 1 counts 2.5×
 * FitOptions.builder().classWeights(ClassWeights.balanced(trainLabels, 2))   // n / (classes · count)
 * }</pre>
 */
public final class ClassWeights {
    private final float[] weights;

    private ClassWeights(float[] weights) {
        this.weights = weights;
    }

    /**
     * Weights in class order, one per class.
     *
     * @throws IllegalArgumentException for no weights, a weight that is negative or not finite, or all zero
     */
    public static ClassWeights of(float... weights) {
        if (weights.length == 0) throw new IllegalArgumentException("class weights: give one weight per class, got none");
        boolean anyPositive = false;
        for (int c = 0; c < weights.length; c++) {
            float w = weights[c];
            if (!Float.isFinite(w) || w < 0f) {
                throw new IllegalArgumentException("class weights: the weight of class " + c + " is " + w
                        + "; weights must be finite and >= 0");
            }
            anyPositive |= w > 0f;
        }
        if (!anyPositive) {
            throw new IllegalArgumentException("class weights are all 0: every row's loss would be 0 and nothing would train");
        }
        return new ClassWeights(weights.clone());
    }

    /**
     * scikit-learn's {@code 'balanced'}: {@code n_samples / (n_classes · count(class))}, so every
     * class carries the same total weight. Compute it from the rows {@code fit} trains on.
     *
     * @param labels  an m×1 column of class indices (0/1 for a binary task), or m×classes one-hot rows
     * @throws IllegalArgumentException when a class has no rows (naming it), or a label is not a class index
     */
    public static ClassWeights balanced(Matrix labels, int classes) {
        checkClasses(classes);
        if (labels.cols() != 1 && labels.cols() != classes) {
            throw new IllegalArgumentException("balanced class weights need an m×1 column of class indices or m×" + classes
                    + " one-hot rows, got " + labels.shape());
        }
        int[] classOf = new int[labels.rows()];
        for (int r = 0; r < classOf.length; r++) {
            if (labels.cols() == 1) {
                float label = labels.get(r, 0);
                if (!(label >= 0f && label < classes) || label != Math.rint(label)) {
                    throw new IllegalArgumentException("label row " + r + " holds " + label + ", expected a class index in [0, "
                            + classes + ")");
                }
                classOf[r] = (int) label;
            } else {
                classOf[r] = argmax(labels, r);
            }
        }
        return balanced(classOf, classes);
    }

    /** As {@link #balanced(Matrix, int)} from class indices. */
    public static ClassWeights balanced(int[] labels, int classes) {
        checkClasses(classes);
        long[] counts = new long[classes];
        for (int r = 0; r < labels.length; r++) {
            int c = labels[r];
            if (c < 0 || c >= classes) {
                throw new IllegalArgumentException("label " + r + " is " + c + ", expected a class index in [0, " + classes + ")");
            }
            counts[c]++;
        }
        float[] w = new float[classes];
        for (int c = 0; c < classes; c++) {
            if (counts[c] == 0) {
                throw new IllegalArgumentException("balanced class weights: class " + c + " has no rows among the "
                        + labels.length + " labels, so its weight n / (classes · count) would divide by zero");
            }
            w[c] = (float) ((double) labels.length / ((double) classes * counts[c]));
        }
        return new ClassWeights(w);
    }

    private static void checkClasses(int classes) {
        if (classes < 2) throw new IllegalArgumentException("class weights need at least 2 classes, got " + classes);
    }

    public int classes() { return weights.length; }

    public float weight(int c) { return weights[c]; }

    public float[] toArray() { return weights.clone(); }

    /**
     * Refuses weights that {@code loss} on a model with {@code outputs} outputs cannot use: a
     * regression loss, binary cross-entropy over several outputs, or a count other than the classes.
     */
    void checkFits(Loss loss, int outputs) {
        int classes = switch (loss.kind()) {
            case SPARSE_CATEGORICAL_CROSS_ENTROPY, CATEGORICAL_CROSS_ENTROPY -> outputs;
            case BINARY_CROSS_ENTROPY -> {
                if (outputs != 1) {
                    throw new IllegalArgumentException("class weights with " + loss + " need one sigmoid output (a row's"
                            + " class is its 0/1 target), but the model has " + outputs + " outputs");
                }
                yield 2;
            }
            default -> throw new IllegalArgumentException("class weights apply to classification losses"
                    + " (sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy); " + loss
                    + " is a regression loss");
        };
        if (weights.length != classes) {
            throw new IllegalArgumentException(weights.length + " class weights given for " + classes + " classes ("
                    + loss + " on " + outputs + " output" + (outputs == 1 ? "" : "s") + "); give one weight per class,"
                    + " in class order");
        }
    }

    /** Row r of {@code out} (targets.rows()×1) = the weight of row r's class under {@code loss}; see the class comment. */
    void rowWeights(Loss loss, Matrix targets, Matrix out) {
        for (int r = 0; r < targets.rows(); r++) {
            int c = switch (loss.kind()) {
                case SPARSE_CATEGORICAL_CROSS_ENTROPY -> (int) targets.get(r, 0);
                case CATEGORICAL_CROSS_ENTROPY -> argmax(targets, r);
                default -> targets.get(r, 0) > 0.5f ? 1 : 0;
            };
            out.set(r, 0, weights[c]);
        }
    }

    private static int argmax(Matrix m, int r) {
        int best = 0;
        for (int c = 1; c < m.cols(); c++) {
            if (m.get(r, c) > m.get(r, best)) best = c;
        }
        return best;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("class weights [");
        for (int c = 0; c < weights.length; c++) {
            if (c > 0) b.append(", ");
            b.append(weights[c]);
        }
        return b.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassWeights w && Arrays.equals(w.weights, weights);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(weights); }
}
