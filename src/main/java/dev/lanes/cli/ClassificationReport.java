package dev.lanes.cli;

import dev.lanes.train.ConfusionMatrix;
import dev.lanes.train.RocAuc;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The scores of a classifier's test report: precision, recall, F1 and support per class with their
 * averages, laid out as scikit-learn's {@code classification_report} (four digits, as the rest of the
 * report), and the ROC AUC line of a binary task. Classes are named as in the confusion table.
 */
final class ClassificationReport {
    private ClassificationReport() {}

    /** Class names when there is one per class, otherwise the class ids. */
    static List<String> heads(ConfusionMatrix cm, List<String> names) {
        return names != null && names.size() == cm.classes() ? names
                : IntStream.range(0, cm.classes()).mapToObj(Integer::toString).toList();
    }

    static String table(ConfusionMatrix cm, List<String> names) {
        List<String> heads = heads(cm, names);
        int width = Math.max("weighted avg".length(), heads.stream().mapToInt(String::length).max().orElse(1));
        String rowFormat = "%" + width + "s  %9.4f %9.4f %9.4f %9d%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%" + width + "s  %9s %9s %9s %9s%n%n", "", "precision", "recall",
                "f1-score", "support"));
        for (int c = 0; c < cm.classes(); c++) {
            sb.append(String.format(Locale.ROOT, rowFormat, heads.get(c), cm.precision(c), cm.recall(c), cm.f1(c),
                    cm.support(c)));
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "%" + width + "s  %9s %9s %9.4f %9d%n", "accuracy", "", "", cm.accuracy(),
                cm.total()));
        sb.append(String.format(Locale.ROOT, rowFormat, "macro avg", cm.macroPrecision(), cm.macroRecall(), cm.macroF1(),
                cm.total()));
        sb.append(String.format(Locale.ROOT, rowFormat, "weighted avg", cm.weightedPrecision(), cm.weightedRecall(),
                cm.weightedF1(), cm.total()));
        List<String> absent = IntStream.range(0, cm.classes()).filter(c -> !cm.occurs(c)).mapToObj(heads::get).toList();
        if (!absent.isEmpty()) {
            // Said, because the macro average is then not the mean of the rows shown above it.
            sb.append("(").append(String.join(", ", absent)).append(": no test rows and never predicted; left out of the"
                    + " macro average, as in scikit-learn)\n");
        }
        return sb.toString();
    }

    /** The ROC AUC, or why there is none, naming the class whose probability ranks the rows. */
    static String rocAucLine(RocAuc roc, List<String> names) {
        String positive = names != null && names.size() == 2 ? names.get(1) : "1";
        if (roc.defined()) {
            return String.format(Locale.ROOT, "ROC AUC %.4f (rows ranked by the predicted probability of %s)%n", roc.auc(),
                    positive);
        }
        String only = roc.positives() > 0 ? positive : names != null && names.size() == 2 ? names.get(0) : "0";
        return String.format(Locale.ROOT, "ROC AUC undefined: all %d test rows are %s, and the area needs rows of both"
                + " classes%n", roc.positives() + roc.negatives(), only);
    }

    /** Per class precision, recall, f1 and support, by class name, for --json. */
    static Map<String, Object> perClass(ConfusionMatrix cm, List<String> names) {
        List<String> heads = heads(cm, names);
        Map<String, Object> out = new LinkedHashMap<>();
        for (int c = 0; c < cm.classes(); c++) {
            out.put(heads.get(c), scores(cm.precision(c), cm.recall(c), cm.f1(c), cm.support(c)));
        }
        return out;
    }

    static Map<String, Object> macroAverage(ConfusionMatrix cm) {
        return scores(cm.macroPrecision(), cm.macroRecall(), cm.macroF1(), cm.total());
    }

    static Map<String, Object> weightedAverage(ConfusionMatrix cm) {
        return scores(cm.weightedPrecision(), cm.weightedRecall(), cm.weightedF1(), cm.total());
    }

    private static Map<String, Object> scores(double precision, double recall, double f1, long support) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("precision", precision);
        m.put("recall", recall);
        m.put("f1", f1);
        m.put("support", support);
        return m;
    }
}
