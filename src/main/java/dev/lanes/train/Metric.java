package dev.lanes.train;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A quantity reported per epoch next to the loss. A metric is stateless apart from scratch space:
 * for each batch it returns the sum of its per-sample values, and the training loop divides the
 * epoch's total by the number of samples (so the last, shorter batch weighs what it should).
 *
 * <pre>{@code new Trainer(model, loss, optimizer, Metric.accuracy(), Metric.meanAbsoluteError()) }</pre>
 */
public abstract class Metric {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** The name in logs and {@link History}: "accuracy", "mse", "mae". */
    public abstract String name();

    /**
     * Sum over the batch's rows of the per-sample value.
     *
     * @param output  the model output: probabilities, or logits when {@code logits} is true and
     *                {@link #needsProbabilities()} is false
     * @param outputActivation the output layer's activation
     * @param targets the batch targets as given to {@code fit}
     */
    abstract double batchSum(Kernels kernels, Matrix output, boolean logits, Activation outputActivation, Matrix targets);

    /** Refuses targets this metric cannot compare with {@code outputs} outputs, before training starts. */
    void checkTargets(int outputs, int targetWidth) {}

    /** False when the metric reads logits as well as probabilities (accuracy: argmax and sign agree). */
    boolean needsProbabilities() { return true; }

    /**
     * Classification accuracy: argmax against a class index (m×1 targets) or a one-hot row; for
     * sigmoid outputs, each unit thresholded at 0.5 against a 0/1 target (Keras's binary accuracy).
     */
    public static Metric accuracy() { return new Accuracy(); }

    /** Mean squared error per sample, averaged over outputs. */
    public static Metric meanSquaredError() { return new ErrorMetric(true); }

    /** Mean absolute error per sample, averaged over outputs. */
    public static Metric meanAbsoluteError() { return new ErrorMetric(false); }

    @Override public String toString() { return name(); }

    private static final class Accuracy extends Metric {
        private int[] predicted = new int[0];
        private int[] actual = new int[0];

        @Override public String name() { return "accuracy"; }

        @Override boolean needsProbabilities() { return false; }

        @Override
        double batchSum(Kernels kernels, Matrix output, boolean logits, Activation act, Matrix targets) {
            int m = output.rows();
            if (act.kind() == Activation.Kind.SIGMOID || output.cols() == 1) {
                return binaryCorrect(output, targets, act.kind() == Activation.Kind.SIGMOID ? (logits ? 0f : 0.5f) : 0.5f);
            }
            if (predicted.length < m) {
                predicted = new int[m];
                actual = new int[m];
            }
            kernels.argmaxRows(output, predicted);
            long correct = 0;
            if (targets.cols() == 1) {
                MemorySegment ts = targets.segment();
                for (int r = 0; r < m; r++) {
                    if (predicted[r] == (int) ts.getAtIndex(F, (long) r * targets.stride())) correct++;
                }
            } else {
                kernels.argmaxRows(targets, actual);
                for (int r = 0; r < m; r++) {
                    if (predicted[r] == actual[r]) correct++;
                }
            }
            return correct;
        }

        /** Per row, the fraction of units on the right side of the threshold. */
        private static double binaryCorrect(Matrix output, Matrix targets, float threshold) {
            MemorySegment os = output.segment(), ts = targets.segment();
            int n = output.cols();
            double sum = 0;
            for (int r = 0; r < output.rows(); r++) {
                int hits = 0;
                for (int c = 0; c < n; c++) {
                    boolean p = os.getAtIndex(F, (long) r * output.stride() + c) > threshold;
                    boolean t = ts.getAtIndex(F, (long) r * targets.stride() + c) >= 0.5f;
                    if (p == t) hits++;
                }
                sum += (double) hits / n;
            }
            return sum;
        }
    }

    private static final class ErrorMetric extends Metric {
        private final boolean squared;

        ErrorMetric(boolean squared) { this.squared = squared; }

        @Override public String name() { return squared ? "mse" : "mae"; }

        @Override
        void checkTargets(int outputs, int targetWidth) {
            if (targetWidth != outputs) {
                throw new IllegalArgumentException(name() + " needs targets as wide as the " + outputs
                        + " outputs, got " + targetWidth + " column" + (targetWidth == 1 ? "" : "s")
                        + " (class indices? use accuracy, or one-hot targets)");
            }
        }

        @Override
        double batchSum(Kernels kernels, Matrix output, boolean logits, Activation act, Matrix targets) {
            checkTargets(output.cols(), targets.cols());
            MemorySegment os = output.segment(), ts = targets.segment();
            int n = output.cols();
            double sum = 0;
            for (int r = 0; r < output.rows(); r++) {
                double row = 0;
                for (int c = 0; c < n; c++) {
                    double d = os.getAtIndex(F, (long) r * output.stride() + c) - ts.getAtIndex(F, (long) r * targets.stride() + c);
                    row += squared ? d * d : Math.abs(d);
                }
                sum += row / n;
            }
            return sum;
        }
    }
}
