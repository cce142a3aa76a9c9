package dev.lanes.cli;

import dev.lanes.kernel.Kernels;
import dev.lanes.kernel.ProfilingKernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.optim.Optimizer;
import dev.lanes.optim.Sgd;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.FitOptions;
import dev.lanes.train.History;
import dev.lanes.train.Trainer;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code lanes bench train}: end-to-end training speed on synthetic data shaped like MNIST (inputs
 * uniform in [0,1), 784 features, 10 random classes, fixed seed), so the same work can be run by
 * the PyTorch and numpy reference trainers in {@code bench/train_reference.py}. Untimed warm-up
 * epochs until the epoch time settles (JIT compilation, workspace sizing), then timed epochs;
 * samples/s is the median.
 */
final class TrainBench {
    private TrainBench() {}

    /**
     * Untimed epochs until the epoch time settles: at least one epoch and 3 s, then until an epoch
     * is no more than 3% faster than the best before it (at most 30 s). The Vector API runs orders of
     * magnitude slower until C2 has compiled each kernel, which under load takes seconds.
     */
    static void warmUp(Trainer trainer, Matrix x, Matrix y, int batch, long seed) {
        long start = System.nanoTime();
        double best = Double.MAX_VALUE;
        for (int e = 0; ; e++) {
            long t0 = System.nanoTime();
            trainer.fit(x, y, FitOptions.builder().epochs(1).batchSize(batch).seed(seed + 1000 + e)
                    .verbose(false).build());
            long now = System.nanoTime();
            double seconds = (now - t0) / 1e9;
            boolean improved = seconds < best * 0.97;
            best = Math.min(best, seconds);
            double elapsed = (now - start) / 1e9;
            if (elapsed >= 30 || (elapsed >= 3 && !improved)) return;
        }
    }

    static int run(List<String> argv, PrintStream out) {
        Args a = new Args("bench train", argv,
                Set.of("layers", "batch", "samples", "epochs", "optimizer", "threads", "backend", "features",
                        "classes", "seed", "activation"),
                Set.of("json", "profile", "no-rollback"));
        int[] hidden = TrainCommand.Config.layers(a.string("layers", "256,128"));
        int batch = a.integer("batch", 128, 1);
        int samples = a.integer("samples", 60_000, 1);
        if (batch > samples) {
            // The trainer steps over min(batch, samples) rows: reporting --batch would make ms_per_step too long.
            Main.warnOnce("lanes: warning: --batch " + batch + " is more than --samples " + samples + "; each step"
                    + " trains on all " + samples + ", reported as batch " + samples);
            batch = samples;
        }
        int epochs = a.integer("epochs", 1, 1);
        int features = a.integer("features", 784, 1);
        int classes = a.integer("classes", 10, 2);
        long seed = a.longValue("seed", 1);
        String optimizer = a.choice("optimizer", "adam", "adam", "sgd");
        String activationName = a.string("activation", "relu");
        Activation activation = TrainCommand.Config.activation(activationName);
        int threads = a.threads();
        String backend = a.backend();
        Kernels base = Kernels.create(backend, threads);
        ProfilingKernels profiler = a.flag("profile") ? new ProfilingKernels(base) : null;
        try (Kernels kernels = profiler != null ? profiler : base;
             Matrix x = Matrix.allocate(samples, features);
             Matrix y = Matrix.allocate(samples, 1)) {
            SplittableRandom rnd = new SplittableRandom(seed);
            float[] xs = new float[features];
            for (int r = 0; r < samples; r++) {
                for (int c = 0; c < features; c++) xs[c] = (float) rnd.nextDouble();
                x.rowRange(r, r + 1).copyFrom(xs);
                y.set(r, 0, rnd.nextInt(classes));
            }
            Sequential.Builder b = Sequential.builder(features).kernels(kernels).seed(seed);
            for (int h : hidden) b.add(new Dense(h, activation));
            b.add(new Dense(classes, Activation.softmax()));
            Optimizer opt = optimizer.equals("adam") ? new Adam(1e-3f) : new Sgd(0.01f);
            try (Sequential model = b.build();
                 Trainer trainer = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), opt)) {
                // --no-rollback: never copy the weights to undo a diverging step (the optimizers copy only when they cannot bound a step).
                trainer.keepLastFiniteWeights(!a.flag("no-rollback"));
                warmUp(trainer, x, y, batch, seed);
                if (profiler != null) profiler.reset();
                StepAllocation allocation = new StepAllocation((samples + batch - 1) / batch * epochs);
                long fitStart = System.nanoTime();
                History h = trainer.fit(x, y, FitOptions.builder().epochs(epochs).batchSize(batch).seed(seed + 1)
                        .verbose(false).callbacks(allocation).build());
                double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
                double[] perEpoch = h.samplesPerSecond().stream().mapToDouble(Double::doubleValue).toArray();
                double[] sps = perEpoch.clone();
                Arrays.sort(sps);
                double median = sps[sps.length / 2];
                double msPerStep = 1000.0 * batch / median;
                String layers = features + "-" + String.join("-", Arrays.stream(hidden).mapToObj(Integer::toString)
                        .toList()) + (hidden.length > 0 ? "-" : "") + classes;
                String network = activation.kind() == Activation.Kind.RELU ? layers : layers + " (" + activationName + ")";
                if (a.flag("json")) {
                    out.printf(Locale.ROOT, "{\"lib\":\"lanes\",\"backend\":\"%s\",\"gemm_tile\":\"%s\",\"threads\":%d,\"layers\":\"%s\","
                                    + "\"activation\":\"%s\",\"batch\":%d,\"samples\":%d,\"epochs\":%d,\"optimizer\":\"%s\","
                                    + "\"samples_per_s\":%.1f,\"ms_per_step\":%.4f,\"final_loss\":%.5f,"
                                    + "\"alloc_bytes_per_step\":%s,\"epoch_samples_per_s\":[%s]}%n",
                            backend, kernels.gemmTile(), threads, layers, activationName, batch, samples, epochs, optimizer,
                            median, msPerStep,
                            h.last("loss"),
                            allocation.medianBytesPerStep() < 0 ? "null" : Long.toString(allocation.medianBytesPerStep()), String.join(",", Arrays.stream(perEpoch)
                                    .mapToObj(v -> String.format(Locale.ROOT, "%.1f", v)).toList()));
                } else {
                    out.printf(Locale.ROOT, "train %s batch %d, %s, %s, %d thread%s: %,.0f samples/s, %.3f ms/step "
                                    + "(median of %d epoch%s of %,d samples)%s%n",
                            network, batch, optimizer, backend, threads, threads == 1 ? "" : "s", median, msPerStep,
                            epochs, epochs == 1 ? "" : "s", samples, allocation.medianBytesPerStep() < 0 ? ""
                                    : String.format(Locale.ROOT, "; heap allocated per step: %,d B (median, training thread)",
                                            allocation.medianBytesPerStep()));
                }
                if (profiler != null) {
                    // With --json, stdout stays one JSON line for the scripts that read it; the tables go to stderr.
                    PrintStream tables = a.flag("json") ? Main.warnings() : out;
                    tables.printf(Locale.ROOT, "where the time went (%.2f s of training, %.2f s in kernels):%n%s",
                            fitSeconds, profiler.totalNanos() / 1e9, profiler.report());
                    tables.printf(Locale.ROOT, "GEMM by shape (M×K·K×N; NN forward, TN weight gradient, NT input gradient):%n%s",
                            profiler.gemmShapeReport());
                }
            }
        }
        return 0;
    }

    /**
     * The heap bytes the training thread allocates from one step's end to the next, median over the
     * timed steps: a steady-state step should allocate nothing (the epoch boundaries, which shuffle
     * and log, are outliers the median ignores). Worker threads are not counted. -1 without the
     * JDK's management extension.
     */
    static final class StepAllocation implements dev.lanes.train.Callback {
        private final long[] deltas;
        private int count;
        private long last = -1;

        StepAllocation(int steps) {
            deltas = new long[Math.max(1, steps)];
        }

        @Override
        public void onBatchEnd(int epoch, int batch, int batches, float loss) {
            long now = ProfilingKernels.currentThreadAllocatedBytes();
            if (now < 0) return;
            if (last >= 0 && count < deltas.length) deltas[count++] = now - last;
            last = now;
        }

        long medianBytesPerStep() {
            if (count == 0) return -1;
            long[] sorted = Arrays.copyOf(deltas, count);
            Arrays.sort(sorted);
            return sorted[count / 2];
        }
    }
}
