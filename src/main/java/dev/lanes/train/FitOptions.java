package dev.lanes.train;

import dev.lanes.tensor.Matrix;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@link Trainer#fit} runs, with Keras's defaults: 1 epoch, batches of 32, shuffled every epoch,
 * no validation, a progress line per epoch. The shuffle order depends only on {@link Builder#seed}.
 *
 * <pre>{@code
 * FitOptions.builder()
 *         .epochs(20).batchSize(64).seed(7)
 *         .validationSplit(0.1)              // the last 10% of the rows, as Keras does
 *         .callbacks(EarlyStopping.builder().patience(3).restoreBestWeights(true).build())
 *         .build();
 * }</pre>
 *
 * @param verbose      progress to {@code out}: a line per epoch, plus a live bar when {@code liveProgress}
 * @param initialEpoch the 0-based epoch to start at (Keras's {@code initial_epoch}): resuming a run
 *                     that completed that many epochs keeps the per-epoch shuffle and learning rate
 * @param classWeights a weight per class for the training loss (Keras's {@code class_weight}; see
 *                     {@link ClassWeights} for the formula), or null for none
 * @param sampleWeights a weight per row of {@code fit}'s inputs for the training loss (Keras's
 *                     {@code sample_weight}), times the class weight when both are given; or null.
 *                     As for class weights, {@code val_loss} and the metrics are not weighted (Keras
 *                     weighs the rows a {@code validation_split} takes with their sample weights)
 */
public record FitOptions(int epochs, int batchSize, boolean shuffle, long seed, double validationSplit,
                         Matrix validationX, Matrix validationY, List<Callback> callbacks,
                         boolean verbose, boolean liveProgress, PrintStream out, int initialEpoch,
                         ClassWeights classWeights, float[] sampleWeights) {

    public FitOptions {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("validation split must be in [0, 1), got " + validationSplit);
        }
        if ((validationX == null) != (validationY == null)) {
            throw new IllegalArgumentException("validation data needs both inputs and targets");
        }
        if (validationX != null && validationSplit > 0) {
            throw new IllegalArgumentException("give either validation data or a validation split, not both");
        }
        if (initialEpoch < 0 || initialEpoch >= epochs) {
            throw new IllegalArgumentException("initial epoch must be in [0, " + epochs + "), got " + initialEpoch);
        }
        callbacks = List.copyOf(callbacks);
        if (out == null) out = System.out;
        if (sampleWeights != null) sampleWeights = checkedSampleWeights(sampleWeights);
    }

    /** Options without class or sample weights. */
    public FitOptions(int epochs, int batchSize, boolean shuffle, long seed, double validationSplit,
                      Matrix validationX, Matrix validationY, List<Callback> callbacks,
                      boolean verbose, boolean liveProgress, PrintStream out, int initialEpoch) {
        this(epochs, batchSize, shuffle, seed, validationSplit, validationX, validationY, callbacks, verbose,
                liveProgress, out, initialEpoch, null, null);
    }

    /** A copy of {@code weights}, refused when one is negative or not finite, or all are 0. */
    private static float[] checkedSampleWeights(float[] weights) {
        boolean any = false;
        for (int r = 0; r < weights.length; r++) {
            if (!(weights[r] >= 0f) || Float.isInfinite(weights[r])) {
                throw new IllegalArgumentException("sample weight " + r + " is " + weights[r]
                        + "; sample weights must be finite and >= 0");
            }
            any |= weights[r] > 0f;
        }
        if (!any) throw new IllegalArgumentException("every sample weight is 0: nothing would be learned");
        return weights.clone();
    }

    /** Options starting at epoch 0. */
    public FitOptions(int epochs, int batchSize, boolean shuffle, long seed, double validationSplit,
                      Matrix validationX, Matrix validationY, List<Callback> callbacks,
                      boolean verbose, boolean liveProgress, PrintStream out) {
        this(epochs, batchSize, shuffle, seed, validationSplit, validationX, validationY, callbacks, verbose,
                liveProgress, out, 0);
    }

    /** The sample weights (a copy), or null. */
    @Override
    public float[] sampleWeights() { return sampleWeights == null ? null : sampleWeights.clone(); }

    public static Builder builder() { return new Builder(); }

    /** All defaults; quiet. */
    public static FitOptions quiet(int epochs, int batchSize) {
        return builder().epochs(epochs).batchSize(batchSize).verbose(false).build();
    }

    public boolean hasValidation() { return validationX != null || validationSplit > 0; }

    /**
     * Of {@code n} rows, how many {@link Trainer#fit} trains on with a validation split of
     * {@code fraction}: the first {@code (int) (n·(1 − fraction))}; the rest are the validation rows.
     */
    public static int trainingRows(int n, double fraction) {
        return fraction > 0 ? (int) (n * (1 - fraction)) : n;
    }

    /** Collects {@link FitOptions}. */
    public static final class Builder {
        private int epochs = 1;
        private int batchSize = 32;
        private boolean shuffle = true;
        private long seed;
        private double validationSplit;
        private Matrix validationX, validationY;
        private final List<Callback> callbacks = new ArrayList<>();
        private boolean verbose = true;
        private Boolean liveProgress;
        private PrintStream out = System.out;
        private int initialEpoch;
        private ClassWeights classWeights;
        private float[] sampleWeights;

        public Builder epochs(int epochs) { this.epochs = epochs; return this; }

        /** Rows per step: the whole set is batch gradient descent, 1 is stochastic gradient descent. */
        public Builder batchSize(int batchSize) { this.batchSize = batchSize; return this; }

        public Builder shuffle(boolean shuffle) { this.shuffle = shuffle; return this; }

        /** Seeds the per-epoch shuffle (weights and dropout are seeded by the model). */
        public Builder seed(long seed) { this.seed = seed; return this; }

        /** Holds out the last {@code fraction} of the rows (before shuffling) for validation. */
        public Builder validationSplit(double fraction) { this.validationSplit = fraction; return this; }

        public Builder validationData(Matrix x, Matrix y) { this.validationX = x; this.validationY = y; return this; }

        public Builder callbacks(Callback... callbacks) { this.callbacks.addAll(List.of(callbacks)); return this; }

        public Builder verbose(boolean verbose) { this.verbose = verbose; return this; }

        /** A live progress bar while an epoch runs; by default only when standard output is a terminal. */
        public Builder liveProgress(boolean live) { this.liveProgress = live; return this; }

        public Builder out(PrintStream out) { this.out = out; return this; }

        /** Starts at this 0-based epoch; {@link #epochs} stays the total, as in Keras. */
        public Builder initialEpoch(int epoch) { this.initialEpoch = epoch; return this; }

        /** A weight per class for the training loss (see {@link ClassWeights}); null for none. */
        public Builder classWeights(ClassWeights weights) { this.classWeights = weights; return this; }

        /** {@link ClassWeights#of}: one weight per class, in class order. */
        public Builder classWeights(float... weights) { return classWeights(ClassWeights.of(weights)); }

        /**
         * A weight per row of {@code fit}'s inputs (Keras's {@code sample_weight}): row r's loss and
         * gradient are multiplied by it; null for none.
         */
        public Builder sampleWeights(float... weights) { this.sampleWeights = weights; return this; }

        public FitOptions build() {
            boolean live = liveProgress != null ? liveProgress
                    : out == System.out && System.console() != null && System.console().isTerminal();
            return new FitOptions(epochs, batchSize, shuffle, seed, validationSplit, validationX, validationY,
                    callbacks, verbose, live, out, initialEpoch, classWeights, sampleWeights);
        }
    }
}
