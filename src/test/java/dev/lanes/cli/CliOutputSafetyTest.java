package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs that would destroy an input or each other are refused before any work, and a CSV whose
 * header names the training columns in another order is refused rather than predicted from.
 */
class CliOutputSafetyTest {
    @TempDir Path dir;
    private Path model;
    private Path rows;

    @BeforeEach
    void trainOnACsvWithAHeader() throws Exception {
        Path data = dir.resolve("people.csv");
        StringBuilder csv = new StringBuilder("age,income,label\n");
        for (int i = 0; i < 60; i++) csv.append(20 + i).append(',').append(i % 7 * 0.1f).append(',').append(i % 2).append('\n');
        Files.writeString(data, csv);
        model = dir.resolve("m.lanes");
        CliRun run = CliRun.of("train", "--dataset", "csv", "--data", data.toString(), "--label", "label", "--layers", "4",
                "--epochs", "1", "--threads", "1", "--quiet", "--save", model.toString());
        assertEquals(0, run.status(), run::toString);
        rows = dir.resolve("rows.csv");
        Files.writeString(rows, "age,income\n30,0.2\n61,0.5\n");
    }

    @Test
    void predictRefusesTheTrainingColumnsInAnotherOrder() throws Exception {
        assertEquals(0, CliRun.of("predict", "--model", model.toString(), "--input", rows.toString()).status());
        Path swapped = dir.resolve("swapped.csv");
        Files.writeString(swapped, "income,age\n0.2,30\n0.5,61\n");
        CliRun run = CliRun.of("predict", "--model", model.toString(), "--input", swapped.toString());
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("[income, age]") && run.err().contains("[age, income]")
                && run.err().contains("reorder"), run::toString);
        assertEquals("", run.out(), run::toString);
    }

    @Test
    void predictWarnsAboutOtherColumnNamesAndPredictsByPosition() throws Exception {
        Path renamed = dir.resolve("renamed.csv");
        Files.writeString(renamed, "years,salary\n30,0.2\n61,0.5\n");
        CliRun run = CliRun.of("predict", "--model", model.toString(), "--input", renamed.toString());
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.err().contains("warning") && run.err().contains("[years, salary]") && run.err().contains("by position"),
                run::toString);
        assertEquals(CliRun.of("predict", "--model", model.toString(), "--input", rows.toString()).out(), run.out());
    }

    @Test
    void predictRefusesToWriteOverItsInputOrModel() throws Exception {
        byte[] input = Files.readAllBytes(rows), saved = Files.readAllBytes(model);
        CliRun overInput = CliRun.of("predict", "--model", model.toString(), "--input", rows.toString(),
                "--output", dir.resolve(".").resolve("rows.csv").toString());
        assertEquals(2, overInput.status(), overInput::toString);
        assertTrue(overInput.err().contains("same file as --input") && overInput.err().contains("overwrite"), overInput::toString);
        CliRun overModel = CliRun.of("predict", "--model", model.toString(), "--input", rows.toString(), "--output", model.toString());
        assertEquals(2, overModel.status(), overModel::toString);
        assertTrue(overModel.err().contains("same file as --model"), overModel::toString);
        assertArrayEquals(input, Files.readAllBytes(rows));
        assertArrayEquals(saved, Files.readAllBytes(model));
    }

    @Test
    void trainRefusesOneFileForTwoOutputsOrForItsData() throws Exception {
        Path same = dir.resolve("same.lanes");
        CliRun run = CliRun.of("train", "--dataset", "optdigits", "--layers", "4", "--epochs", "1", "--threads", "1", "--quiet",
                "--save", same.toString(), "--json", same.toString());
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("--json " + same) && run.err().contains("same file as --save"), run::toString);
        assertFalse(Files.exists(same));

        Path data = dir.resolve("people.csv");
        byte[] before = Files.readAllBytes(data);
        CliRun overData = CliRun.of("train", "--dataset", "csv", "--data", data.toString(), "--label", "label", "--epochs", "1",
                "--quiet", "--json", data.toString());
        assertEquals(2, overData.status(), overData::toString);
        assertTrue(overData.err().contains("same file as --data"), overData::toString);
        assertArrayEquals(before, Files.readAllBytes(data));
    }
}
