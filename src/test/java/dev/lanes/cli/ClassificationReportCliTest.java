package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.io.Json;
import dev.lanes.kernel.Kernels;
import dev.lanes.train.ConfusionMatrix;
import dev.lanes.train.RocAuc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The precision / recall / F1 table and the ROC AUC line of the classification test report. */
class ClassificationReportCliTest {
    @TempDir Path dir;

    @Test
    void ilpdReportsScoresThatAgreeWithTheSavedModelsOwnPredictions() throws Exception {
        Path model = dir.resolve("ilpd.lanes"), json = dir.resolve("ilpd.json");
        CliRun train = CliRun.of("train", "--dataset", "ilpd", "--epochs", "5", "--backend", "loop", "--threads", "1",
                "--save", model.toString(), "--json", json.toString());
        assertEquals(0, train.status(), train::toString);
        String out = train.out();
        assertTrue(out.contains("precision    recall  f1-score   support"), out);
        assertTrue(out.contains("confusion matrix (rows: actual, columns: predicted):"), out);

        // The test part as evaluate re-creates it, predicted by the saved model, scored by the library.
        try (Kernels kernels = Kernels.create("loop", 1);
             SavedModel saved = SavedModel.open(model.toString(), kernels);
             Recipe.Prepared data = Recipe.load("ilpd", null, null, "classification", 42, saved.preparation())) {
            ConfusionMatrix cm = ConfusionMatrix.of(saved.model(), data.test().features(), data.test().labels());
            RocAuc roc = RocAuc.of(saved.model(), data.test().features(), data.test().labels());
            List<String> names = data.test().classNames();
            assertEquals(List.of("non-liver patient", "liver patient"), names);

            String report = out.substring(out.indexOf("test: loss"), out.indexOf("confusion matrix"));
            String matrix = out.substring(out.indexOf("confusion matrix"));
            for (int c = 0; c < 2; c++) {
                // The confusion table the run printed holds the same predictions.
                assertEquals(List.of(Long.toString(cm.count(c, 0)), Long.toString(cm.count(c, 1)), fixed(cm.recall(c))),
                        numbersOnLine(matrix, names.get(c)), out);
                assertEquals(List.of(fixed(cm.precision(c)), fixed(cm.recall(c)), fixed(cm.f1(c)),
                        Long.toString(cm.support(c))), numbersOnLine(report, names.get(c)), out);
            }
            assertEquals(List.of(fixed(cm.macroPrecision()), fixed(cm.macroRecall()), fixed(cm.macroF1()), "117"),
                    numbersOnLine(report, "macro avg"), out);
            assertEquals(List.of(fixed(cm.weightedPrecision()), fixed(cm.weightedRecall()), fixed(cm.weightedF1()), "117"),
                    numbersOnLine(report, "weighted avg"), out);
            assertEquals(List.of(fixed(cm.accuracy()), "117"), numbersOnLine(report, "accuracy"), out);
            Matcher auc = Pattern.compile("\nROC AUC (\\d\\.\\d{4}) \\(rows ranked by the predicted probability of liver"
                    + " patient\\)\n").matcher(out);
            assertTrue(auc.find(), out);
            assertTrue(roc.defined());
            assertEquals(fixed(roc.auc()), auc.group(1));
            assertTrue(roc.auc() > 0.5 && roc.auc() < 1, "five epochs rank better than chance, short of perfectly: " + roc);

            Map<?, ?> test = (Map<?, ?>) ((Map<?, ?>) Json.parse(Files.readString(json))).get("test");
            assertEquals(roc.auc(), (Double) test.get("roc_auc"));
            Map<?, ?> liver = (Map<?, ?>) ((Map<?, ?>) test.get("per_class")).get("liver patient");
            assertEquals(cm.precision(1), (Double) liver.get("precision"));
            assertEquals(cm.recall(1), (Double) liver.get("recall"));
            assertEquals(cm.f1(1), (Double) liver.get("f1"));
            assertEquals(cm.support(1), ((Number) liver.get("support")).longValue());
            assertEquals(cm.macroF1(), (Double) ((Map<?, ?>) test.get("macro_avg")).get("f1"));
            assertEquals(cm.weightedF1(), (Double) ((Map<?, ?>) test.get("weighted_avg")).get("f1"));
        }
    }

    @Test
    void aTestPartOfOneClassHasNoAucAndSaysWhy() throws Exception {
        Path trainFile = TestCsv.withLabel(dir, "train.csv", "y", 60, r -> r % 3 == 0 ? "yes" : "no");
        Path onlyYes = TestCsv.withLabel(dir, "only-yes.csv", "y", 40, r -> "yes");
        Path model = dir.resolve("yes.lanes"), json = dir.resolve("eval.json");
        CliRun train = CliRun.of("train", "--dataset", "csv", "--data", trainFile.toString(), "--label", "y",
                "--epochs", "2", "--threads", "1", "--quiet", "--save", model.toString());
        assertEquals(0, train.status(), train::toString);
        CliRun eval = CliRun.of("evaluate", "--model", model.toString(), "--data", onlyYes.toString(), "--threads", "1",
                "--json", json.toString());
        assertEquals(0, eval.status(), eval::toString);
        assertTrue(eval.out().contains("ROC AUC undefined: all 8 test rows are yes, and the area needs rows of both"
                + " classes\n"), eval::toString);
        Map<?, ?> test = (Map<?, ?>) ((Map<?, ?>) Json.parse(Files.readString(json))).get("test");
        assertTrue(test.containsKey("roc_auc"), test::toString);
        assertNull(test.get("roc_auc"), test::toString);
        assertNotNull(test.get("per_class"), test::toString);
    }

    @Test
    void theTableIsLaidOutAsScikitLearnsClassificationReport() {
        // The hand-worked matrix of ClassificationScoresTest: class b never predicted, class c with no rows.
        // scikit-learn's layout: names right-aligned to "weighted avg", then columns 9 wide after a space.
        int[] actual = {0, 0, 0, 0, 0, 1, 1, 1}, predicted = {0, 0, 0, 2, 2, 0, 2, 2};
        String table = ClassificationReport.table(ConfusionMatrix.of(actual, predicted, 3), List.of("a", "b", "c"));
        assertEquals("""
                              precision    recall  f1-score   support

                           a     0.7500    0.6000    0.6667         5
                           b     0.0000    0.0000    0.0000         3
                           c     0.0000    0.0000    0.0000         0

                    accuracy                         0.3750         8
                   macro avg     0.2500    0.2000    0.2222         8
                weighted avg     0.4688    0.3750    0.4167         8
                """, table);
        String absent = ClassificationReport.table(ConfusionMatrix.of(actual, predicted, 4), List.of("a", "b", "c", "d"));
        assertTrue(absent.contains("\n           d     0.0000    0.0000    0.0000         0\n"), absent);
        assertTrue(absent.contains("\n   macro avg     0.2500    0.2000    0.2222         8\n"), absent);
        assertTrue(absent.endsWith("\n(d: no test rows and never predicted; left out of the macro average, as in"
                + " scikit-learn)\n"), absent);
        assertFalse(table.contains("left out"), table);
    }

    @Test
    void theAucLineNamesTheClassThatRanksTheRows() {
        List<String> names = List.of("benign", "malignant");
        assertEquals("ROC AUC 0.7500 (rows ranked by the predicted probability of malignant)\n",
                ClassificationReport.rocAucLine(new RocAuc(0.75, 2, 2), names));
        assertEquals("ROC AUC undefined: all 3 test rows are benign, and the area needs rows of both classes\n",
                ClassificationReport.rocAucLine(new RocAuc(Double.NaN, 0, 3), names));
        assertEquals("ROC AUC undefined: all 4 test rows are 1, and the area needs rows of both classes\n",
                ClassificationReport.rocAucLine(new RocAuc(Double.NaN, 4, 0), null));
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** The words after {@code label} on the first line of {@code section} that starts with it, spaces aside. */
    private static List<String> numbersOnLine(String section, String label) {
        return section.lines().map(String::strip).filter(l -> l.startsWith(label + " ")).findFirst()
                .map(l -> Arrays.asList(l.substring(label.length()).strip().split(" +")))
                .orElseThrow(() -> new AssertionError("no line starts with '" + label + "' in\n" + section));
    }
}
