package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lanes.data.Dataset;
import dev.lanes.train.FitOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rows {@code lanes train --validation-split F} validates on are the last F of the prepared
 * training part (Trainer.fit takes the last rows, as Keras does): they must be a random sample of
 * the training rows, not the end of the file, and the same ones for the same seed.
 */
class RecipeValidationRowsTest {
    @TempDir Path dir;

    /** The first row Trainer.fit holds out for {@code fraction}. */
    private static int validationStart(int n, double fraction) {
        return FitOptions.trainingRows(n, fraction);
    }

    /** 600 rows sorted by label: 360 of class 0, then 240 of class 1, as a file sorted by diagnosis is. */
    private Path sortedByLabel() throws Exception {
        StringBuilder sb = new StringBuilder("id,x,diagnosis\n");
        for (int r = 0; r < 600; r++) {
            sb.append(r).append(',').append(String.format(Locale.ROOT, "%.3f", Math.sin(r))).append(',')
                    .append(r < 360 ? 0 : 1).append('\n');
        }
        Path f = dir.resolve("sorted.csv");
        Files.writeString(f, sb);
        return f;
    }

    @Test
    void validationRowsOfALabelSortedCsvHoldBothClassesInProportion() throws Exception {
        try (Recipe.Prepared p = Recipe.load("csv", sortedByLabel(), "diagnosis", null, 42)) {
            Dataset train = p.train();
            int n = train.rows();
            int[] part = train.classCounts();
            for (double fraction : new double[] {0.1, 0.2}) {
                int from = validationStart(n, fraction);
                int[] seen = new int[2];
                for (int r = from; r < n; r++) seen[train.classId(r)]++;
                int rows = n - from;
                // File order put 48 (or 96) rows of class 1 and none of class 0 here.
                assertEquals((double) part[0] * rows / n, seen[0], 2.0, "class 0 among the last " + rows + " rows");
                assertEquals((double) part[1] * rows / n, seen[1], 2.0, "class 1 among the last " + rows + " rows");
            }
        }
    }

    @Test
    void validationRowsOfATargetSortedCsvComeFromTheWholeRange() throws Exception {
        StringBuilder sb = new StringBuilder("x,price\n");
        for (int r = 0; r < 1000; r++) sb.append(r % 7).append(',').append(r).append(".5\n");
        Path f = dir.resolve("prices.csv");
        Files.writeString(f, sb);
        try (Recipe.Prepared p = Recipe.load("csv", f, "price", "regression", 42)) {
            float[] y = p.train().labels().toArray();
            int from = validationStart(y.length, 0.1);
            double mean = 0;
            for (int r = from; r < y.length; r++) mean += y[r] / (y.length - from);
            // In file order these would be the 80 highest-ranked training rows (mean near 950).
            assertEquals(500, mean, 80, "mean target of the validation rows");
        }
    }

    @Test
    void theSameSeedGivesTheSameTrainingOrderAndTestRowsSoResumeAndEvaluateAgree() throws Exception {
        Path f = sortedByLabel();
        try (Recipe.Prepared a = Recipe.load("csv", f, "diagnosis", null, 7);
             Recipe.Prepared b = Recipe.load("csv", f, "diagnosis", null, 7);
             Recipe.Prepared c = Recipe.load("csv", f, "diagnosis", null, 8)) {
            assertArrayEquals(a.train().features().toArray(), b.train().features().toArray());
            assertArrayEquals(a.train().labels().toArray(), b.train().labels().toArray());
            assertArrayEquals(a.test().features().toArray(), b.test().features().toArray());
            assertFalse(java.util.Arrays.equals(a.train().labels().toArray(), c.train().labels().toArray()));
        }
    }
}
