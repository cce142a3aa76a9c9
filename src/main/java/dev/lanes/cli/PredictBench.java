package dev.lanes.cli;

import dev.lanes.kernel.Kernels;
import dev.lanes.kernel.ProfilingKernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Sequential;
import dev.lanes.tensor.Matrix;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code lanes bench predict}: the latency of {@link Sequential#predict(Matrix, Matrix)} for a fixed
 * number of rows, as an application embedding Lanes sees it per request. After the JIT has settled
 * ({@link SettledTimer}), each call is timed on its own, so the report has the median and the 99th
 * percentile, not only a mean; and the heap bytes a call allocates (the median call's).
 */
final class PredictBench {
    private PredictBench() {}

    static int run(List<String> argv, PrintStream out) {
        Args a = new Args("bench predict", argv,
                Set.of("layers", "rows", "features", "classes", "activation", "threads", "backend", "calls", "seed"),
                Set.of("json", "quick"));
        int[] hidden = TrainCommand.Config.layers(a.string("layers", "256,128"));
        int rows = a.integer("rows", 1, 1);
        int features = a.integer("features", 784, 1);
        int classes = a.integer("classes", 10, 2);
        Activation activation = TrainCommand.Config.activation(a.string("activation", "relu"));
        int calls = a.integer("calls", 2000, 10);
        long seed = a.longValue("seed", 1);
        int threads = a.threads();
        String backend = a.backend();
        try (Kernels kernels = Kernels.create(backend, threads);
             Matrix x = Matrix.allocate(rows, features);
             Matrix y = Matrix.allocate(rows, classes)) {
            SplittableRandom rnd = new SplittableRandom(seed);
            float[] v = new float[rows * features];
            for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextDouble();
            x.copyFrom(v);
            Sequential.Builder b = Sequential.builder(features).kernels(kernels).seed(seed);
            for (int h : hidden) b.add(new Dense(h, activation));
            b.add(new Dense(classes, Activation.softmax()));
            try (Sequential model = b.build()) {
                SettledTimer.warmUp(() -> model.predict(x, y),
                        a.flag("quick") ? SettledTimer.Budget.QUICK : SettledTimer.Budget.FULL);
                long[] nanos = new long[calls];
                for (int i = 0; i < calls; i++) {
                    long t0 = System.nanoTime();
                    model.predict(x, y);
                    nanos[i] = System.nanoTime() - t0;
                }
                Arrays.sort(nanos);
                double median = nanos[calls / 2] / 1e3, p99 = nanos[(int) Math.min(calls - 1, (long) calls * 99 / 100)] / 1e3;
                long bytesPerCall = medianBytesPerCall(model, x, y, calls);
                String layers = features + "-" + String.join("-", Arrays.stream(hidden).mapToObj(Integer::toString)
                        .toList()) + (hidden.length > 0 ? "-" : "") + classes;
                if (a.flag("json")) {
                    out.printf(Locale.ROOT, "{\"backend\":\"%s\",\"threads\":%d,\"layers\":\"%s\",\"rows\":%d,\"calls\":%d,"
                                    + "\"median_us\":%.3f,\"p99_us\":%.3f,\"rows_per_s\":%.1f,\"heap_bytes_per_call\":%d}%n",
                            backend, threads, layers, rows, calls, median, p99, rows / (median / 1e6), bytesPerCall);
                } else {
                    out.printf(Locale.ROOT, "predict %s, %d row%s, %s, %d thread%s: median %.2f us, p99 %.2f us per call"
                                    + " (%,.0f rows/s; %d calls)%s%n", layers, rows, rows == 1 ? "" : "s", backend, threads,
                            threads == 1 ? "" : "s", median, p99, rows / (median / 1e6), calls,
                            bytesPerCall < 0 ? "" : "; heap allocated per call: " + bytesPerCall + " B");
                }
            }
        }
        return 0;
    }

    /**
     * The heap bytes of a call, the median over {@code calls} calls counted one by one (apart from the
     * timed ones, whose clock the counter would slow): a late JIT compilation allocates once, and an
     * average would spread it over every call. -1 when the JVM cannot count.
     */
    private static long medianBytesPerCall(Sequential model, Matrix x, Matrix y, int calls) {
        long[] bytes = new long[calls];
        for (int i = 0; i < calls; i++) {
            long before = ProfilingKernels.currentThreadAllocatedBytes();
            model.predict(x, y);
            long after = ProfilingKernels.currentThreadAllocatedBytes();
            if (before < 0) return -1;
            bytes[i] = after - before;
        }
        Arrays.sort(bytes);
        return bytes[calls / 2];
    }
}
