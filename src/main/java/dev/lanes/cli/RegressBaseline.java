package dev.lanes.cli;

import dev.lanes.io.Json;
import dev.lanes.kernel.Kernels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The file {@code lanes bench regress --write} writes and later runs compare with: where and how it
 * was measured, and per benchmark the median normalised cost, its relative spread and the rounds.
 */
record RegressBaseline(Map<String, Object> machine, int threads, double referenceGflops,
                       Map<String, RegressionCheck.Measurement> benchmarks) {
    static final int FORMAT = 1;

    String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", (long) FORMAT);
        root.put("what", "lanes bench regress baseline: normalised cost = seconds per call x reference FMA GFLOP/s "
                + "(lower is better); refresh with 'bin/lanes bench regress --write', see perf-reports/README.md");
        root.put("machine", machine);
        root.put("threads", (long) threads);
        root.put("reference_gflops", referenceGflops);
        Map<String, Object> b = new LinkedHashMap<>();
        benchmarks.forEach((name, m) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("normalised", m.normalised());
            e.put("relative_sigma", m.relativeSigma());
            e.put("rounds", (long) m.rounds());
            b.put(name, e);
        });
        root.put("benchmarks", b);
        return Json.write(root) + "\n";
    }

    @SuppressWarnings("unchecked")
    static RegressBaseline parse(String text) {
        Object parsed = Json.parse(text);
        if (!(parsed instanceof Map<?, ?> root)) throw new IllegalArgumentException("baseline: not a JSON object");
        Object format = root.get("format");
        if (!(format instanceof Number f) || f.intValue() != FORMAT) {
            throw new IllegalArgumentException("baseline: unsupported format " + format + " (expected " + FORMAT + ")");
        }
        Map<String, Object> machine = root.get("machine") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        Map<String, RegressionCheck.Measurement> benchmarks = new LinkedHashMap<>();
        if (!(root.get("benchmarks") instanceof Map<?, ?> bs)) {
            throw new IllegalArgumentException("baseline: no \"benchmarks\" object");
        }
        for (Map.Entry<?, ?> e : bs.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> v)) {
                throw new IllegalArgumentException("baseline: benchmark " + e.getKey() + " is not an object");
            }
            benchmarks.put((String) e.getKey(), new RegressionCheck.Measurement(number(v, "normalised"),
                    number(v, "relative_sigma"), (int) number(v, "rounds")));
        }
        // Cast unchecked, 0, -2 or 1.5 threads passed as a thread count: the run then started measuring
        // and failed in the kernels, without naming the file.
        double threads = number(root, "threads");
        if (!(threads >= 1 && threads <= Args.MAX_THREADS && threads == Math.rint(threads))) {
            throw new IllegalArgumentException("baseline: \"threads\" must be a whole number from 1 to "
                    + Args.MAX_THREADS + ", got " + root.get("threads"));
        }
        double reference = number(root, "reference_gflops");
        if (!(reference > 0 && Double.isFinite(reference))) {
            throw new IllegalArgumentException("baseline: \"reference_gflops\" must be a positive number, got "
                    + root.get("reference_gflops"));
        }
        return new RegressBaseline(machine, (int) threads, reference, benchmarks);
    }

    private static double number(Map<?, ?> map, String key) {
        if (map.get(key) instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException("baseline: \"" + key + "\" missing or not a number");
    }

    /**
     * CPU model (name, and family and model numbers where /proc/cpuinfo has them: "AMD EPYC" names
     * both a Zen 3 and a Zen 5), JDK, vector width and GEMM tile: printed beside a comparison so a
     * machine change is visible.
     */
    static Map<String, Object> thisMachine() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> cpuinfo = cpuinfo();
        String name = cpuInfo(cpuinfo, "model name");
        // Not Linux, or not readable: the architecture is the best we can say.
        m.put("cpu", name != null ? name : System.getProperty("os.arch"));
        String family = cpuInfo(cpuinfo, "cpu family"), model = cpuInfo(cpuinfo, "model");
        if (family != null && model != null) {
            m.put("cpu_family", family);
            m.put("cpu_model", model);
        }
        m.put("cores", (long) Runtime.getRuntime().availableProcessors());
        m.put("jdk", Runtime.version().toString());
        m.put("vector_bits", (long) ReferenceFma.vectorBits());
        String tile = gemmTile();
        if (tile != null) m.put("gemm_tile", tile);
        return m;
    }

    /** The simd backend's GEMM tile here (on AVX2 it follows the JVM's flags), or null without that backend. */
    private static String gemmTile() {
        try (Kernels simd = Kernels.create("simd", 1)) {
            return simd.gemmTile();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static List<String> cpuinfo() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"));
        } catch (java.io.IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The first value of {@code key} in /proc/cpuinfo's lines (the whole key: "model" is not "model name"), or null. */
    private static String cpuInfo(List<String> lines, String key) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key)) return line.substring(colon + 1).trim();
        }
        return null;
    }
}
