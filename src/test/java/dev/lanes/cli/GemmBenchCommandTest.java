package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void operandsLargerThanMemoryAreRefusedNamingTheSizes() {
        // 2·10^9 each overflowed the byte count ("The provided allocation size is negative: -2446744073709551552");
        // three operands that each fit but together do not got the JVM killed by the kernel.
        CliRun huge = CliRun.of("bench", "gemm", "--m", "2000000000", "--n", "2000000000", "--k", "2000000000",
                "--threads", "1");
        assertEquals(2, huge.status(), huge.toString());
        assertTrue(huge.err().contains("--m 2000000000 --n 2000000000 --k 2000000000"), huge.toString());
        // Each operand fits a Java array (8.6 GB), the three together not 16 GB of memory.
        UsageException big = assertThrows(UsageException.class, () -> GemmBench.checkFits(46340, 46340, 46340, 16_000_000_000L));
        assertTrue(big.getMessage().contains("--m 46340 --n 46340 --k 46340") && big.getMessage().contains("25.8 GB")
                && big.getMessage().contains("16.0 GB"), big.getMessage());
        GemmBench.checkFits(1024, 1024, 1024, 16_000_000_000L);
    }
}
