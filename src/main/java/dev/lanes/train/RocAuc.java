package dev.lanes.train;

import dev.lanes.nn.Sequential;
import dev.lanes.tensor.Matrix;
import java.util.Arrays;

/**
 * The area under the ROC curve of a binary classifier's scores: the probability that a random
 * sample of class 1 (positive) scores above a random sample of class 0 (negative), a tie counting
 * as half. That is the Mann–Whitney U statistic over {@code positives × negatives}, and equals the
 * trapezoidal area under the ROC curve that scikit-learn's {@code roc_auc_score} computes, where a
 * tie between a positive and a negative is a diagonal step worth half.
 *
 * <p>With a single class among the actual ones there is no pair to rank: {@link #auc()} is NaN and
 * {@link #defined()} false (scikit-learn raises "Only one class present in y_true").
 *
 * <pre>{@code
 * RocAuc roc = RocAuc.of(model, xTest, yTest);   // sigmoid output, or column 1 of a 2-class softmax
 * if (roc.defined()) System.out.printf("ROC AUC %.4f%n", roc.auc());
 * }</pre>
 *
 * @param auc       the area, in [0, 1]; NaN when {@code positives} or {@code negatives} is 0
 * @param positives samples of class 1
 * @param negatives samples of class 0
 */
public record RocAuc(double auc, long positives, long negatives) {

    /** Whether both classes occur, so that the area exists. */
    public boolean defined() {
        return positives > 0 && negatives > 0;
    }

    /**
     * From actual classes (0 or 1) and scores that rank class 1 higher, such as its predicted
     * probability. Only the order of the scores matters.
     *
     * @throws IllegalArgumentException for lengths that differ, a class other than 0 and 1, or a NaN score
     */
    public static RocAuc of(int[] actual, float[] scores) {
        if (actual.length != scores.length) {
            throw new IllegalArgumentException(actual.length + " actual classes but " + scores.length + " scores");
        }
        int positives = 0;
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] != 0 && actual[i] != 1) {
                throw new IllegalArgumentException("row " + i + ": class " + actual[i] + "; ROC AUC takes classes 0 and 1");
            }
            // A NaN has no place in the ranking; scikit-learn refuses it too.
            if (Float.isNaN(scores[i])) throw new IllegalArgumentException("row " + i + ": the score is NaN");
            positives += actual[i];
        }
        float[] pos = new float[positives], neg = new float[actual.length - positives];
        for (int i = 0, p = 0, n = 0; i < actual.length; i++) {
            if (actual[i] == 1) pos[p++] = scores[i];
            else neg[n++] = scores[i];
        }
        if (pos.length == 0 || neg.length == 0) return new RocAuc(Double.NaN, pos.length, neg.length);
        Arrays.sort(pos);
        Arrays.sort(neg);
        // Twice U, so that a tie's half stays an integer: each positive gets 2 per negative below it
        // and 1 per negative level with it. Exact in a long (at most 2^61 for int-sized arrays).
        long twiceU = 0;
        int below = 0, notAbove = 0;
        for (float s : pos) {
            while (below < neg.length && neg[below] < s) below++;
            if (notAbove < below) notAbove = below;
            while (notAbove < neg.length && neg[notAbove] == s) notAbove++;
            twiceU += below + notAbove;
        }
        return new RocAuc(twiceU / (2.0 * pos.length * neg.length), pos.length, neg.length);
    }

    /**
     * Predicts {@code x} with a binary classifier and ranks by the probability of class 1: the output
     * of a single sigmoid unit, or column 1 of a 2-class softmax. {@code y} is read as
     * {@link ConfusionMatrix#of(Sequential, Matrix, Matrix)} reads it.
     *
     * @throws IllegalArgumentException for a model with more than two outputs, or rows that do not match
     */
    public static RocAuc of(Sequential model, Matrix x, Matrix y) {
        int width = model.outputWidth();
        if (width > 2) {
            throw new IllegalArgumentException("ROC AUC is for binary classifiers (one sigmoid output or a 2-class"
                    + " softmax); the model has " + width + " outputs");
        }
        if (y.rows() != x.rows()) {
            throw new IllegalArgumentException("targets have " + y.rows() + " rows but the inputs have " + x.rows());
        }
        int[] actual = ConfusionMatrix.actualClasses(model, y);
        float[] scores = new float[x.rows()];
        try (Matrix p = model.predict(x)) {
            for (int r = 0; r < scores.length; r++) scores[r] = p.get(r, width - 1);
        }
        return of(actual, scores);
    }
}
