package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line checks of bench regress and compare-backends that fail before anything is measured. */
class RegressCommandTest {
    @TempDir
    Path dir;

    private record Result(int status, String out, String err) {}

    private static Result lanes(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Main.run(List.of(argv), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMissingBaselineIsAUsageMistakeThatSaysHowToMakeOne() {
        Result r = lanes("bench", "regress", "--baseline", dir.resolve("none.json").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--write"), r.err());
    }

    @Test
    void aBaselineOfAnotherThreadCountIsRefused() throws IOException {
        Path baseline = dir.resolve("baseline.json");
        Files.writeString(baseline, new RegressBaseline(Map.of(), 2, 100,
                Map.of("gemm", new RegressionCheck.Measurement(1, 0.01, 5))).toJson());
        Result r = lanes("bench", "regress", "--baseline", baseline.toString(), "--threads", "1");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("2 thread(s)"), r.err());
    }

    @Test
    void aBaselineFromVectorsOfAnotherWidthIsRefusedBeforeMeasuring() throws IOException {
        long here = ((Number) RegressBaseline.thisMachine().get("vector_bits")).longValue();
        long other = here == 512 ? 256 : 512;
        Path baseline = dir.resolve("baseline.json");
        Files.writeString(baseline, new RegressBaseline(Map.of("cpu", "elsewhere", "vector_bits", other), 1, 100,
                Map.of("gemm", new RegressionCheck.Measurement(1, 0.01, 5))).toJson());
        Result r = lanes("bench", "regress", "--baseline", baseline.toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains(other + "-bit vectors") && r.err().contains(here + "-bit ones"), r.err());
        assertTrue(r.err().contains("--write"), r.err());
        assertTrue(r.out().isEmpty(), "nothing is measured: " + r.out());
    }

    @Test
    void aBaselineWhoseGemmRanAnotherTileIsRefusedBeforeMeasuring() throws IOException {
        Map<String, Object> here = RegressBaseline.thisMachine();
        Path baseline = dir.resolve("baseline.json");
        Files.writeString(baseline, new RegressBaseline(Map.of("cpu", "here", "vector_bits", here.get("vector_bits"),
                "gemm_tile", "9x99"), 1, 100, Map.of("gemm", new RegressionCheck.Measurement(1, 0.01, 5))).toJson());
        Result r = lanes("bench", "regress", "--baseline", baseline.toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("ran the 9x99 tile") && r.err().contains("would run " + here.get("gemm_tile")), r.err());
        assertTrue(r.err().contains("-Dlanes.gemm.tile=9x99") && r.err().contains("--write"), r.err());
        assertTrue(r.out().isEmpty(), "nothing is measured: " + r.out());
    }

    @Test
    void aCorruptBaselineIsReportedWithItsPath() throws IOException {
        Path baseline = dir.resolve("baseline.json");
        Files.writeString(baseline, "{\"format\": 1, \"benchmarks\": [");
        Result r = lanes("bench", "regress", "--baseline", baseline.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(baseline.toString()), r.err());
    }

    @Test
    void aBaselineThatCannotBeWrittenIsRefusedBeforeMeasuring() throws IOException {
        // --write measures for a minute or more; finding out only then that the file cannot be written wastes it.
        Result folder = lanes("bench", "regress", "--write", "--quick", "--repeats", "1", "--baseline", dir.toString());
        assertEquals(2, folder.status(), folder.out() + folder.err());
        assertTrue(folder.err().contains("--baseline " + dir) && folder.err().contains("folder"), folder.err());
        assertTrue(folder.out().isEmpty(), "nothing is measured: " + folder.out());
        Path file = Files.writeString(dir.resolve("notes.txt"), "a file, not a folder");
        Path inside = file.resolve("baseline.json");
        Result underFile = lanes("bench", "regress", "--write", "--quick", "--repeats", "1", "--baseline", inside.toString());
        assertEquals(2, underFile.status(), underFile.out() + underFile.err());
        assertTrue(underFile.err().contains(inside.toString()) && underFile.err().contains("not a folder"), underFile.err());
        assertTrue(underFile.out().isEmpty(), "nothing is measured: " + underFile.out());
    }

    @Test
    void aBaselineOfFewerThanThreeRoundsIsRefusedBeforeMeasuring() {
        // Its spread is what later checks allow for as noise; one or two rounds give none worth recording.
        Result r = lanes("bench", "regress", "--write", "--quick", "--repeats", "2", "--baseline",
                dir.resolve("b.json").toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("--repeats 3 or more (got 2)"), r.err());
        assertTrue(r.out().isEmpty(), "nothing is measured: " + r.out());
    }

    @Test
    void aBaselineWithoutAUsableThreadCountOrReferenceIsRefusedWithItsPath() throws IOException {
        String benchmarks = "\"benchmarks\":{\"gemm\":{\"normalised\":1,\"relative_sigma\":0.01,\"rounds\":5}}";
        for (String bad : List.of("\"threads\":0,\"reference_gflops\":100", "\"threads\":1.5,\"reference_gflops\":100",
                "\"threads\":-2,\"reference_gflops\":100", "\"threads\":1,\"reference_gflops\":0")) {
            Path baseline = Files.writeString(dir.resolve("baseline.json"), "{\"format\":1," + bad + "," + benchmarks + "}");
            Result r = lanes("bench", "regress", "--quick", "--repeats", "1", "--baseline", baseline.toString());
            assertEquals(2, r.status(), bad + ": " + r.out() + r.err());
            assertTrue(r.err().contains(baseline.toString()), r.err());
            assertTrue(r.out().isEmpty(), "nothing is measured: " + r.out());
        }
    }

    @Test
    void aThreadCountPastTheCliLimitIsRefusedFirst() {
        // Every other command caps --threads at 1024; here 5000 would start 5000 real threads with --write.
        Result r = lanes("bench", "regress", "--threads", "5000", "--baseline", dir.resolve("none.json").toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("--threads") && r.err().contains("1024") && r.err().contains("5000"), r.err());
    }

    @Test
    void badThresholdAndUnknownWorkAreUsageMistakes() {
        assertEquals(2, lanes("bench", "regress", "--threshold", "lots").status());
        Result r = lanes("bench", "compare-backends", "--only", "no such kernel");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no such kernel"), r.err());
    }
}
