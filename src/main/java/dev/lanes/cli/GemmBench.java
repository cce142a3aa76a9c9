package dev.lanes.cli;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code lanes bench gemm}: a quick in-process GEMM measurement (warm-up, repeats, median). For
 * publishable numbers use the JMH suite in {@code bench/}; this is the one-line sanity check.
 */
final class GemmBench {
    private GemmBench() {}

    static int run(List<String> argv, PrintStream out) {
        Args args = new Args("bench gemm", argv,
                Set.of("m", "n", "k", "threads", "backend", "repeats", "seconds"),
                Set.of("trans-a", "trans-b", "json"));
        int m = args.integer("m", 1024, 1), n = args.integer("n", 1024, 1), k = args.integer("k", 1024, 1);
        boolean ta = args.flag("trans-a"), tb = args.flag("trans-b");
        int threads = args.threads();
        String backend = args.backend();
        int repeats = args.integer("repeats", 7, 1);
        // A range, not Double.parseDouble: NaN made batches of 0 calls (0 GFLOP/s), Infinity 2^31 calls.
        double seconds = args.floatValue("seconds", 0.3f, 0f, 60f);
        checkFits(m, n, k, physicalMemory());
        try (Kernels kernels = Kernels.create(backend, threads);
             Matrix a = ta ? Matrix.allocate(k, m) : Matrix.allocate(m, k);
             Matrix b = tb ? Matrix.allocate(n, k) : Matrix.allocate(k, n);
             Matrix c = Matrix.allocate(m, n)) {
            fillUniform(a, 1);
            fillUniform(b, 2);
            double flops = 2.0 * m * n * k;
            // Vector API code runs orders of magnitude slower until C2 has compiled it, so warm up
            // until the time per call stops improving (at least 2 s, at most 20 s), then size the
            // timed batches from the settled per-call time.
            double perCall = warmUp(kernels, ta, tb, a, b, c);
            int batch = (int) Math.max(1, Math.ceil(seconds / perCall));
            double[] gflops = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long s = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    kernels.gemm(ta, tb, 1f, a, b, 0f, c);
                }
                gflops[r] = flops * batch / (System.nanoTime() - s);
            }
            double[] sorted = gflops.clone();
            Arrays.sort(sorted);
            double median = sorted[repeats / 2];
            if (args.flag("json")) {
                out.printf(Locale.ROOT, "{\"backend\":\"%s\",\"gemm_tile\":\"%s\",\"threads\":%d,\"m\":%d,\"n\":%d,\"k\":%d,"
                                + "\"trans_a\":%b,\"trans_b\":%b,\"gflops\":%.3f,\"min_gflops\":%.3f,\"max_gflops\":%.3f,"
                                + "\"repeats\":%d}%n",
                        backend, kernels.gemmTile(), threads, m, n, k, ta, tb, median, sorted[0], sorted[repeats - 1], repeats);
            } else {
                out.printf(Locale.ROOT, "gemm %s%s %dx%dx%d  %s  %d thread%s: %.1f GFLOP/s (median of %d; min %.1f, max %.1f)%n",
                        ta ? "T" : "N", tb ? "T" : "N", m, n, k, backend, threads, threads == 1 ? "" : "s",
                        median, repeats, sorted[0], sorted[repeats - 1]);
            }
        }
        return 0;
    }

    /**
     * Refuses operands that cannot be made, before any is allocated: a byte count past a long (2·10^9 each)
     * failed with "The provided allocation size is negative", and three zeroed operands that each fit but
     * together exceed the machine's memory got the JVM killed by the kernel, not an OutOfMemoryError.
     */
    static void checkFits(int m, int n, int k, long memory) {
        String sizes = "--m " + m + " --n " + n + " --k " + k;
        long largest = Math.max(Math.max((long) m * k, (long) k * n), (long) m * n);
        if (largest > Integer.MAX_VALUE) {
            throw new UsageException("bench gemm: " + sizes + " makes an operand of " + largest
                    + " values; at most " + Integer.MAX_VALUE + " (each is filled from one Java array)");
        }
        double bytes = 4.0 * ((double) m * k + (double) k * n + (double) m * n);
        if (memory > 0 && bytes > memory) {
            throw new UsageException(String.format(Locale.ROOT, "bench gemm: %s need %.1f GB for A, B and C,"
                    + " more than this machine's %.1f GB of memory", sizes, bytes / 1e9, memory / 1e9));
        }
    }

    /** Bytes of memory of this machine (or container), or 0 when the JVM cannot tell. */
    private static long physicalMemory() {
        try {
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getTotalMemorySize();
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }

    private static double warmUp(Kernels kernels, boolean ta, boolean tb, Matrix a, Matrix b, Matrix c) {
        long start = System.nanoTime();
        double best = Double.MAX_VALUE;
        long lastImprovement = start;
        while (true) {
            long t0 = System.nanoTime();
            int calls = 0;
            while (System.nanoTime() - t0 < 100_000_000L || calls < 2) {
                kernels.gemm(ta, tb, 1f, a, b, 0f, c);
                calls++;
            }
            long now = System.nanoTime();
            double perCall = (now - t0) / 1e9 / calls;
            if (perCall < best * 0.97) {
                best = Math.min(best, perCall);
                lastImprovement = now;
            } else {
                best = Math.min(best, perCall);
            }
            double elapsed = (now - start) / 1e9;
            if ((elapsed >= 2 && (now - lastImprovement) / 1e9 >= 1) || elapsed >= 20) {
                return best;
            }
        }
    }

    static void fillUniform(Matrix x, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[x.rows() * x.cols()];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
        x.copyFrom(v);
    }
}
