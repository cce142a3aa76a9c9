package dev.lanes.train;

import dev.lanes.nn.Sequential;
import dev.lanes.tensor.Matrix;
import java.util.Locale;
import java.util.function.IntToDoubleFunction;

/**
 * Counts of (actual class, predicted class) pairs, with overall and per-class accuracy, and
 * precision, recall and F1 per class and averaged, as scikit-learn's {@code classification_report}
 * computes them. Per-class accuracy of class k is the fraction of the samples of class k predicted
 * as k (its recall); NaN for a class with no samples.
 *
 * <p>Where a score divides by zero it is 0, never NaN and never an exception: scikit-learn's
 * {@code zero_division} default, which warns and uses 0 (here without the warning). So the
 * precision of a class never predicted is 0, the recall of a class with no samples is 0, and F1 is
 * 0 when precision + recall is 0. The averages run over the classes that occur among the actual or
 * the predicted classes, the labels scikit-learn's {@code classification_report(y_true, y_pred)}
 * reports; a class that occurs in neither is left out of them rather than counted as 0.
 *
 * <pre>{@code
 * ConfusionMatrix cm = ConfusionMatrix.of(model, xTest, yTest);
 * System.out.println(cm);                 // the table
 * double[] perClass = cm.perClassAccuracy();
 * double f1 = cm.macroF1();
 * }</pre>
 */
public final class ConfusionMatrix {
    private final long[][] counts;

    private ConfusionMatrix(int classes) {
        counts = new long[classes][classes];
    }

    /** From class indices. */
    public static ConfusionMatrix of(int[] actual, int[] predicted, int classes) {
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException(actual.length + " actual classes but " + predicted.length + " predictions");
        }
        if (classes < 2) throw new IllegalArgumentException("a confusion matrix needs at least 2 classes, got " + classes);
        ConfusionMatrix cm = new ConfusionMatrix(classes);
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] < 0 || actual[i] >= classes || predicted[i] < 0 || predicted[i] >= classes) {
                throw new IllegalArgumentException("row " + i + ": class " + actual[i] + " / prediction " + predicted[i]
                        + " is outside [0, " + classes + ")");
            }
            cm.counts[actual[i]][predicted[i]]++;
        }
        return cm;
    }

    /**
     * Predicts {@code x} with {@code model} and compares with {@code y}: an m×1 column of class
     * indices (or 0/1 for a single sigmoid unit), or one-hot rows.
     */
    public static ConfusionMatrix of(Sequential model, Matrix x, Matrix y) {
        if (y.rows() != x.rows()) {
            throw new IllegalArgumentException("targets have " + y.rows() + " rows but the inputs have " + x.rows());
        }
        int classes = model.outputWidth() == 1 ? 2 : model.outputWidth();
        return of(actualClasses(model, y), model.predictClasses(x), classes);
    }

    /** The class index of each row of {@code y}, read as {@link #of(Sequential, Matrix, Matrix)} describes. */
    static int[] actualClasses(Sequential model, Matrix y) {
        int[] actual = new int[y.rows()];
        if (y.cols() == 1) {
            for (int r = 0; r < actual.length; r++) {
                actual[r] = model.outputWidth() == 1 ? (y.get(r, 0) >= 0.5f ? 1 : 0) : Math.round(y.get(r, 0));
            }
        } else if (y.cols() == model.outputWidth()) {
            model.kernels().argmaxRows(y, actual);
        } else {
            throw new IllegalArgumentException("targets must be class indices (m×1) or one-hot (m×" + model.outputWidth()
                    + "), got " + y.shape());
        }
        return actual;
    }

    public int classes() { return counts.length; }

    /** Samples of class {@code actual} predicted as {@code predicted}. */
    public long count(int actual, int predicted) { return counts[actual][predicted]; }

    public long total() {
        long n = 0;
        for (long[] row : counts) for (long c : row) n += c;
        return n;
    }

    public double accuracy() {
        long correct = 0;
        for (int k = 0; k < counts.length; k++) correct += counts[k][k];
        return (double) correct / total();
    }

    public double[] perClassAccuracy() {
        double[] out = new double[counts.length];
        for (int k = 0; k < counts.length; k++) {
            long n = 0;
            for (long c : counts[k]) n += c;
            out[k] = n == 0 ? Double.NaN : (double) counts[k][k] / n;
        }
        return out;
    }

    /** Samples whose actual class is {@code c} (scikit-learn's support). */
    public long support(int c) {
        long n = 0;
        for (long count : counts[c]) n += count;
        return n;
    }

    /** Samples predicted as {@code c}. */
    public long predicted(int c) {
        long n = 0;
        for (long[] row : counts) n += row[c];
        return n;
    }

    /** Of the samples predicted as {@code c}, the fraction that are {@code c}; 0 if none is. */
    public double precision(int c) {
        long predicted = predicted(c);
        return predicted == 0 ? 0 : (double) counts[c][c] / predicted;
    }

    /** Of the samples of class {@code c}, the fraction predicted as {@code c}; 0 if there are none. */
    public double recall(int c) {
        long support = support(c);
        return support == 0 ? 0 : (double) counts[c][c] / support;
    }

    /** The harmonic mean of precision and recall, 2PR / (P + R); 0 when both are 0. */
    public double f1(int c) {
        double p = precision(c), r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Whether class {@code c} is among the actual or the predicted classes, and so in the averages. */
    public boolean occurs(int c) {
        return support(c) > 0 || predicted(c) > 0;
    }

    public double macroPrecision() { return macro(this::precision); }

    public double macroRecall() { return macro(this::recall); }

    public double macroF1() { return macro(this::f1); }

    /** Precision averaged over the classes weighted by their support. */
    public double weightedPrecision() { return weighted(this::precision); }

    /** Recall averaged weighted by support, which is the overall accuracy. */
    public double weightedRecall() { return weighted(this::recall); }

    public double weightedF1() { return weighted(this::f1); }

    /** The unweighted mean over the classes that occur; NaN when there are no samples. */
    private double macro(IntToDoubleFunction score) {
        double sum = 0;
        int classes = 0;
        for (int c = 0; c < counts.length; c++) {
            if (!occurs(c)) continue;
            sum += score.applyAsDouble(c);
            classes++;
        }
        return sum / classes;
    }

    /** The support-weighted mean; NaN when there are no samples. */
    private double weighted(IntToDoubleFunction score) {
        double sum = 0;
        for (int c = 0; c < counts.length; c++) sum += support(c) * score.applyAsDouble(c);
        return sum / total();
    }

    /** Rows are actual classes, columns predicted ones, with per-class accuracy at the right. */
    @Override
    public String toString() {
        int width = Math.max(6, Long.toString(total()).length() + 1);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-8s", "actual"));
        for (int k = 0; k < counts.length; k++) sb.append(String.format(Locale.ROOT, "%" + width + "d", k));
        sb.append("   accuracy\n");
        double[] perClass = perClassAccuracy();
        for (int a = 0; a < counts.length; a++) {
            sb.append(String.format(Locale.ROOT, "%-8d", a));
            for (int p = 0; p < counts.length; p++) sb.append(String.format(Locale.ROOT, "%" + width + "d", counts[a][p]));
            sb.append(String.format(Locale.ROOT, "   %.4f%n", perClass[a]));
        }
        sb.append(String.format(Locale.ROOT, "overall accuracy %.4f over %d samples%n", accuracy(), total()));
        return sb.toString();
    }
}
