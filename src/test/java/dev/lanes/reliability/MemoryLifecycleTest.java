package dev.lanes.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.data.Dataset;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.optim.Optimizer;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.FitOptions;
import dev.lanes.train.Trainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/** Closing frees off-heap memory, repeated build-train-close cycles stay flat, and closed objects refuse use. */
class MemoryLifecycleTest {
    private static final int CYCLES = 1_000;
    /**
     * Allowed growth of the child's resident set over the measured cycles (its heap is fixed and
     * pre-touched). One cycle holds ~70 KB off-heap, so leaking it would add ~70 MB; runs without a
     * leak measured 8–14 MB of growth that did not scale with the cycle count (JIT code, metaspace,
     * malloc bookkeeping).
     */
    private static final long RSS_BOUND_KB = 32 << 10;
    /** Allowed growth of the native bytes the arenas hold (exactly 0 measured; slack for JDK internals). */
    private static final long NATIVE_BOUND_KB = 64;

    @Test
    @Timeout(60)
    void buildTrainCloseCyclesLeaveNativeAndResidentMemoryFlat() throws Exception {
        Map<String, Long> m = runChild(String.valueOf(CYCLES));
        assertTrue(m.get("modelKb") >= 1000 * 1000 * 4 * 2 / 1024, "a 1000x1000 Dense holds weights and gradients off-heap: " + m);
        assertTrue(m.get("closedModelKb") <= NATIVE_BOUND_KB, "closing the model returns its memory: " + m);
        assertTrue(m.get("cycleOtherGrowthKb") <= NATIVE_BOUND_KB, "native memory after " + CYCLES + " cycles: " + m);
        assertTrue(m.get("cycleRssGrowthKb") <= RSS_BOUND_KB, "resident set after " + CYCLES + " cycles: " + m);
    }

    @Test
    @Timeout(60)
    void theMeasurementSeesALeak() throws Exception {
        Map<String, Long> m = runChild("300", "leak");
        // 300 unclosed 32x64 Dense layers: 300 x (weights + gradients) = 300 x 16.5 KB.
        assertTrue(m.get("cycleOtherGrowthKb") >= 300 * 16, "a deliberate leak must show: " + m);
    }

    /** Runs {@link MemoryCycles} in a JVM with a fixed, pre-touched 64 MB heap and native memory tracking. */
    private static Map<String, Long> runChild(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch", "-XX:NativeMemoryTracking=summary",
                "-cp", System.getProperty("java.class.path"), MemoryCycles.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(50, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, p.exitValue(), output);
        Map<String, Long> values = new HashMap<>();
        for (String line : output.split("\\R")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.matches("\\w+=-?\\d+")) values.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
        }
        return values;
    }

    @Test
    void closedObjectsRefuseUseWithAClearError() {
        Matrix m = Matrix.allocate(2, 3);
        m.close();
        expectClosed(() -> m.get(0, 0), "matrix was used after its memory was freed");

        Sequential model = Sequential.builder(3).add(new Dense(2)).build();
        Optimizer adam = new Adam(0.01f);
        Trainer trainer = new Trainer(model, Loss.meanSquaredError(), adam);
        try (Matrix x = Matrix.allocate(4, 3); Matrix y = Matrix.allocate(4, 2)) {
            trainer.close();
            expectClosed(() -> trainer.trainBatch(x, y), "trainer was closed");
            expectClosed(() -> trainer.fit(x, y, FitOptions.quiet(1, 2)), "trainer was closed");
            expectClosed(() -> trainer.evaluate(x, y), "trainer was closed");
            adam.close();
            expectClosed(() -> adam.step(4), "Adam optimizer was closed");
            model.close();
            expectClosed(() -> model.predict(x), "model was closed");
            expectClosed(() -> model.forward(x, true, 0), "model was closed");
            expectClosed(model::getWeights, "model was closed");
        }

        Dataset data = Dataset.regression(Matrix.allocate(5, 2), Matrix.allocate(5, 1), List.of("a", "b"));
        data.close();
        expectClosed(data::features, "dataset (5 rows) was closed");
        expectClosed(data::labels, "dataset (5 rows) was closed");
    }

    private static void expectClosed(Executable use, String message) {
        IllegalStateException e = assertThrows(IllegalStateException.class, use);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
