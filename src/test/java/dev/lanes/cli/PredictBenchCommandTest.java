package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.io.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code bench predict}'s options and report, on a network too small to time anything. */
class PredictBenchCommandTest {
    @Test
    void theJsonLineDescribesTheRunAndItsLatency() {
        CliRun r = CliRun.of("bench", "predict", "--layers", "8", "--features", "20", "--classes", "3", "--rows", "5",
                "--threads", "1", "--calls", "50", "--quick", "--json");
        assertEquals(0, r.status(), r.toString());
        assertEquals(1, r.out().lines().count(), r.toString());
        Map<?, ?> m = (Map<?, ?>) Json.parse(r.out());
        assertEquals("20-8-3", m.get("layers"));
        assertEquals(5, ((Number) m.get("rows")).intValue());
        assertEquals(50, ((Number) m.get("calls")).intValue());
        double median = ((Number) m.get("median_us")).doubleValue(), p99 = ((Number) m.get("p99_us")).doubleValue();
        assertTrue(median > 0 && p99 >= median, r.toString());
        assertEquals(5 / (median / 1e6), ((Number) m.get("rows_per_s")).doubleValue(), 0.1, r.toString());
        // Counted, not asserted 0: in this JVM, shared with the whole suite, C2 may compile a kernel
        // from another test's profile and box its vectors (2,400 B a call was seen); a fresh JVM, as
        // `lanes bench predict` runs, counts 0 B, and SteadyStateAllocationTest holds predict itself
        // to 0 B outside the kernels.
        assertTrue(((Number) m.get("heap_bytes_per_call")).longValue() >= 0, r.toString());
    }

    @Test
    void theTextLineNamesTheNetworkAndTheRows() {
        CliRun r = CliRun.of("bench", "predict", "--layers", "8,4", "--features", "6", "--rows", "1", "--threads", "1",
                "--calls", "20", "--quick");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().startsWith("predict 6-8-4-10, 1 row, simd, 1 thread: median "), r.toString());
        CliRun zero = CliRun.of("bench", "predict", "--rows", "0");
        assertEquals(2, zero.status(), zero.toString());
        assertTrue(zero.err().contains("--rows"), zero.toString());
    }
}
