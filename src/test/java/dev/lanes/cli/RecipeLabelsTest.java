package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.data.DataFileException;
import dev.lanes.data.Dataset;
import dev.lanes.train.ConfusionMatrix;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code lanes train --dataset csv} turns a label column into classes (or refuses to): class ids
 * are the distinct labels in order, so no class is empty and names match ids; a class of one row is
 * refused and a class of very few rows warned about, naming value and line.
 */
class RecipeLabelsTest {
    @TempDir Path dir;

    /** A CSV with a header {@code x,z,y}; row r (line r + 2) has label {@code label.apply(r)}. */
    private Path csv(String name, int rows, IntFunction<String> label) throws Exception {
        return TestCsv.withLabel(dir, name, "y", rows, label);
    }

    /** The labels of every row of {@code d}, as class names. */
    private static List<String> names(Dataset d) {
        List<String> out = new java.util.ArrayList<>();
        for (int r = 0; r < d.rows(); r++) out.add(d.classNames().get(d.classId(r)));
        return out;
    }

    @Test
    void aStrayLabelInABinaryColumnIsRefusedNamingTheValueAndItsLine() throws Exception {
        // 600 rows of 0/1 and one 7 on line 102 (row 100): it used to make an 8-class model with classes 2-6 empty.
        Path f = csv("stray.csv", 600, r -> r == 100 ? "7" : Integer.toString(r % 2));
        DataFileException e = assertThrows(DataFileException.class, () -> Recipe.load("csv", f, "y", null, 42).close());
        assertEquals(102, e.line().orElseThrow(), e.getMessage());
        assertEquals(3, e.column(), e.getMessage());
        assertTrue(e.getMessage().contains("label '7'"), e.getMessage());

        CliRun run = CliRun.of("train", "--dataset", "csv", "--data", f.toString(), "--label", "y", "--epochs", "1",
                "--layers", "4", "--threads", "1", "--quiet");
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains(":102:") && run.err().contains("'7'"), run::toString);
    }

    @Test
    void integerLabelsWithGapsAreClassesInNumericOrderWithoutEmptyClasses() throws Exception {
        // Labels 2, 10 and -1: ids 0, 1, 2 name -1, 2, 10; no class for 0, 1, 3..9.
        String[] labels = {"2", "10", "-1"};
        Path f = csv("gaps.csv", 300, r -> labels[r % 3]);
        try (Recipe.Prepared p = Recipe.load("csv", f, "y", null, 42)) {
            assertEquals(List.of("-1", "2", "10"), p.train().classNames());
            assertEquals(3, p.classes());
            assertEquals(Recipe.Task.MULTICLASS, p.task());
            int[] counts = p.train().classCounts();
            for (int c : counts) assertEquals(80, c, "every class has its share of training rows");
            assertEquals(List.of("-1", "2", "10"), p.metadata().get("class_names"));
        }
    }

    @Test
    void labelsOneAndTwoAreABinaryTaskNamedOneAndTwo() throws Exception {
        // The common UCI coding 1/2 (ILPD's): a binary task, not three classes with class 0 empty.
        Path f = csv("one-two.csv", 200, r -> r % 3 == 0 ? "2" : "1");
        try (Recipe.Prepared p = Recipe.load("csv", f, "y", null, 42)) {
            assertEquals(Recipe.Task.BINARY, p.task());
            assertEquals(List.of("1", "2"), p.train().classNames());
        }
    }

    @Test
    void aClassOfVeryFewRowsIsAWarningThatNamesItsLines() throws Exception {
        // Three rows labelled 'c' (lines 12, 52, 92) among 400 of 'a'/'b'.
        Path f = csv("few.csv", 400, r -> r == 10 || r == 50 || r == 90 ? "c" : r % 2 == 0 ? "a" : "b");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream warnings = new PrintStream(err, true, StandardCharsets.UTF_8);
             Recipe.Prepared p = Recipe.load("csv", f, "y", null, 42, null, warnings)) {
            assertEquals(List.of("a", "b", "c"), p.train().classNames());
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("warning: label 'c'") && text.contains("only 3 rows") && text.contains("lines 12, 52, 92"),
                text);
        assertFalse(text.contains("label 'a'") || text.contains("label 'b'"), text);
    }

    @Test
    void evaluateMapsLabelsToTheSavedModelsClassesEvenWhenTheFileLacksOne() throws Exception {
        // A model trained on a, b, c; the file to evaluate on has only b and c.
        Path f = csv("bc.csv", 100, r -> r % 2 == 0 ? "b" : "c");
        Preparation saved = new Preparation(1f, null, List.of("a", "b", "c"));
        try (Recipe.Prepared p = Recipe.load("csv", f, "y", "classification", 42, saved)) {
            assertEquals(List.of("a", "b", "c"), p.test().classNames());
            assertEquals(Recipe.Task.MULTICLASS, p.task());
            // b and c keep the model's ids 1 and 2 (derived from this file alone they would be 0 and 1).
            int[] counts = p.test().classCounts();
            assertEquals(0, counts[0]);
            assertEquals(10, counts[1]);
            assertEquals(10, counts[2]);
            for (String name : names(p.test())) assertTrue(name.equals("b") || name.equals("c"), name);
        }
        assertEquals(List.of("a", "b", "c"),
                Preparation.readFrom(java.util.Map.of("class_names", List.of("a", "b", "c")), "m").classNames());
    }

    @Test
    void theConfusionTableIsHeadedByTheClassNames() {
        // Labels -1, 0, 1 are ids 0, 1, 2: a table headed by ids would show class "-1" under "0".
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0, 0, 1, 2, 2}, new int[] {0, 1, 1, 2, 0}, 3);
        String table = Recipe.confusionTable(cm, List.of("-1", "0", "1"));
        String[] lines = table.split("\n");
        assertArrayEquals(new String[] {"actual", "-1", "0", "1", "accuracy"}, lines[0].trim().split(" +"), table);
        assertTrue(lines[1].startsWith("-1 "), table);
        assertTrue(lines[2].startsWith("0 "), table);
        // With names equal to the ids (or none) it is exactly the matrix's own layout.
        assertEquals(cm.toString(), Recipe.confusionTable(cm, List.of("0", "1", "2")));
        assertEquals(cm.toString(), Recipe.confusionTable(cm, null));
        String wide = Recipe.confusionTable(cm, List.of("malignant", "benign", "unknown-kind"));
        assertTrue(wide.contains("unknown-kind") && wide.lines().allMatch(l -> !l.contains("  null")), wide);
    }
}
