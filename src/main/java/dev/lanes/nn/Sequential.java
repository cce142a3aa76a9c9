package dev.lanes.nn;

import dev.lanes.kernel.Epilogue;
import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.StampedLock;

/**
 * A stack of layers, each feeding the next: the model. It owns all parameters and workspaces in
 * off-heap memory (free them with {@link #close()}), builds every layer as soon as it is created
 * (the input width is known), and runs forward and backward passes on its {@link Kernels}.
 * Training lives one package up, in {@code dev.lanes.train.Trainer}, which plays the role of
 * Keras's {@code compile} + {@code fit}.
 *
 * <pre>{@code
 * try (Sequential model = Sequential.builder(784)
 *         .add(new Dense(128, Activation.relu()))
 *         .add(new Dropout(0.2f))
 *         .add(new Dense(10, Activation.softmax()))
 *         .seed(42)
 *         .build()) {
 *     System.out.println(model.summary());
 *     Trainer trainer = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), new Adam(1e-3f),
 *             Metric.accuracy());
 *     History history = trainer.fit(xTrain, yTrain,
 *             FitOptions.builder().epochs(10).batchSize(64).validationSplit(0.1).build());
 *     Evaluation test = trainer.evaluate(xTest, yTest);
 *     int[] classes = model.predictClasses(xTest);
 * }
 * }</pre>
 *
 * <p>Same seed, same data and same kernel thread count give bitwise-identical weights.
 *
 * <p>Threads: {@link #predict} and {@link #predictClasses} may be called from any number of threads
 * at once; each call borrows an inference workspace of its own from a pool, so results equal the
 * single-threaded ones bit for bit. Training ({@link #forward}, {@link #backward}, a {@code Trainer})
 * and weight changes are single-threaded and must not overlap predictions (those would see weights
 * mid-update). {@link #close()} waits for running predictions to finish; any use after it throws
 * {@link IllegalStateException}.
 */
public final class Sequential implements AutoCloseable {
    private static final int PREDICT_CHUNK_ROWS = 512;

    private final int inputWidth;
    private final Layer[] layers;
    private final Kernels kernels;
    private final long seed;
    private final Arena parameterArena = Arena.ofShared();
    private final List<Parameter> parameters;
    /** Each layer's output from the last {@link #forward}, kept for {@link #locateNonFinite}. */
    private final Matrix[] lastOutputs;
    private Arena workspaceArena;
    private int capacity;
    private Loss loss;
    private final WorkspacePool idleWorkspaces = new WorkspacePool(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));
    /** Predictions hold it shared; {@link #close()} takes it exclusively, so it never frees memory in use. */
    private final StampedLock lifecycle = new StampedLock();
    private volatile boolean closed;

    private Sequential(int inputWidth, List<Layer> layerList, Kernels kernels, long seed) {
        if (inputWidth < 1) throw new IllegalArgumentException("input width must be >= 1, got " + inputWidth);
        if (layerList.isEmpty()) throw new IllegalArgumentException("a Sequential model needs at least one layer");
        this.inputWidth = inputWidth;
        this.layers = layerList.toArray(new Layer[0]);
        this.kernels = kernels;
        this.seed = seed;
        SplittableRandom layerSeeds = new SplittableRandom(seed);
        Map<String, Integer> namesUsed = new HashMap<>();
        List<Parameter> all = new ArrayList<>();
        int width = inputWidth;
        for (Layer layer : layers) {
            if (layer.isBuilt()) {
                throw new IllegalArgumentException("layer " + layer + " already belongs to another model; create a new one");
            }
            String base = snakeCase(layer.typeName());
            int used = namesUsed.merge(base, 1, Integer::sum);
            layer.name(used == 1 ? base : base + "_" + (used - 1));
            layer.build(width, kernels, parameterArena, layerSeeds.nextLong());
            all.addAll(layer.parameters());
            width = layer.outputWidth();
        }
        this.parameters = Collections.unmodifiableList(all);
        this.lastOutputs = new Matrix[layers.length];
    }

    /** Starts a model with {@code inputWidth} input features. */
    public static Builder builder(int inputWidth) {
        return new Builder(inputWidth);
    }

    /** A model on the default kernels with seed 0. */
    public static Sequential of(int inputWidth, Layer... layers) {
        Builder b = builder(inputWidth);
        for (Layer layer : layers) b.add(layer);
        return b.build();
    }

    /** Collects the layers and options of a {@link Sequential}. */
    public static final class Builder {
        private final int inputWidth;
        private final List<Layer> layers = new ArrayList<>();
        private Kernels kernels;
        private long seed;

        private Builder(int inputWidth) { this.inputWidth = inputWidth; }

        public Builder add(Layer layer) {
            if (layer == null) throw new IllegalArgumentException("layer must not be null");
            layers.add(layer);
            return this;
        }

        /** Seeds weight initialization and dropout masks (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The kernels to run on (default {@link Kernels#get()}). The model does not close them. */
        public Builder kernels(Kernels kernels) {
            this.kernels = kernels;
            return this;
        }

        /**
         * Floats of weights the model will hold, computed without allocating (saturates at
         * {@link Long#MAX_VALUE}). Lets a reader refuse a description that claims more weights than
         * its file holds before building it.
         */
        public long parameterCount() {
            long total = 0;
            int width = inputWidth;
            for (Layer layer : layers) {
                if (width < 1) return Long.MAX_VALUE;
                long n = layer.parameterCount(width);
                total = n > Long.MAX_VALUE - total ? Long.MAX_VALUE : total + n;
                width = layer.outputWidth(width);
            }
            return total;
        }

        public Sequential build() {
            return new Sequential(inputWidth, layers, kernels == null ? Kernels.get() : kernels, seed);
        }
    }

    private static String snakeCase(String typeName) {
        return typeName.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    public int inputWidth() { return inputWidth; }

    public int outputWidth() { return layers[layers.length - 1].outputWidth(); }

    public List<Layer> layers() { return List.of(layers); }

    public Layer layer(int index) { return layers[index]; }

    public Kernels kernels() { return kernels; }

    public long seed() { return seed; }

    /** Every parameter, trainable and not, in layer order. */
    public List<Parameter> parameters() { return parameters; }

    /** The activation the output layer ends with. */
    public Activation outputActivation() { return layers[layers.length - 1].outputActivation(); }

    /** The loss the model is being trained with, or {@code null}. */
    public Loss loss() { return loss; }

    /**
     * Declares the training loss: checks it against the output layer and, for the cross-entropies,
     * makes the output layer emit logits during {@link #forward} so the loss kernel can fuse the
     * activation. {@link #predict} still returns probabilities.
     *
     * @throws IllegalArgumentException when the loss does not fit the output layer
     */
    public void attachLoss(Loss loss) {
        checkOpen();
        loss.checkOutput(outputActivation(), outputWidth());
        layers[layers.length - 1].emitLogits(loss.fusesOutputActivation());
        this.loss = loss;
    }

    /** True when {@link #forward} returns logits rather than the output activation. */
    public boolean outputIsLogits() { return loss != null && loss.fusesOutputActivation(); }

    /**
     * Makes room for batches of up to {@code rows} rows. Training calls this once with its batch size,
     * so later steps find their workspaces ready and allocate nothing.
     */
    public void reserve(int rows) {
        checkOpen();
        if (rows <= capacity) return;
        Arena arena = Arena.ofShared();
        for (Layer layer : layers) {
            layer.allocateWorkspace(arena, rows);
        }
        if (workspaceArena != null) workspaceArena.close();
        workspaceArena = arena;
        capacity = rows;
    }

    /**
     * Runs every layer on {@code x}; returns a view of the last layer's workspace (logits when the
     * loss fuses the output activation), valid until the next forward.
     *
     * @param training selects dropout and batch statistics
     * @param step     the training step (keys dropout masks); any value when not training
     */
    public Matrix forward(Matrix x, boolean training, long step) {
        checkOpen();
        if (x.cols() != inputWidth) {
            throw new IllegalArgumentException("the model (first layer " + layers[0] + ") expects " + inputWidth
                    + " input columns, got a " + x.shape() + " matrix");
        }
        reserve(x.rows());
        Matrix a = x;
        for (int i = 0; i < layers.length; i++) {
            a = layers[i].forward(a, training, step);
            lastOutputs[i] = a;
        }
        return a;
    }

    /**
     * Where the last {@link #forward} on {@code x} first produced a NaN or an infinity: "input row r
     * (column c is NaN)", "the output of layer dense_1 Dense", or {@code null} when every value is
     * finite. For error messages; it scans memory, so keep it off the hot path.
     */
    public String locateNonFinite(Matrix x) {
        checkOpen();
        for (int r = 0; r < x.rows(); r++) {
            for (int c = 0; c < x.cols(); c++) {
                float v = x.get(r, c);
                if (!Float.isFinite(v)) return "input row " + r + " (column " + c + " is " + v + ")";
            }
        }
        for (int i = 0; i < layers.length; i++) {
            Matrix output = lastOutputs[i];
            if (output != null && output.isAlive() && !Float.isFinite((float) kernels.sumOfAbs(output))) {
                return "the output of layer " + layers[i];
            }
        }
        return null;
    }

    /**
     * Back-propagates {@code dOutput} (∂mean loss/∂output of the last forward, overwritten) through
     * every layer, leaving each parameter's gradient in {@link Parameter#gradient()}.
     */
    public void backward(Matrix dOutput) {
        checkOpen();
        // A layer's activation derivative is applied by the layer above, in the epilogue of the
        // product that computes the gradient reaching it, where the pair supports that.
        Matrix d = dOutput;
        boolean preActivation = false;
        for (int i = layers.length - 1; i >= 0; i--) {
            Epilogue below = i > 0 && layers[i].fusesInputGradientEpilogue() ? layers[i - 1].outputGradientEpilogue() : null;
            d = layers[i].backward(d, i > 0, below, preActivation);
            preActivation = below != null;
        }
    }

    /** The model's outputs (probabilities for softmax/sigmoid outputs) for every row of {@code x}, as a new matrix. */
    public Matrix predict(Matrix x) {
        checkOpen();
        Matrix out = Matrix.allocate(x.rows(), outputWidth());
        try {
            predict(x, out);
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    /**
     * Writes the model's outputs for every row of {@code x} into {@code out}. Thread-safe: see the
     * class comment.
     */
    public void predict(Matrix x, Matrix out) {
        if (x.cols() != inputWidth) {
            throw new IllegalArgumentException("predict: the model expects " + inputWidth + " input columns, got a "
                    + x.shape() + " matrix");
        }
        if (out.rows() != x.rows() || out.cols() != outputWidth()) {
            throw new IllegalArgumentException("predict needs a " + x.rows() + "x" + outputWidth()
                    + " output matrix for a " + x.shape() + " input, got " + out.shape());
        }
        long stamp = lifecycle.readLock();
        try {
            checkOpen();
            int chunk = Math.min(x.rows(), PREDICT_CHUNK_ROWS);
            InferenceWorkspace workspace = borrowWorkspace(chunk);
            try {
                for (int from = 0; from < x.rows(); from += chunk) {
                    int to = Math.min(x.rows(), from + chunk);
                    Matrix y = workspace.run(layers, x.rows() == to - from ? x : x.rowRange(from, to));
                    Matrix target = out.rows() == to - from ? out : out.rowRange(from, to);
                    if (outputIsLogits()) {
                        Activations.forward(kernels, outputActivation(), y, target);
                    } else {
                        target.copyFrom(y);
                    }
                }
            } finally {
                idleWorkspaces.give(workspace);
            }
        } finally {
            lifecycle.unlockRead(stamp);
        }
    }

    /**
     * The model's outputs for one input, as a new array: for an application that holds its inputs
     * as {@code float[]}. {@link #predict(float[], float[])} writes into an array of the caller's.
     */
    public float[] predict(float[] input) {
        float[] out = new float[outputWidth()];
        predict(input, out);
        return out;
    }

    /**
     * Writes the model's outputs for one input into {@code output}, allocating nothing: the input is
     * copied into the borrowed workspace. Thread-safe, as {@link #predict(Matrix, Matrix)}, and
     * bitwise the same row that input gets there.
     */
    public void predict(float[] input, float[] output) {
        if (input.length != inputWidth) {
            throw new IllegalArgumentException("predict: the model expects " + inputWidth + " inputs, got an array of "
                    + input.length);
        }
        if (output.length != outputWidth()) {
            throw new IllegalArgumentException("predict: the model has " + outputWidth() + " outputs, got an array of "
                    + output.length + " for them");
        }
        long stamp = lifecycle.readLock();
        try {
            checkOpen();
            InferenceWorkspace workspace = borrowWorkspace(1);
            try {
                Matrix x = workspace.inputRow();
                x.copyFrom(input);
                Matrix y = workspace.run(layers, x);
                if (outputIsLogits()) {
                    Activations.forward(kernels, outputActivation(), y, workspace.probabilitiesRow());
                    y = workspace.probabilitiesRow();
                }
                y.copyTo(output);
            } finally {
                idleWorkspaces.give(workspace);
            }
        } finally {
            lifecycle.unlockRead(stamp);
        }
    }

    /** The predicted class of one input, as {@link #predictClasses} decides it. */
    public int predictClass(float[] input) {
        float[] p = predict(input);
        if (p.length == 1) return p[0] > 0.5f ? 1 : 0;
        int best = 0;
        for (int c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
        return best;
    }

    /** An idle workspace with room for {@code rows} rows; a new one when none is idle or the one found is too small. */
    private InferenceWorkspace borrowWorkspace(int rows) {
        InferenceWorkspace w = idleWorkspaces.take();
        if (w != null && w.capacity() >= rows) return w;
        if (w != null) w.close();
        return new InferenceWorkspace(layers, inputWidth, Math.max(rows, w == null ? 0 : w.capacity()));
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("this model was closed; its weights and workspaces are freed");
    }

    /**
     * The predicted class of every row: argmax, or for a single output unit 1 when its probability
     * is above 0.5 (the threshold of the accuracy metric and of Keras's binary accuracy).
     */
    public int[] predictClasses(Matrix x) {
        checkOpen();
        int[] classes = new int[x.rows()];
        try (Matrix p = predict(x)) {
            if (p.cols() == 1) {
                for (int r = 0; r < classes.length; r++) classes[r] = p.get(r, 0) > 0.5f ? 1 : 0;
            } else {
                kernels.argmaxRows(p, classes);
            }
        }
        return classes;
    }

    /** All weights as plain arrays, layer by layer in each layer's documented order (Keras's {@code get_weights}). */
    public List<float[]> getWeights() {
        checkOpen();
        List<float[]> out = new ArrayList<>(parameters.size());
        for (Parameter p : parameters) out.add(p.value().toArray());
        return out;
    }

    /** Sets all weights from arrays in {@link #getWeights()} order. */
    public void setWeights(List<float[]> weights) {
        checkOpen();
        if (weights.size() != parameters.size()) {
            throw new IllegalArgumentException("the model has " + parameters.size() + " weight arrays, got " + weights.size());
        }
        for (int i = 0; i < weights.size(); i++) {
            Parameter p = parameters.get(i);
            if (weights.get(i).length != p.size()) {
                throw new IllegalArgumentException(p.name() + " has shape " + p.value().shape() + " (" + p.size()
                        + " values), got an array of " + weights.get(i).length);
            }
        }
        for (int i = 0; i < weights.size(); i++) parameters.get(i).value().copyFrom(weights.get(i));
    }

    /** A reusable off-heap copy of all weights (close it when done). */
    public WeightSnapshot snapshot() {
        checkOpen();
        WeightSnapshot s = new WeightSnapshot(parameters);
        s.capture();
        return s;
    }

    public long trainableParameterCount() {
        long n = 0;
        for (Layer l : layers) n += l.parameterCount(true);
        return n;
    }

    public long nonTrainableParameterCount() {
        long n = 0;
        for (Layer l : layers) n += l.parameterCount(false);
        return n;
    }

    /** A Keras-style table: layer name and type, output shape, parameter count, totals with bytes. */
    public String summary() {
        // Keras's column widths, the first widened for long names ("batch_normalization (BatchNormalization)").
        int nameWidth = 34;
        for (Layer l : layers) nameWidth = Math.max(nameWidth, l.name().length() + l.typeName().length() + 5);
        int width = nameWidth + 38;
        String rule = "_".repeat(width), row = " %-" + nameWidth + "s%-24s";
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"sequential\"\n").append(rule).append('\n');
        sb.append(String.format(Locale.ROOT, row + "%s%n", "Layer (type)", "Output Shape", "Param #"));
        sb.append("=".repeat(width)).append('\n');
        for (int i = 0; i < layers.length; i++) {
            Layer l = layers[i];
            sb.append(String.format(Locale.ROOT, row + "%,d%n", l.name() + " (" + l.typeName() + ")",
                    "(None, " + l.outputWidth() + ")", l.parameterCount(true) + l.parameterCount(false)));
            if (i < layers.length - 1) sb.append('\n');
        }
        long trainable = trainableParameterCount(), frozen = nonTrainableParameterCount();
        sb.append("=".repeat(width)).append('\n');
        sb.append("Total params: ").append(countAndBytes(trainable + frozen)).append('\n');
        sb.append("Trainable params: ").append(countAndBytes(trainable)).append('\n');
        sb.append("Non-trainable params: ").append(countAndBytes(frozen)).append('\n');
        sb.append(rule).append('\n');
        return sb.toString();
    }

    private static String countAndBytes(long params) {
        double bytes = params * (double) Float.BYTES;
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        int u = 0;
        while (bytes >= 1024 && u < units.length - 1) {
            bytes /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%,d (%.2f %s)", params, bytes, units[u]);
    }

    /** Frees parameters and workspaces; the kernels are not closed (the caller owns them). */
    @Override
    public void close() {
        // Refuse new predictions first: with callers predicting back to back, the shared holds would
        // otherwise overlap forever and the exclusive lock below would never be granted.
        closed = true;
        long stamp = lifecycle.writeLock();
        try {
            idleWorkspaces.closeAll();
        } finally {
            lifecycle.unlockWrite(stamp);
        }
        if (workspaceArena != null && workspaceArena.scope().isAlive()) workspaceArena.close();
        if (parameterArena.scope().isAlive()) parameterArena.close();
    }
}
