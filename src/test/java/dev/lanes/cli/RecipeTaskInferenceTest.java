package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without {@code --task}, a CSV label column that looks continuous (numbers with fractions, or very
 * many distinct integers) is refused with a hint, instead of becoming hundreds of classes.
 */
class RecipeTaskInferenceTest {
    @TempDir Path dir;

    private Path csv(String name, int rows, IntFunction<String> label) throws Exception {
        return TestCsv.withLabel(dir, name, "price", rows, label);
    }

    @Test
    void aContinuousTargetWithoutTaskIsRefusedWithAHintToPassTaskRegression() throws Exception {
        // House prices in thousands, as Boston's MEDV: 21.6 on line 2, many distinct values.
        Path f = csv("prices.csv", 500, r -> String.format(Locale.ROOT, "%.1f", 21.6 + (r * 37 % 300) / 10.0));
        UsageException e = assertThrows(UsageException.class, () -> Recipe.load("csv", f, "price", null, 42).close());
        assertTrue(e.getMessage().contains("continuous") && e.getMessage().contains("--task regression")
                && e.getMessage().contains("'21.6' on line 2"), e.getMessage());

        CliRun run = CliRun.of("train", "--dataset", "csv", "--data", f.toString(), "--label", "price", "--epochs", "1",
                "--layers", "4", "--threads", "1", "--quiet");
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("--task regression"), run::toString);

        // The same file with --task regression trains a regression.
        try (Recipe.Prepared p = Recipe.load("csv", f, "price", "regression", 42)) {
            assertEquals(Recipe.Task.REGRESSION, p.task());
        }
    }

    @Test
    void taskRegressionOnATextLabelNamesTheLabelAndTheTaskRatherThanAdvisingACategoricalColumn() throws Exception {
        Path f = csv("pets.csv", 50, r -> r == 7 ? "12.5" : r % 2 == 0 ? "cat" : "dog");
        dev.lanes.data.DataFileException e = assertThrows(dev.lanes.data.DataFileException.class,
                () -> Recipe.load("csv", f, "price", "regression", 42).close());
        assertEquals(2, e.line().orElse(-1), e.getMessage());
        assertTrue(e.getMessage().contains("label 'cat' in column 'price' is not a number (nor are 48 more labels)")
                && e.getMessage().contains("--task classification") && !e.getMessage().contains("categorical"), e.getMessage());
    }

    @Test
    void veryManyDistinctIntegersAreRefusedAsAContinuousTarget() throws Exception {
        // Prices in whole dollars: 400 rows, a few hundred distinct values.
        Path f = csv("dollars.csv", 400, r -> Integer.toString(100_000 + r * 7919 % 350 * 100));
        UsageException e = assertThrows(UsageException.class, () -> Recipe.load("csv", f, "price", null, 42).close());
        assertTrue(e.getMessage().contains("distinct integer values in 400 rows") && e.getMessage().contains("--task"),
                e.getMessage());
    }

    @Test
    void aStrayFractionInAnIntegerColumnIsReportedWithItsLine() throws Exception {
        Path f = csv("half.csv", 600, r -> r == 100 ? "0.5" : Integer.toString(r % 2));
        UsageException e = assertThrows(UsageException.class, () -> Recipe.load("csv", f, "price", null, 42).close());
        assertTrue(e.getMessage().contains("'0.5' on line 102") && e.getMessage().contains("typo"), e.getMessage());
    }

    @Test
    void textLabelsAndAFewIntegerClassesAreStillClassification() throws Exception {
        try (Recipe.Prepared p = Recipe.load("csv", csv("text.csv", 300, r -> r % 3 == 0 ? "M" : "B"), "price", null, 42)) {
            assertEquals(Recipe.Task.BINARY, p.task());
            assertEquals(List.of("B", "M"), p.train().classNames());
        }
        // 20 classes of 10 rows each: at the limit, still classes.
        try (Recipe.Prepared p = Recipe.load("csv", csv("digits.csv", 200, r -> Integer.toString(r % 20)), "price", null, 42)) {
            assertEquals(Recipe.Task.MULTICLASS, p.task());
            assertEquals(20, p.classes());
        }
    }

    @Test
    void taskClassificationForcesClassesFromFractionalLabels() throws Exception {
        // Grades 0.5 / 1.5 / 2.5: with --task classification they are three classes in numeric order.
        String[] grades = {"2.5", "0.5", "1.5"};
        Path f = csv("grades.csv", 300, r -> grades[r % 3]);
        assertThrows(UsageException.class, () -> Recipe.load("csv", f, "price", null, 42).close());
        try (Recipe.Prepared p = Recipe.load("csv", f, "price", "classification", 42)) {
            assertEquals(Recipe.Task.MULTICLASS, p.task());
            assertEquals(List.of("0.5", "1.5", "2.5"), p.train().classNames());
        }
    }
}
