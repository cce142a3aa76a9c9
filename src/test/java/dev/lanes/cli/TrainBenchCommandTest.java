package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import org.junit.jupiter.api.Test;

/** {@code bench train}'s options and output, on a run too small to time anything. */
class TrainBenchCommandTest {
    @Test
    void theHiddenActivationIsChosenAndReported() {
        CliRun r = CliRun.of("bench", "train", "--layers", "16", "--activation", "tanh", "--samples", "64",
                "--batch", "32", "--threads", "1", "--features", "8", "--json");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("\"activation\":\"tanh\""), r.toString());
        assertTrue(r.out().contains("\"layers\":\"8-16-10\""), r.toString());
        CliRun text = CliRun.of("bench", "train", "--layers", "16", "--activation", "sigmoid", "--samples", "64",
                "--batch", "32", "--threads", "1", "--features", "8");
        assertEquals(0, text.status(), text.toString());
        assertTrue(text.out().contains("train 8-16-10 (sigmoid) batch 32"), text.toString());
    }

    @Test
    void theJsonNamesTheGemmTileOfTheBackendThatRan() {
        String tile;
        try (Kernels simd = Kernels.create("simd", 1)) {
            tile = simd.gemmTile();
        }
        CliRun r = CliRun.of("bench", "train", "--layers", "16", "--samples", "64", "--batch", "32",
                "--threads", "1", "--features", "8", "--backend", "simd", "--json");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("\"gemm_tile\":\"" + tile + "\""), r.toString());
        CliRun loop = CliRun.of("bench", "train", "--layers", "16", "--samples", "64", "--batch", "32",
                "--threads", "1", "--features", "8", "--backend", "loop", "--json");
        assertEquals(0, loop.status(), loop.toString());
        assertTrue(loop.out().contains("\"gemm_tile\":\"\""), loop.toString());
    }

    @Test
    void anOutputOnlyOrUnknownActivationIsAUsageMistake() {
        CliRun softmax = CliRun.of("bench", "train", "--activation", "softmax", "--samples", "64");
        assertEquals(2, softmax.status(), softmax.toString());
        assertTrue(softmax.err().contains("output layers only"), softmax.toString());
        CliRun unknown = CliRun.of("bench", "train", "--activation", "swish", "--samples", "64");
        assertEquals(2, unknown.status(), unknown.toString());
        assertTrue(unknown.err().contains("--activation"), unknown.toString());
    }

    @Test
    void aBatchLargerThanTheSamplesIsReportedAsTheBatchThatRan() {
        // The trainer steps over min(batch, samples) rows; ms_per_step used --batch and came out 2x too long here.
        CliRun r = CliRun.of("bench", "train", "--layers", "16", "--samples", "64", "--batch", "128",
                "--threads", "1", "--features", "8", "--json");
        assertEquals(0, r.status(), r.toString());
        java.util.Map<?, ?> json = (java.util.Map<?, ?>) dev.lanes.io.Json.parse(r.out().trim());
        double samplesPerSecond = ((Number) json.get("samples_per_s")).doubleValue();
        double msPerStep = ((Number) json.get("ms_per_step")).doubleValue();
        assertEquals(64, ((Number) json.get("batch")).intValue(), r.toString());
        // ms_per_step is printed with 4 decimals: a step of 0.02 ms carries a rounding of up to 0.00005.
        assertEquals(1000.0 * 64 / samplesPerSecond, msPerStep, Math.max(1e-3 * msPerStep, 5e-5), r.toString());
        assertTrue(r.err().contains("--batch 128") && r.err().contains("--samples 64"), r.toString());
    }

    @Test
    void profileWithJsonKeepsStdoutOneJsonLine() {
        CliRun r = CliRun.of("bench", "train", "--layers", "16", "--samples", "256", "--batch", "32",
                "--threads", "1", "--features", "8", "--json", "--profile");
        assertEquals(0, r.status(), r.toString());
        assertEquals(1, r.out().lines().count(), r.toString());
        assertTrue(dev.lanes.io.Json.parse(r.out().trim()) instanceof java.util.Map<?, ?>, r.toString());
        assertTrue(r.err().contains("where the time went") && r.err().contains("GEMM by shape"), r.toString());
    }
}
