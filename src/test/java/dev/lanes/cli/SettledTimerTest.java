package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The arithmetic of the timer; its timing loops are exercised by the bench commands, not here. */
class SettledTimerTest {
    @Test
    void medianOfOddAndEvenCountsLeavesTheInputAlone() {
        double[] odd = {3, 1, 2};
        assertEquals(2, SettledTimer.median(odd));
        assertArrayEquals(new double[] {3, 1, 2}, odd);
        assertEquals(2.5, SettledTimer.median(new double[] {4, 1, 3, 2}));
        assertEquals(7, SettledTimer.median(new double[] {7}));
        assertThrows(IllegalArgumentException.class, () -> SettledTimer.median(new double[0]));
    }

    @Test
    void batchesAreSizedFromTheSettledTimeAndNeverEmpty() {
        SettledTimer.Budget budget = new SettledTimer.Budget(0, 0, 0, 0.2, 1);
        assertEquals(200, SettledTimer.callsPerBatch(1e-3, budget));
        assertEquals(1, SettledTimer.callsPerBatch(5, budget));
        assertEquals(1 << 30, SettledTimer.callsPerBatch(0, budget));
    }

    @Test
    void aBatchRunsExactlyTheCallsAskedFor() {
        int[] calls = {0};
        SettledTimer.timeBatch(() -> calls[0]++, 17);
        assertEquals(17, calls[0]);
    }
}
