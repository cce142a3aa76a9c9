package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.cli.RegressionCheck.Measurement;
import dev.lanes.cli.RegressionCheck.Row;
import dev.lanes.cli.RegressionCheck.Verdict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegressionCheckTest {
    private static final double FIVE_PERCENT = 0.05;

    private static Map<String, Measurement> set(Object... nameAndMeasurement) {
        Map<String, Measurement> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndMeasurement.length; i += 2) {
            m.put((String) nameAndMeasurement[i], (Measurement) nameAndMeasurement[i + 1]);
        }
        return m;
    }

    private static Measurement quiet(double normalised) {
        return new Measurement(normalised, 0.01, 5);
    }

    private static Verdict only(List<Row> rows) {
        assertEquals(1, rows.size());
        return rows.get(0).verdict();
    }

    @Test
    void aClearSlowdownIsARegression() {
        List<Row> rows = RegressionCheck.compare(set("gemm", quiet(1.0)), set("gemm", quiet(1.20)), FIVE_PERCENT);
        assertEquals(Verdict.REGRESSION, only(rows));
        assertEquals(0.20, rows.get(0).change(), 1e-12);
        assertTrue(RegressionCheck.failed(rows));
    }

    @Test
    void aChangeWithinTheThresholdPasses() {
        List<Row> rows = RegressionCheck.compare(set("gemm", quiet(1.0)), set("gemm", quiet(1.04)), FIVE_PERCENT);
        assertEquals(Verdict.OK, only(rows));
        assertFalse(RegressionCheck.failed(rows));
    }

    @Test
    void aSlowdownBeyondTheThresholdButWithinTheNoiseDoesNotFail() {
        // 10% slower, but single rounds scatter by 40% over 5 rounds: the band is 3·1.2533·0.4/√5·√2 ≈ 95%.
        Measurement noisyBaseline = new Measurement(1.0, 0.4, 5), noisyNow = new Measurement(1.10, 0.4, 5);
        List<Row> rows = RegressionCheck.compare(set("train", noisyBaseline), set("train", noisyNow), FIVE_PERCENT);
        assertEquals(Verdict.NOISY, only(rows));
        assertFalse(RegressionCheck.failed(rows));
        // The same medians with quiet rounds are a regression.
        assertEquals(Verdict.REGRESSION, only(RegressionCheck.compare(set("train", quiet(1.0)), set("train", quiet(1.10)),
                FIVE_PERCENT)));
    }

    @Test
    void aSpeedUpBeyondTheThresholdIsReportedAndPasses() {
        List<Row> rows = RegressionCheck.compare(set("gemm", quiet(1.0)), set("gemm", quiet(0.8)), FIVE_PERCENT);
        assertEquals(Verdict.IMPROVED, only(rows));
        assertFalse(RegressionCheck.failed(rows));
    }

    @Test
    void aBenchmarkOfTheBaselineThatWasNotMeasuredFails() {
        List<Row> rows = RegressionCheck.compare(set("gemm", quiet(1.0), "train", quiet(2.0)), set("gemm", quiet(1.0)),
                FIVE_PERCENT);
        assertEquals(2, rows.size());
        assertEquals(Verdict.OK, rows.get(0).verdict());
        assertEquals("train", rows.get(1).benchmark());
        assertEquals(Verdict.MISSING, rows.get(1).verdict());
        assertTrue(RegressionCheck.failed(rows));
    }

    @Test
    void aBenchmarkNotInTheBaselineIsNewAndPasses() {
        List<Row> rows = RegressionCheck.compare(set("gemm", quiet(1.0)), set("gemm", quiet(1.0), "train", quiet(3.0)),
                FIVE_PERCENT);
        assertEquals(List.of(Verdict.OK, Verdict.NEW), rows.stream().map(Row::verdict).toList());
        assertFalse(RegressionCheck.failed(rows));
    }

    @Test
    void measurementIsTheMedianWithARobustSpread() {
        // One wild round (a load spike) moves neither the median nor the spread much.
        Measurement m = Measurement.of(new double[] {1.00, 1.02, 0.98, 1.01, 5.0});
        assertEquals(1.01, m.normalised(), 1e-12);
        // Deviations 0.01, 0.01, 0.03, 0, 3.99: their median is 0.01.
        assertEquals(1.4826 * 0.01 / 1.01, m.relativeSigma(), 1e-9);
        assertEquals(5, m.rounds());
        // Identical rounds: no spread, so any change beyond the threshold counts.
        assertEquals(0, Measurement.of(new double[] {2, 2, 2}).relativeSigma());
    }

    @Test
    void thresholdsParseAsPercentagesOrFractions() {
        assertEquals(0.05, RegressionCheck.parseThreshold("5%"), 1e-12);
        assertEquals(0.125, RegressionCheck.parseThreshold(" 12.5 % "), 1e-12);
        assertEquals(0.05, RegressionCheck.parseThreshold("0.05"), 1e-12);
        assertThrows(UsageException.class, () -> RegressionCheck.parseThreshold("-5%"));
        assertThrows(UsageException.class, () -> RegressionCheck.parseThreshold("five"));
    }

    @Test
    void aBareNumberOfOneOrMoreIsRefusedNotReadAsHundredsOfPercent() {
        // "--threshold 5" read as the fraction 5 is 500%: no regression could ever fail the check.
        UsageException e = assertThrows(UsageException.class, () -> RegressionCheck.parseThreshold("5"));
        assertTrue(e.getMessage().contains("'5'") && e.getMessage().contains("500%") && e.getMessage().contains("5%"),
                e.getMessage());
        assertThrows(UsageException.class, () -> RegressionCheck.parseThreshold("1"));
        assertEquals(1.5, RegressionCheck.parseThreshold("150%"), 1e-12);
        assertEquals(0.999, RegressionCheck.parseThreshold("0.999"), 1e-12);
        // Java's number syntax is not a user's: float suffixes and hex floats are mistakes.
        assertThrows(UsageException.class, () -> RegressionCheck.parseThreshold("0.05f"));
        assertThrows(UsageException.class, () -> RegressionCheck.parseThreshold("0x1p-4"));
        assertThrows(UsageException.class, () -> RegressionCheck.parseThreshold("5d%"));
    }

    @Test
    void tableShowsEveryRowAndItsVerdict() {
        List<Row> rows = RegressionCheck.compare(set("gemm NN 128x784x256", quiet(1.0), "gone", quiet(1.0)),
                set("gemm NN 128x784x256", quiet(1.2)), FIVE_PERCENT);
        String table = Regress.table(rows, FIVE_PERCENT);
        assertTrue(table.contains("gemm NN 128x784x256"), table);
        assertTrue(table.contains("+20.0%"), table);
        assertTrue(table.contains("REGRESSION"), table);
        assertTrue(table.contains("MISSING"), table);
    }

    @Test
    void baselineSurvivesAJsonRoundTrip() {
        RegressBaseline b = new RegressBaseline(Map.of("cpu", "test cpu"), 2, 123.5,
                set("gemm", new Measurement(1.25, 0.015, 5), "train", new Measurement(800.0, 0.03, 7)));
        RegressBaseline back = RegressBaseline.parse(b.toJson());
        assertEquals(b.threads(), back.threads());
        assertEquals(b.referenceGflops(), back.referenceGflops());
        assertEquals(b.benchmarks(), back.benchmarks());
        assertEquals(List.of("gemm", "train"), List.copyOf(back.benchmarks().keySet()));
        assertEquals("test cpu", back.machine().get("cpu"));
        assertThrows(IllegalArgumentException.class, () -> RegressBaseline.parse("{\"format\":99}"));
        assertThrows(IllegalArgumentException.class, () -> RegressBaseline.parse("{\"format\":1,\"threads\":1}"));
    }
}
