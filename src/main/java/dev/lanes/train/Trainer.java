package dev.lanes.train;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.BatchNorm;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Parameter;
import dev.lanes.nn.Sequential;
import dev.lanes.nn.WeightSnapshot;
import dev.lanes.optim.Optimizer;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A model compiled with a loss, an optimizer and metrics (Keras's {@code compile}), able to
 * {@link #fit}, {@link #evaluate} and take single {@link #trainBatch training steps}.
 *
 * <pre>{@code
 * try (Trainer trainer = new Trainer(model, Loss.binaryCrossEntropy(), new Adam(0.01f), Metric.accuracy())) {
 *     History h = trainer.fit(x, y, FitOptions.builder().epochs(50).batchSize(16).build());
 *     System.out.println(trainer.evaluate(x, y).metric("accuracy"));
 * }
 * }</pre>
 *
 * <p>A training step is: forward (the output layer emits logits when the loss is a cross-entropy),
 * the fused loss kernel (value and ∂loss/∂output in one pass), backward through every layer, one
 * fused optimizer pass per parameter buffer. Mini-batches are row views of the inputs; with
 * shuffling, rows are gathered into a preallocated batch buffer. Once the first step has sized the
 * workspaces, a step allocates nothing on the heap.
 *
 * <p>Numerical faults: when the loss, a gradient or an updated weight becomes NaN or infinite,
 * training stops with a {@link TrainingDivergedException} naming the epoch, the step and the layer
 * or parameter, and the model is put back to the weights it had before that step (the last finite
 * ones; batch-norm running statistics included). The price is one pass over the gradients per
 * step (finiteness and largest magnitude), which the simd backend splits across its threads, and
 * one copy of the weights per step whose update the optimizer cannot prove harmless (every
 * optimizer here bounds its step; the copy is needed only for gradients near float's overflow or
 * absurd learning rates). The optimizer kernels check the
 * weights as they store them ({@link #keepLastFiniteWeights} trades the copy for a weaker
 * guarantee).
 */
public final class Trainer implements AutoCloseable {
    private static final int EVALUATION_BATCH = 256;

    private final Sequential model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final Metric[] metrics;
    private final Kernels kernels;
    private final Parameter[] regularized;
    private final boolean metricsNeedProbabilities;
    private final double[] metricSums;
    private final BatchBuffer gradient = new BatchBuffer();
    private final BatchBuffer probabilities = new BatchBuffer();
    private final BatchBuffer batchX = new BatchBuffer();
    private final BatchBuffer batchY = new BatchBuffer();
    /** The shuffled batch's row weights, gathered as its rows are, when fit has class weights. */
    private final BatchBuffer batchWeights = new BatchBuffer();
    private final Parameter[] trainable;
    /** The weights before the current step, restored when the step produces a non-finite value. */
    private final WeightSnapshot lastFinite;
    private boolean keepLastFiniteWeights = true;
    private Arena arena;
    private int capacity;
    private long step;
    /** The largest gradient magnitude of the current step (set by {@link #firstNonFiniteGradient}). */
    private float largestGradient;
    private int epoch;
    private int batch;
    private boolean stopRequested;
    private boolean closed;

    /**
     * Compiles {@code model} for training.
     *
     * @throws IllegalArgumentException when the loss does not fit the model's output layer
     */
    public Trainer(Sequential model, Loss loss, Optimizer optimizer, Metric... metrics) {
        model.attachLoss(loss);
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
        this.metrics = metrics.clone();
        this.kernels = model.kernels();
        HashSet<String> names = new HashSet<>(List.of("loss"));
        boolean needProbabilities = false;
        for (Metric m : this.metrics) {
            if (!names.add(m.name())) throw new IllegalArgumentException("metric '" + m.name() + "' given twice");
            needProbabilities |= m.needsProbabilities();
        }
        this.metricsNeedProbabilities = needProbabilities && model.outputIsLogits();
        this.metricSums = new double[this.metrics.length];
        List<Parameter> penalized = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            if (p.trainable() && !p.regularizer().isNone()) penalized.add(p);
        }
        this.regularized = penalized.toArray(new Parameter[0]);
        optimizer.bind(model.parameters(), kernels);
        List<Parameter> trainableList = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            if (p.trainable()) trainableList.add(p);
        }
        this.trainable = trainableList.toArray(new Parameter[0]);
        this.lastFinite = model.snapshot();
    }

    public Sequential model() { return model; }

    public Loss loss() { return loss; }

    public Optimizer optimizer() { return optimizer; }

    /** Ends {@link #fit} after the current epoch (what early stopping calls). */
    public void stopTraining() { stopRequested = true; }

    /** Training steps taken so far (keys the dropout masks). */
    public long steps() { return step; }

    /** Restores the step counter of an interrupted run, so the resumed steps draw the same dropout masks. */
    public void setSteps(long steps) {
        if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        step = steps;
    }

    /** Sizes every workspace for batches of {@code rows} rows; later steps of that size allocate nothing. */
    public void reserve(int rows) {
        checkOpen();
        model.reserve(rows);
        if (rows <= capacity) return;
        Arena a = Arena.ofShared();
        int out = model.outputWidth();
        gradient.allocate(a, rows, out);
        if (metricsNeedProbabilities) probabilities.allocate(a, rows, out);
        batchX.allocate(a, rows, model.inputWidth());
        batchY.allocate(a, rows, loss.targetWidth(out));
        batchWeights.allocate(a, rows, 1);
        if (arena != null) arena.close();
        arena = a;
        capacity = rows;
    }

    /**
     * One training step on the batch {@code (x, y)}: forward, loss, backward, update.
     *
     * @return the batch's mean loss, including regularization penalties
     */
    public float trainBatch(Matrix x, Matrix y) {
        checkOpen();
        checkOptimizerBound();
        attachOwnLoss();
        checkShapes(x, y);
        reserve(x.rows());
        return step(x, y, null);
    }

    /** @param rowWeights the batch's row weights (m×1) for a class-weighted loss, or null */
    private float step(Matrix x, Matrix y, Matrix rowWeights) {
        int m = x.rows();
        // The forward pass changes batch-norm running statistics, so those are copied before it;
        // the weights change only in the update, and are copied just before that, when needed.
        if (keepLastFiniteWeights) lastFinite.captureUntrainable(kernels);
        Matrix output = model.forward(x, true, step);
        Matrix dOutput = gradient.rows(m);
        // The weights scale each row's loss and gradient inside the loss kernel's own pass.
        float value = rowWeights == null ? loss.compute(kernels, output, y, dOutput)
                : loss.computeWeighted(kernels, output, y, rowWeights, dOutput);
        if (!Float.isFinite(value)) throw rollBack(lossDiverged(value, x));
        accumulateMetrics(output, y, metricSums);
        model.backward(dOutput);
        value += penalty(m);
        Parameter bad = firstNonFiniteGradient();
        if (bad != null || !Float.isFinite(value)) {
            // An infinite input can pass a finite loss (ReLU maps −∞ to 0) and surface only in the
            // gradients, as ∞·0 in the first layer's Xᵀ·dZ.
            String input = bad == null ? null : model.locateNonFinite(x);
            throw rollBack(diverged(bad == null ? "the regularization penalty became " + value
                    : "the gradient of " + bad.name() + " " + bad.value().shape() + " became NaN or infinite"
                    + (input != null && input.startsWith("input") ? "; first non-finite value: " + input : ""), m));
        }
        // An optimizer that can bound its step proves most updates harmless from the gradients'
        // largest magnitude, and then the copy of every weight is not needed.
        boolean copied = keepLastFiniteWeights && !optimizer.cannotOverflow(largestGradient, m);
        if (copied) lastFinite.captureTrainable(kernels);
        if (!optimizer.step(m, largestGradient)) {
            // Off the hot path: the kernels only said that some weight is no longer finite.
            bad = firstNonFiniteWeight();
            String what = "the update made the weights of " + (bad == null ? "a parameter"
                    : bad.name() + " " + bad.value().shape()) + " NaN or infinite (the step was too large for float)";
            if (copied) throw rollBack(diverged(what, m));
            if (keepLastFiniteWeights) {
                throw diverged(what, m, "The step was applied: " + optimizer + " had ruled out an overflow, so no "
                        + "copy of the weights was taken (its state may not come from its own steps).");
            }
            throw diverged(what, m, "The step was applied: without keepLastFiniteWeights there is no copy to restore.");
        }
        step++;
        return value;
    }

    /**
     * The first trainable parameter whose gradient holds a NaN or an infinity, or null; the same
     * pass leaves the largest gradient magnitude in {@link #largestGradient}.
     */
    private Parameter firstNonFiniteGradient() {
        float largest = 0f;
        Parameter bad = null;
        for (Parameter p : trainable) {
            float g = p.takeGradientMaxAbs(); // measured by the backward pass, where it could
            if (bad != null) continue; // still taken: each value serves one check only
            if (g < 0f) g = kernels.maxAbs(p.gradient());
            if (!Float.isFinite(g)) bad = p;
            largest = Math.max(largest, g);
        }
        if (bad == null) largestGradient = largest;
        return bad;
    }

    /** The first trainable parameter whose value holds a NaN or an infinity, or null. */
    private Parameter firstNonFiniteWeight() {
        for (Parameter p : trainable) {
            if (!kernels.allFinite(p.value())) return p;
        }
        return null;
    }

    private TrainingDivergedException rollBack(TrainingDivergedException e) {
        if (keepLastFiniteWeights) lastFinite.restore();
        return e;
    }

    /**
     * Whether a step that produces a non-finite value puts the model back to the weights it had
     * before the step (default: yes). Turning it off saves the copy of the weights taken before
     * updates the optimizer cannot prove harmless (rare: see {@link Optimizer#cannotOverflow});
     * training still stops at the first non-finite
     * loss or gradient, before the update, and at an update that overflows finite weights, but then
     * the model keeps that step's non-finite weights, and a failing step's batch-norm running
     * statistics stay as that step left them.
     */
    public Trainer keepLastFiniteWeights(boolean keep) {
        this.keepLastFiniteWeights = keep;
        return this;
    }

    private TrainingDivergedException lossDiverged(float value, Matrix x) {
        String where = model.locateNonFinite(x);
        String what = "the loss became " + (Float.isNaN(value) ? "NaN" : "infinite");
        return diverged(where == null ? what + " (from finite outputs of the last layer, "
                + model.layer(model.layers().size() - 1) + ")" : what + "; first non-finite value: " + where, x.rows());
    }

    private float penalty(int m) {
        double sum = 0;
        for (Parameter p : regularized) {
            if (p.regularizer().l2() > 0f) sum += p.regularizer().l2() / (2.0 * m) * kernels.sumOfSquares(p.value());
            if (p.regularizer().l1() > 0f) sum += p.regularizer().l1() / (double) m * kernels.sumOfAbs(p.value());
        }
        return (float) sum;
    }

    private void accumulateMetrics(Matrix output, Matrix y, double[] sums) {
        if (metrics.length == 0) return;
        boolean logits = model.outputIsLogits();
        Matrix probs = null;
        for (int i = 0; i < metrics.length; i++) {
            Metric metric = metrics[i];
            if (logits && metric.needsProbabilities()) {
                if (probs == null) {
                    probs = probabilities.rows(output.rows());
                    outputActivation(output, probs);
                }
                sums[i] += metric.batchSum(kernels, probs, false, model.outputActivation(), y);
            } else {
                sums[i] += metric.batchSum(kernels, output, logits, model.outputActivation(), y);
            }
        }
    }

    private void outputActivation(Matrix logits, Matrix out) {
        switch (model.outputActivation().kind()) {
            case SOFTMAX -> kernels.softmaxRows(logits, out);
            case SIGMOID -> kernels.activate(dev.lanes.kernel.Activation.SIGMOID, 0f, logits, out);
            default -> kernels.copy(logits, out);
        }
    }

    private TrainingDivergedException diverged(String what, int rows) {
        return diverged(what, rows, keepLastFiniteWeights ? "The model keeps its weights from before this step."
                : "The step was not applied.");
    }

    private TrainingDivergedException diverged(String what, int rows, String state) {
        return new TrainingDivergedException(String.format(Locale.ROOT,
                "%s in epoch %d, step %d (training step %d overall; batch of %d rows, learning rate %g, %s). "
                        + "%s Try a lower learning rate, gradient "
                        + "clipping (optimizer.clipNorm(1)), standardized inputs, or check the data for NaN/Inf values.",
                what, epoch + 1, batch + 1, step + 1, rows, optimizer.learningRate(), optimizer, state),
                epoch, batch);
    }

    private void checkTargets(Matrix y, int rows) {
        loss.checkTargets(y, rows, model.outputWidth());
        for (Metric m : metrics) m.checkTargets(model.outputWidth(), y.cols());
    }

    private IllegalArgumentException inputWidthMismatch(Matrix x) {
        return new IllegalArgumentException("the model (first layer " + model.layer(0) + ") expects " + model.inputWidth()
                + " input columns, got a " + x.shape() + " matrix");
    }

    private void checkShapes(Matrix x, Matrix y) {
        if (x.cols() != model.inputWidth()) {
            throw inputWidthMismatch(x);
        }
        int width = loss.targetWidth(model.outputWidth());
        if (y.rows() != x.rows() || y.cols() != width) {
            throw new IllegalArgumentException(loss + " on a " + x.shape() + " batch needs " + x.rows() + "x" + width
                    + " targets for the output layer " + model.layer(model.layers().size() - 1) + " (" + model.outputWidth()
                    + " units), got " + y.shape());
        }
        // Class indices address logits directly: one out of range would read another row's memory.
        loss.checkTargets(y, x.rows(), model.outputWidth());
    }

    /**
     * Trains for {@code options.epochs()} epochs (fewer if a callback stops it). With
     * {@link FitOptions#classWeights() class weights} or {@link FitOptions#sampleWeights() sample
     * weights}, each row's loss and gradient are multiplied by its class's weight times its own and
     * the batch loss is their sum over the batch size (Keras's {@code class_weight} and
     * {@code sample_weight}); the epoch's {@code loss} is that weighted loss, while {@code val_loss}
     * and the metrics are not weighted.
     *
     * @param x inputs, one row per sample
     * @param y targets: one-hot or per-output values, or an m×1 column of class indices for sparse
     *          categorical cross-entropy
     */
    public History fit(Matrix x, Matrix y, FitOptions options) {
        checkOpen();
        checkOptimizerBound();
        attachOwnLoss();
        if (x.cols() != model.inputWidth()) {
            throw inputWidthMismatch(x);
        }
        checkTargets(y, x.rows());
        ClassWeights classWeights = options.classWeights();
        float[] sampleWeights = options.sampleWeights();
        if (classWeights == null && sampleWeights == null) return fitChecked(x, y, null, options);
        if (classWeights != null) classWeights.checkFits(loss, model.outputWidth());
        if (sampleWeights != null && sampleWeights.length != x.rows()) {
            throw new IllegalArgumentException(sampleWeights.length + " sample weights for the " + x.rows()
                    + " rows of x; give one weight per row");
        }
        // Keras's way: the weights become one weight per row, once; batches then take theirs as they take rows.
        try (Arena weights = Arena.ofShared()) {
            Matrix rowWeights = Matrix.allocate(weights, x.rows(), 1);
            if (classWeights != null) {
                classWeights.rowWeights(loss, y, rowWeights);
            } else {
                rowWeights.fill(1f);
            }
            if (sampleWeights != null) {
                for (int r = 0; r < x.rows(); r++) rowWeights.set(r, 0, rowWeights.get(r, 0) * sampleWeights[r]);
            }
            return fitChecked(x, y, rowWeights, options);
        }
    }

    /** {@link #fit} once its arguments are checked; {@code rowWeights} (one per row of x) or null. */
    private History fitChecked(Matrix x, Matrix y, Matrix rowWeights, FitOptions options) {
        int n = x.rows();
        int nTrain = n;
        Matrix valX = options.validationX(), valY = options.validationY();
        if (valX != null) {
            if (valX.cols() != model.inputWidth()) {
                throw new IllegalArgumentException("validation inputs are " + valX.shape() + " but the model (first layer "
                        + model.layer(0) + ") expects " + model.inputWidth() + " input columns");
            }
            checkTargets(valY, valX.rows());
        } else if (options.validationSplit() > 0) {
            nTrain = FitOptions.trainingRows(n, options.validationSplit());
            if (nTrain < 1 || nTrain == n) {
                throw new IllegalArgumentException("a validation split of " + options.validationSplit() + " on " + n
                        + " rows leaves " + nTrain + " rows for training and " + (n - nTrain) + " for validation");
            }
            valX = x.rowRange(nTrain, n);
            valY = y.rowRange(nTrain, n);
        }
        if (valX != null) checkFiniteValidationInputs(valX, options.validationX() == null ? nTrain : -1);
        Matrix trainX = nTrain == n ? x : x.rowRange(0, nTrain);
        Matrix trainY = nTrain == n ? y : y.rowRange(0, nTrain);
        Matrix trainW = rowWeights == null || nTrain == n ? rowWeights : rowWeights.rowRange(0, nTrain);
        int batchSize = Math.min(options.batchSize(), nTrain);
        int batches = (nTrain + batchSize - 1) / batchSize;
        if (nTrain % batchSize == 1 && hasBatchNorm()) {
            throw new IllegalArgumentException("with " + nTrain + " training rows and batches of " + batchSize
                    + " the last batch has 1 row, and batch normalization cannot normalize a single row;"
                    + " pick another batch size (for example " + (batchSize + 1) + ")");
        }
        // Validation runs in larger chunks; reserving for both now keeps the epochs free of reallocation.
        int validationChunk = valX == null ? 0 : Math.max(batchSize, Math.min(valX.rows(), EVALUATION_BATCH));
        reserve(Math.max(batchSize, validationChunk));

        Matrix[] xViews = null, yViews = null, wViews = null;
        int[] order = null;
        if (options.shuffle()) {
            order = new int[nTrain];
        } else {
            xViews = new Matrix[batches];
            yViews = new Matrix[batches];
            if (trainW != null) wViews = new Matrix[batches];
            for (int b = 0; b < batches; b++) {
                int from = b * batchSize, to = Math.min(nTrain, from + batchSize);
                xViews[b] = trainX.rowRange(from, to);
                yViews[b] = trainY.rowRange(from, to);
                if (wViews != null) wViews[b] = trainW.rowRange(from, to);
            }
        }

        List<Callback> callbackList = new ArrayList<>(options.callbacks());
        if (options.verbose()) {
            callbackList.add(new ProgressLogger(options.out(), options.liveProgress(), options.epochs()));
        }
        Callback[] callbacks = callbackList.toArray(new Callback[0]);
        History history = new History();
        stopRequested = false;
        int begun = 0;
        try {
            for (Callback c : callbacks) {
                c.onTrainBegin(this, options);
                begun++;
            }
            runEpochs(options, callbacks, history, trainX, trainY, trainW, nTrain, batchSize, batches, order, xViews,
                    yViews, wViews, valX, valY, validationChunk);
        } catch (RuntimeException | Error e) {
            for (int i = 0; i < begun; i++) {
                try {
                    callbacks[i].onTrainFailed(this, e);
                } catch (RuntimeException | Error suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        // Every callback ends, even after one's onTrainEnd threw: the rest still release what they hold
        // (onTrainFailed for those that did not end), and the first exception is the one thrown.
        Throwable failed = null;
        for (int i = 0; i < callbacks.length; i++) {
            try {
                if (failed == null) {
                    callbacks[i].onTrainEnd(this, history);
                } else {
                    callbacks[i].onTrainFailed(this, failed);
                }
            } catch (RuntimeException | Error e) {
                if (failed == null) failed = e; else failed.addSuppressed(e);
            }
        }
        if (failed instanceof RuntimeException re) throw re;
        if (failed instanceof Error er) throw er;
        return history;
    }

    private void runEpochs(FitOptions options, Callback[] callbacks, History history, Matrix trainX, Matrix trainY,
                           Matrix trainW, int nTrain, int batchSize, int batches, int[] order, Matrix[] xViews,
                           Matrix[] yViews, Matrix[] wViews, Matrix valX, Matrix valY, int validationChunk) {
        for (epoch = options.initialEpoch(); epoch < options.epochs() && !stopRequested; epoch++) {
            optimizer.beginEpoch(epoch);
            for (Callback c : callbacks) c.onEpochBegin(epoch, this);
            if (order != null) shuffle(order, options.seed(), epoch);
            java.util.Arrays.fill(metricSums, 0);
            double lossSum = 0;
            long start = System.nanoTime();
            for (batch = 0; batch < batches; batch++) {
                Matrix xb, yb, wb = null;
                int from = batch * batchSize, rows = Math.min(batchSize, nTrain - from);
                if (order != null) {
                    xb = batchX.rows(rows);
                    yb = batchY.rows(rows);
                    kernels.gatherRows(trainX, order, from, xb);
                    kernels.gatherRows(trainY, order, from, yb);
                    if (trainW != null) {
                        wb = batchWeights.rows(rows);
                        kernels.gatherRows(trainW, order, from, wb);
                    }
                    // The next batch's rows are random rows of a training set far larger than the caches:
                    // their first lines, requested now, arrive while this step computes.
                    kernels.prefetchRows(trainX, order, from + batchSize, Math.min(nTrain, from + 2 * batchSize));
                } else {
                    xb = xViews[batch];
                    yb = yViews[batch];
                    if (wViews != null) wb = wViews[batch];
                }
                float value = step(xb, yb, wb);
                lossSum += (double) value * rows;
                for (Callback c : callbacks) c.onBatchEnd(epoch, batch, batches, value);
            }
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("loss", lossSum / nTrain);
            for (int i = 0; i < metrics.length; i++) values.put(metrics[i].name(), metricSums[i] / nTrain);
            if (valX != null) {
                Evaluation v = evaluateChecked(valX, valY, validationChunk);
                values.put("val_loss", v.loss());
                for (Map.Entry<String, Double> e : v.metrics().entrySet()) values.put("val_" + e.getKey(), e.getValue());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            EpochLogs logs = new EpochLogs(epoch, values, seconds, nTrain / trainSeconds, optimizer.learningRate());
            history.record(logs);
            for (Callback c : callbacks) c.onEpochEnd(epoch, logs, this);
        }
    }

    /**
     * Validation rows are only evaluated, and evaluation stops at nothing: a NaN or infinity there would
     * make every val_ value NaN without a word (and early stopping on val_loss would end training
     * after its patience), so it is refused up front, as a bad target is.
     *
     * @param firstRowOfInputs where a validation split starts in fit's inputs, or −1 for validation data
     */
    private void checkFiniteValidationInputs(Matrix valX, int firstRowOfInputs) {
        if (kernels.allFinite(valX)) return;
        for (int r = 0; r < valX.rows(); r++) {
            for (int c = 0; c < valX.cols(); c++) {
                float v = valX.get(r, c);
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("validation input row " + r + " (column " + c + " is " + v + ")"
                            + (firstRowOfInputs >= 0 ? ", row " + (firstRowOfInputs + r) + " of the inputs," : "")
                            + " is not finite; the validation loss and metrics would be NaN every epoch");
                }
            }
        }
    }

    private boolean hasBatchNorm() {
        for (Layer layer : model.layers()) {
            if (layer instanceof BatchNorm) return true;
        }
        return false;
    }

    /** The order of an epoch depends only on (seed, epoch): a Fisher–Yates shuffle of the identity. */
    private static void shuffle(int[] order, long seed, int epoch) {
        for (int i = 0; i < order.length; i++) order[i] = i;
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Mean loss and metrics over {@code (x, y)} in inference mode (no dropout, running batch-norm statistics). */
    public Evaluation evaluate(Matrix x, Matrix y) {
        return evaluate(x, y, EVALUATION_BATCH);
    }

    /** As {@link #evaluate(Matrix, Matrix)}, {@code batchSize} rows at a time. */
    public Evaluation evaluate(Matrix x, Matrix y, int batchSize) {
        checkOpen();
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        attachOwnLoss();
        if (x.cols() != model.inputWidth()) {
            throw inputWidthMismatch(x);
        }
        checkTargets(y, x.rows());
        return evaluateChecked(x, y, batchSize);
    }

    private Evaluation evaluateChecked(Matrix x, Matrix y, int batchSize) {
        int n = x.rows();
        int chunk = Math.min(batchSize, n);
        reserve(chunk);
        double[] sums = new double[metrics.length];
        double lossSum = 0;
        for (int from = 0; from < n; from += chunk) {
            int to = Math.min(n, from + chunk);
            Matrix xb = x.rowRange(from, to), yb = y.rowRange(from, to);
            Matrix output = model.forward(xb, false, 0);
            lossSum += (double) loss.compute(kernels, output, yb, gradient.rows(to - from)) * (to - from);
            accumulateMetrics(output, yb, sums);
        }
        Map<String, Double> values = new LinkedHashMap<>();
        for (int i = 0; i < metrics.length; i++) values.put(metrics[i].name(), sums[i] / n);
        return new Evaluation(lossSum / n, values);
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("this trainer was closed; its workspaces are freed");
    }

    /**
     * A later Trainer on the same model attaches its own loss, and with it decides whether the output
     * layer emits logits; this trainer's loss kernel and metrics read what its own loss needs.
     */
    private void attachOwnLoss() {
        if (model.loss() != loss) model.attachLoss(loss);
    }

    /** A later Trainer given the same optimizer bound it to its model; a step here would update that model's weights. */
    private void checkOptimizerBound() {
        if (!optimizer.isBoundTo(model.parameters())) {
            throw new IllegalStateException("the optimizer " + optimizer + " was bound to another model's parameters"
                    + " after this trainer was created (a Trainer for another model was given the same optimizer);"
                    + " give each Trainer its own optimizer");
        }
    }

    /** Frees the trainer's workspaces; the model and the optimizer stay open (their owners close them). */
    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) arena.close();
        lastFinite.close();
        capacity = 0;
        closed = true;
    }
}
