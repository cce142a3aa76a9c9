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
}
