package dev.lanes.cli;

import dev.lanes.kernel.Kernels;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code lanes bench compare-backends}: the same work on the {@code loop} and {@code simd}
 * backends (GEMM, every group of fused kernels, one training epoch), each warmed up until its
 * per-call time settles, then timed as the median of repeated batches; prints a table of loop time,
 * simd time and speed-up, or one JSON line per item with {@code --json}.
 */
final class CompareBackends {
    private CompareBackends() {}

    static int run(List<String> argv, PrintStream out) {
        Args args = new Args("bench compare-backends", argv, Set.of("threads", "only"), Set.of("quick", "json"));
        int threads = args.threads();
        boolean json = args.flag("json");
        SettledTimer.Budget budget = args.flag("quick") ? SettledTimer.Budget.QUICK : SettledTimer.Budget.FULL;
        String only = args.string("only", "");
        // A usage mistake, as --backend simd is: said before any work, not after the loop side ran.
        String why = dev.lanes.kernel.KernelProvider.simdUnavailableReason();
        if (why != null) throw new UsageException("bench compare-backends compares loop with simd, which cannot run here: " + why);
        List<BackendWork.Item> items = BackendWork.all().stream()
                .filter(i -> i.name().contains(only) || i.group().equals(only)).toList();
        if (items.isEmpty()) {
            throw new UsageException("bench compare-backends: no work item matches --only '" + only + "'");
        }
        try (Kernels loop = Kernels.create("loop", threads); Kernels simd = Kernels.create("simd", threads)) {
            if (!json) {
                out.printf(Locale.ROOT, "loop versus simd: time per call, median of %d timed batches after warm-up; "
                        + "GEMM and training on %d thread%s, the other kernels on the calling thread%n%n",
                        budget.repeats(), threads, threads == 1 ? "" : "s");
                out.printf(Locale.ROOT, "%-52s %12s %12s %9s%n", "work item", "loop", "simd", "speed-up");
            }
            double logSum = 0;
            for (BackendWork.Item item : items) {
                double loopSeconds = measure(item, loop, budget);
                double simdSeconds = measure(item, simd, budget);
                double speedUp = loopSeconds / simdSeconds;
                logSum += Math.log(speedUp);
                if (json) {
                    out.printf(Locale.ROOT, "{\"item\":\"%s\",\"group\":\"%s\",\"threads\":%d,\"loop_s\":%.9g,"
                                    + "\"simd_s\":%.9g,\"speedup\":%.4f,\"repeats\":%d}%n",
                            item.name(), item.group(), threads, loopSeconds, simdSeconds, speedUp, budget.repeats());
                } else {
                    out.printf(Locale.ROOT, "%-52s %12s %12s %8.2fx%n", item.name(), duration(loopSeconds),
                            duration(simdSeconds), speedUp);
                }
                out.flush();
            }
            if (!json) {
                out.printf(Locale.ROOT, "%ngeometric mean speed-up over %d items: %.2fx%n", items.size(),
                        Math.exp(logSum / items.size()));
            }
        }
        return 0;
    }

    private static double measure(BackendWork.Item item, Kernels kernels, SettledTimer.Budget budget) {
        try (BackendWork.Workload work = item.setUp().apply(kernels)) {
            return SettledTimer.settledMedian(work, budget);
        }
    }

    /** Seconds as ns, µs, ms or s with three significant digits or so. */
    static String duration(double seconds) {
        if (seconds < 1e-6) return String.format(Locale.ROOT, "%.1f ns", seconds * 1e9);
        if (seconds < 1e-3) return String.format(Locale.ROOT, "%.2f us", seconds * 1e6);
        if (seconds < 1) return String.format(Locale.ROOT, "%.2f ms", seconds * 1e3);
        return String.format(Locale.ROOT, "%.3f s", seconds);
    }
}
