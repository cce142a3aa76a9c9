package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code bench gemm}'s option mistakes, refused before anything is allocated or timed. */
class GemmBenchCommandTest {
    @Test
    void secondsThatAreNotADurationAreAUsageMistakeNamingTheValue() {
        // "abc" was a bare NumberFormatException (exit 1), NaN timed batches of 0 calls and printed 0 GFLOP/s,
        // and Infinity asked for 2^31 calls per batch.
        for (String bad : new String[] {"abc", "NaN", "-1", "Infinity", "1e9", "0.3f"}) {
            CliRun r = CliRun.of("bench", "gemm", "--m", "8", "--n", "8", "--k", "8", "--threads", "1",
                    "--repeats", "1", "--seconds", bad);
            assertEquals(2, r.status(), bad + ": " + r);
            assertTrue(r.err().contains("--seconds") && r.err().contains("'" + bad + "'"), r.toString());
            assertTrue(r.out().isEmpty(), "nothing is measured: " + r);
        }
    }
}
