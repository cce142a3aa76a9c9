package dev.lanes.cli;

import dev.lanes.io.AtomicFiles;
import dev.lanes.kernel.Kernels;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code lanes bench regress}: re-runs a fixed benchmark set on the simd backend (GEMM at the MLP
 * shapes and a short training run) and compares it with a committed baseline.
 *
 * <p>Noise rules: every benchmark is warmed up until its per-call time settles; then R rounds, and
 * in each round every benchmark's timed batch directly follows a timed batch of the
 * {@link ReferenceFma} yardstick, by which it is normalised (seconds × reference GFLOP/s), so a
 * machine running slower as a whole (frequency, load) cancels out. The medians of the normalised
 * rounds are compared by {@link RegressionCheck}. Exit status 1 on a regression or a benchmark of the
 * baseline that was not measured; {@code --write} (re)writes the baseline instead.
 */
final class Regress {
    private Regress() {}

    static final String DEFAULT_BASELINE = "perf-reports/baseline.json";

    record Benchmark(String name, Function<Kernels, BackendWork.Workload> setUp) {}

    /** The regression set. Renaming or removing one means refreshing the baseline. */
    static List<Benchmark> benchmarks() {
        List<Benchmark> set = new ArrayList<>();
        for (String shape : List.of("128x784x256", "256x784x1024", "256x256x256", "128x256x10")) {
            BackendWork.Item item = BackendWork.gemm(shape, false);
            set.add(new Benchmark(item.name(), item.setUp()));
        }
        BackendWork.Item weightGradient = BackendWork.gemm("784x128x256", true);
        set.add(new Benchmark(weightGradient.name(), weightGradient.setUp()));
        int[] hidden = {256, 128};
        int batch = 128, samples = 4096;
        set.add(new Benchmark("train epoch " + TrainingEpoch.network(hidden) + " batch " + batch + ", " + samples
                + " samples", k -> new TrainingEpoch(k, hidden, batch, samples)));
        return List.copyOf(set);
    }

    static int run(List<String> argv, PrintStream out) {
        Args args = new Args("bench regress", argv, Set.of("baseline", "threshold", "threads", "repeats"),
                Set.of("write", "quick"));
        Path path = Path.of(args.string("baseline", DEFAULT_BASELINE));
        double threshold = RegressionCheck.parseThreshold(args.string("threshold", "5%"));
        // Its set and its reference kernel are simd work: refused up front, not a NoClassDefFoundError.
        String why = dev.lanes.kernel.KernelProvider.simdUnavailableReason();
        if (why != null) throw new UsageException("bench regress measures the simd backend, which cannot run here: " + why);
        int rounds = args.integer("repeats", 5, 1);
        boolean write = args.flag("write");
        SettledTimer.Budget budget = args.flag("quick") ? SettledTimer.Budget.QUICK : SettledTimer.Budget.FULL;
        // Read before the baseline (whose thread count is the default), with the cap every command has.
        boolean threadsGiven = args.string("threads", null) != null;
        int given = args.integer("threads", 1, 1, Args.MAX_THREADS);
        // Checked now, not after a minute or more of measuring: a folder, or a parent that cannot hold the file.
        if (write) TrainCommand.checkOutputFile(path, "baseline");
        // A baseline's spread is the noise every later check allows for: one round has none to record, and
        // a baseline with none would call ordinary noise a regression.
        if (write && rounds < 3) {
            throw new UsageException("bench regress --write needs --repeats 3 or more (got " + rounds + "): the baseline"
                    + " records the rounds' spread, which later checks allow for as noise");
        }
        if (!write && rounds < 3) {
            Main.warnOnce("lanes: warning: --repeats " + rounds + " measures no spread of its own; the verdict allows"
                    + " only for the baseline's noise (3 or more rounds for a check to rely on)");
        }
        RegressBaseline baseline = write ? null : read(path);
        int threads = threadsGiven || baseline == null ? given : baseline.threads();
        if (baseline != null && threads != baseline.threads()) {
            throw new UsageException("bench regress: the baseline was measured with " + baseline.threads()
                    + " thread(s), not " + threads + " (measure a new one with --write)");
        }
        Map<String, Object> machine = RegressBaseline.thisMachine();
        if (baseline != null) {
            checkSameKernels(baseline.machine(), machine);
        }
        out.printf(Locale.ROOT, "measuring %d benchmarks, simd, %d thread%s, %d rounds...%n", benchmarks().size(),
                threads, threads == 1 ? "" : "s", rounds);
        double[] referenceGflops = new double[1];
        Map<String, RegressionCheck.Measurement> now = measure(threads, rounds, budget, referenceGflops);
        RegressBaseline current = new RegressBaseline(machine, threads, referenceGflops[0], now);
        if (write) {
            AtomicFiles.write(path, ByteBuffer.wrap(current.toJson().getBytes(StandardCharsets.UTF_8)));
            out.printf(Locale.ROOT, "reference FMA: %.1f GFLOP/s%n", referenceGflops[0]);
            for (Map.Entry<String, RegressionCheck.Measurement> e : now.entrySet()) {
                out.printf(Locale.ROOT, "  %-52s %10.4f  ±%4.1f%%%n", e.getKey(), e.getValue().normalised(),
                        100 * e.getValue().relativeSigma());
            }
            out.println("wrote " + path);
            return 0;
        }
        List<RegressionCheck.Row> rows = RegressionCheck.compare(baseline.benchmarks(), now, threshold);
        out.printf(Locale.ROOT, "baseline: %s, reference FMA %.1f GFLOP/s; now: %s, %.1f GFLOP/s%n",
                baseline.machine().getOrDefault("cpu", "?"), baseline.referenceGflops(),
                current.machine().get("cpu"), referenceGflops[0]);
        String then = cpuId(baseline.machine()), here = cpuId(current.machine());
        if (then != null && here != null && !then.equals(here)) {
            out.println("note: the baseline comes from another CPU (" + then + "; this one is " + here
                    + "): the reference FMA evens out clock speed, not a different core design");
        }
        out.print(table(rows, threshold));
        boolean failed = RegressionCheck.failed(rows);
        out.println(failed ? "FAILED: a regression beyond the threshold and the noise, or a benchmark not measured"
                : "passed");
        return failed ? 1 : 0;
    }

    /**
     * A baseline from vectors of another width ran other kernels (the 512-bit tiles against the
     * 256-bit ones), so its figures say nothing about this build here: a 512-bit baseline checked on
     * an AVX2 machine flagged the 10-wide GEMM as a 95 % regression. Likewise a baseline whose GEMM
     * ran another tile (on AVX2, 6×16 or 4×16 by the JVM's flags). Refused before measuring; a
     * baseline from before the tile was recorded is not checked for it.
     */
    static void checkSameKernels(Map<String, Object> baseline, Map<String, Object> here) {
        Object then = baseline.get("vector_bits"), now = here.get("vector_bits");
        if (then instanceof Number t && now instanceof Number n && t.longValue() != n.longValue()) {
            throw new UsageException("bench regress: the baseline was measured with " + t.longValue()
                    + "-bit vectors and this machine has " + n.longValue() + "-bit ones, so it runs other kernels"
                    + " and the figures are not comparable; measure a baseline on this machine with --write"
                    + " (into another file with --baseline FILE)");
        }
        Object tileThen = baseline.get("gemm_tile"), tileNow = here.get("gemm_tile");
        if (tileThen != null && tileNow != null && !tileThen.equals(tileNow)) {
            throw new UsageException("bench regress: the baseline's GEMM ran the " + tileThen + " tile and this run"
                    + " would run " + tileNow + " (on AVX2 the tile follows the JVM's flags: see the README's Backends"
                    + " section), so the figures are not comparable; set -Dlanes.gemm.tile=" + tileThen
                    + " in LANES_JAVA_OPTS, or measure a baseline with --write (into another file with --baseline FILE)");
        }
    }

    /** "family F model M" of a machine map, or null when the baseline predates those fields. */
    private static String cpuId(Map<String, Object> machine) {
        Object family = machine.get("cpu_family"), model = machine.get("cpu_model");
        return family == null || model == null ? null : "family " + family + " model " + model;
    }

    /** The comparison table; normalised costs, lower is better. */
    static String table(List<RegressionCheck.Row> rows, double threshold) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-52s %10s %10s %8s %7s  %s%n", "benchmark", "baseline", "now", "change",
                "noise", "verdict (threshold " + fmtPercent(threshold) + ")"));
        for (RegressionCheck.Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-52s %10s %10s %8s %7s  %s%n", r.benchmark(), value(r.baseline()),
                    value(r.now()), Double.isNaN(r.change()) ? "-" : String.format(Locale.ROOT, "%+.1f%%", 100 * r.change()),
                    Double.isNaN(r.noiseBand()) ? "-" : String.format(Locale.ROOT, "±%.1f%%", 100 * r.noiseBand()),
                    r.verdict().label));
        }
        return sb.toString();
    }

    private static String value(RegressionCheck.Measurement m) {
        return m == null ? "-" : String.format(Locale.ROOT, "%.4f", m.normalised());
    }

    private static String fmtPercent(double fraction) {
        return String.format(Locale.ROOT, "%.3g%%", 100 * fraction);
    }

    private static RegressBaseline read(Path path) {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new UsageException("bench regress: no baseline at " + path + " (measure one with --write)");
        } catch (IOException e) {
            throw new UncheckedIOException("bench regress: cannot read " + path, e);
        }
        try {
            return RegressBaseline.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(path + ": " + e.getMessage());
        }
    }

    private static Map<String, RegressionCheck.Measurement> measure(int threads, int rounds, SettledTimer.Budget budget,
                                                                    double[] referenceGflopsOut) {
        List<Benchmark> set = benchmarks();
        List<BackendWork.Workload> work = new ArrayList<>();
        try (Kernels kernels = Kernels.create("simd", threads)) {
            try {
                for (Benchmark b : set) work.add(b.setUp().apply(kernels));
                ReferenceFma reference = new ReferenceFma();
                int referenceCalls = SettledTimer.callsPerBatch(SettledTimer.warmUp(reference, budget), budget);
                int[] calls = new int[set.size()];
                for (int i = 0; i < calls.length; i++) {
                    calls[i] = SettledTimer.callsPerBatch(SettledTimer.warmUp(work.get(i), budget), budget);
                }
                double[][] normalised = new double[set.size()][rounds];
                double[] referenceRounds = new double[rounds * set.size()];
                for (int r = 0; r < rounds; r++) {
                    for (int i = 0; i < set.size(); i++) {
                        double gflops = ReferenceFma.FLOP_PER_CALL / SettledTimer.timeBatch(reference, referenceCalls) / 1e9;
                        referenceRounds[r * set.size() + i] = gflops;
                        normalised[i][r] = SettledTimer.timeBatch(work.get(i), calls[i]) * gflops;
                    }
                }
                referenceGflopsOut[0] = SettledTimer.median(referenceRounds);
                Map<String, RegressionCheck.Measurement> result = new LinkedHashMap<>();
                for (int i = 0; i < set.size(); i++) {
                    result.put(set.get(i).name(), RegressionCheck.Measurement.of(normalised[i]));
                }
                return result;
            } finally {
                for (BackendWork.Workload w : work) w.close();
            }
        }
    }
}
