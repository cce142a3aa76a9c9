package dev.lanes.cli;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The work {@code lanes bench compare-backends} runs on both backends: GEMM at MLP shapes, every
 * group of fused kernels at 64K elements (256×256) or row-wise at 256×1024 and 128×10, and one
 * training epoch of a small MLP. Each item sets itself up on a given {@link Kernels} and can then
 * be run any number of times on the same buffers.
 */
final class BackendWork {
    private BackendWork() {}

    /** Work set up on one backend; {@link #run} is one call, {@link #close} frees its buffers. */
    interface Workload extends Runnable, AutoCloseable {
        @Override
        void close();
    }

    /** A named item; {@code group} matches {@code ProfilingKernels.Group} names where one applies. */
    record Item(String group, String name, Function<Kernels, Workload> setUp) {}

    static final int ELEMENTS_ROWS = 256, ELEMENTS_COLS = 256;

    static List<Item> all() {
        List<Item> items = new ArrayList<>();
        for (String shape : List.of("128x784x256", "256x256x256", "256x784x1024", "128x256x10")) {
            items.add(gemm(shape, false));
        }
        items.add(gemm("784x128x256", true));
        for (Activation act : List.of(Activation.RELU, Activation.SIGMOID, Activation.TANH)) {
            String n = act.name().toLowerCase(java.util.Locale.ROOT);
            items.add(elementwise("activation", n + " forward", (k, b) -> {
                Matrix x = b.uniform(-4, 4), out = b.zeros();
                return () -> k.activate(act, 0.01f, x, out);
            }));
            items.add(elementwise("activation", n + " backward", (k, b) -> {
                Matrix a = b.zeros(), dA = b.uniform(-1, 1), dZ = b.zeros();
                k.activate(act, 0.01f, b.uniform(-4, 4), a);
                return () -> k.activationBackward(act, 0.01f, a, dA, dZ);
            }));
        }
        for (int[] rc : new int[][] {{256, 1024}, {128, 10}}) {
            int rows = rc[0], cols = rc[1];
            items.add(rowWise("activation", "softmax rows", rows, cols, (k, b) -> {
                Matrix x = b.uniform(rows, cols, -4, 4), out = b.zeros(rows, cols);
                return () -> k.softmaxRows(x, out);
            }));
            items.add(rowWise("loss", "softmax cross-entropy", rows, cols, (k, b) -> {
                Matrix logits = b.uniform(rows, cols, -4, 4), targets = b.oneHot(rows, cols), d = b.zeros(rows, cols);
                return () -> k.softmaxCrossEntropy(logits, targets, d);
            }));
            items.add(rowWise("loss", "sparse softmax cross-entropy", rows, cols, (k, b) -> {
                Matrix logits = b.uniform(rows, cols, -4, 4), labels = b.labels(rows, cols), d = b.zeros(rows, cols);
                return () -> k.sparseSoftmaxCrossEntropy(logits, labels, d);
            }));
        }
        items.add(elementwise("loss", "sigmoid binary cross-entropy", (k, b) -> {
            Matrix logits = b.uniform(-4, 4), targets = b.bernoulli(), d = b.zeros();
            return () -> k.sigmoidBinaryCrossEntropy(logits, targets, d);
        }));
        items.add(elementwise("loss", "mean squared error", (k, b) -> {
            Matrix p = b.uniform(-1, 1), y = b.uniform(-1, 1), d = b.zeros();
            return () -> k.meanSquaredError(p, y, d);
        }));
        items.add(elementwise("reduction", "column sums", (k, b) -> {
            Matrix x = b.uniform(-1, 1), out = b.zeros(1, ELEMENTS_COLS);
            return () -> k.columnSums(x, 1f / ELEMENTS_ROWS, out);
        }));
        items.add(elementwise("reduction", "sum of squares", (k, b) -> {
            Matrix x = b.uniform(-1, 1);
            return () -> k.sumOfSquares(x);
        }));
        items.add(elementwise("elementwise", "axpy", (k, b) -> {
            Matrix x = b.uniform(-1, 1), y = b.uniform(-1, 1);
            return () -> k.axpy(1e-6f, x, y);
        }));
        items.add(elementwise("elementwise", "multiply", (k, b) -> {
            Matrix x = b.uniform(-1, 1), y = b.uniform(-1, 1), out = b.zeros();
            return () -> k.multiply(x, y, out);
        }));
        items.add(elementwise("optimizer", "adam update", (k, b) -> {
            Matrix w = b.uniform(-1, 1), g = b.uniform(-1, 1), m = b.zeros(), v = b.zeros();
            return () -> k.adamUpdate(w, g, m, v, 1e-6f, 0.9f, 0.999f, 1e-8f, 10, 0f, 0f);
        }));
        items.add(elementwise("optimizer", "sgd update", (k, b) -> {
            Matrix w = b.uniform(-1, 1), g = b.uniform(-1, 1);
            return () -> k.sgdUpdate(w, g, 1e-6f, 0f);
        }));
        items.add(elementwise("dropout", "dropout forward", (k, b) -> {
            Matrix x = b.uniform(-1, 1), mask = b.zeros(), out = b.zeros();
            return () -> k.dropoutForward(x, mask, out, 0.8f, 7, 3);
        }));
        items.add(elementwise("batch_norm", "batch norm forward (training)", (k, b) -> {
            int n = ELEMENTS_COLS;
            Matrix x = b.uniform(-1, 1), gamma = b.uniform(1, n, 0.5f, 1.5f), beta = b.uniform(1, n, -1, 1);
            Matrix mean = b.zeros(1, n), var = b.uniform(1, n, 1, 1), xhat = b.zeros(), invStd = b.zeros(1, n),
                    out = b.zeros();
            return () -> k.batchNormForwardTrain(x, gamma, beta, mean, var, 0.99f, 1e-3f, xhat, invStd, out);
        }));
        items.add(elementwise("batch_norm", "batch norm backward", (k, b) -> {
            int n = ELEMENTS_COLS;
            Matrix x = b.uniform(-1, 1), gamma = b.uniform(1, n, 0.5f, 1.5f), beta = b.uniform(1, n, -1, 1);
            Matrix mean = b.zeros(1, n), var = b.uniform(1, n, 1, 1), xhat = b.zeros(), invStd = b.zeros(1, n),
                    out = b.zeros(), dOut = b.uniform(-1, 1), dGamma = b.zeros(1, n), dBeta = b.zeros(1, n),
                    dX = b.zeros();
            k.batchNormForwardTrain(x, gamma, beta, mean, var, 0.99f, 1e-3f, xhat, invStd, out);
            return () -> k.batchNormBackward(dOut, xhat, gamma, invStd, dGamma, dBeta, dX);
        }));
        items.add(new Item("training", TrainingEpoch.NAME, TrainingEpoch::new));
        return List.copyOf(items);
    }

    private interface Body {
        Runnable make(Kernels kernels, Buffers buffers);
    }

    static Item gemm(String shape, boolean transA) {
        String[] p = shape.split("x");
        int m = Integer.parseInt(p[0]), k = Integer.parseInt(p[1]), n = Integer.parseInt(p[2]);
        // With transA, A is stored K×M: the weight-gradient product Xᵀ·dZ of a dense layer.
        String name = "gemm " + (transA ? "TN " : "NN ") + shape;
        return new Item("gemm", name, kernels -> Buffers.workload((b) -> {
            Matrix a = transA ? b.uniform(k, m, -1, 1) : b.uniform(m, k, -1, 1);
            Matrix bm = b.uniform(k, n, -1, 1), c = b.zeros(m, n);
            return () -> kernels.gemm(transA, false, 1f, a, bm, 0f, c);
        }));
    }

    private static Item elementwise(String group, String name, Body body) {
        return new Item(group, name + " " + ELEMENTS_ROWS + "x" + ELEMENTS_COLS,
                kernels -> Buffers.workload(b -> body.make(kernels, b)));
    }

    private static Item rowWise(String group, String name, int rows, int cols, Body body) {
        return new Item(group, name + " " + rows + "x" + cols, kernels -> Buffers.workload(b -> body.make(kernels, b)));
    }

    /** Off-heap inputs of one workload, freed together; shared so GEMM workers can read them. */
    static final class Buffers {
        private final Arena arena = Arena.ofShared();
        private final SplittableRandom random = new SplittableRandom(42);

        static Workload workload(Function<Buffers, Runnable> body) {
            Buffers b = new Buffers();
            Runnable r;
            try {
                r = body.apply(b);
            } catch (RuntimeException e) {
                b.arena.close();
                throw e;
            }
            return new Workload() {
                @Override public void run() { r.run(); }
                @Override public void close() { b.arena.close(); }
            };
        }

        Matrix zeros() { return zeros(ELEMENTS_ROWS, ELEMENTS_COLS); }

        Matrix zeros(int rows, int cols) { return Matrix.allocate(arena, rows, cols).fill(0f); }

        Matrix uniform(float lo, float hi) { return uniform(ELEMENTS_ROWS, ELEMENTS_COLS, lo, hi); }

        Matrix uniform(int rows, int cols, float lo, float hi) {
            float[] v = new float[rows * cols];
            for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * (float) random.nextDouble();
            return Matrix.allocate(arena, rows, cols).copyFrom(v);
        }

        Matrix bernoulli() {
            float[] v = new float[ELEMENTS_ROWS * ELEMENTS_COLS];
            for (int i = 0; i < v.length; i++) v[i] = random.nextBoolean() ? 1f : 0f;
            return Matrix.allocate(arena, ELEMENTS_ROWS, ELEMENTS_COLS).copyFrom(v);
        }

        Matrix labels(int rows, int classes) {
            float[] v = new float[rows];
            for (int i = 0; i < rows; i++) v[i] = random.nextInt(classes);
            return Matrix.allocate(arena, rows, 1).copyFrom(v);
        }

        Matrix oneHot(int rows, int classes) {
            float[] v = new float[rows * classes];
            for (int i = 0; i < rows; i++) v[i * classes + random.nextInt(classes)] = 1f;
            return Matrix.allocate(arena, rows, classes).copyFrom(v);
        }
    }
}
