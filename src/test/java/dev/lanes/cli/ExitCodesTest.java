package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented exit codes (0 ok, 1 failure while running, 2 usage or input error), one line and no stack trace. */
class ExitCodesTest {
    @TempDir Path dir;

    private record Outcome(int code, String out, String err) {}

    private static Outcome run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(List.of(argv), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertOneLineError(Outcome o, int code, String fragment) {
        assertEquals(code, o.code(), "stderr: " + o.err());
        assertTrue(o.err().startsWith("lanes: ") && o.err().contains(fragment), "stderr: " + o.err());
        assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
        assertFalse(o.err().contains("\tat ") || o.err().contains("Exception"), "no stack trace: " + o.err());
    }

    @Test
    void helpIsZero() {
        assertEquals(0, run("help").code());
    }

    @Test
    void usageMistakesAreTwo() {
        assertOneLineError(run("frobnicate"), 2, "unknown command 'frobnicate'");
        assertOneLineError(run("train", "--epochs", "0"), 2, "epochs");
        assertOneLineError(run("train", "--dataset", "mnist", "--data", dir.resolve("nowhere").toString()), 2, "does not exist");
    }

    // The label is given by index: the csv recipe does not enable CsvReader.header, so naming a column fails (reported).
    @Test
    void aCorruptInputFileIsTwo() throws IOException {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "1,2,3\n4,five,6\n");
        assertOneLineError(run("train", "--dataset", "csv", "--data", csv.toString(), "--label", "2", "--task", "regression",
                "--quiet"), 2, "bad.csv:2");
    }

    @Test
    void divergenceWhileTrainingIsOne() throws IOException {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            csv.append(String.format(Locale.ROOT, "%d,%d,%e%n", i % 7, i % 5, (i % 3 - 1) * 3e37));
        }
        Path file = dir.resolve("huge.csv");
        Files.writeString(file, csv);
        Outcome o = run("train", "--dataset", "csv", "--data", file.toString(), "--label", "2", "--task", "regression",
                "--optimizer", "sgd", "--lr", "100", "--epochs", "5", "--quiet");
        assertOneLineError(o, 1, "lower learning rate");
    }
}
