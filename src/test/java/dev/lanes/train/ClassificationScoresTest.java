package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Precision, recall, F1 and their averages against numbers worked by hand. */
class ClassificationScoresTest {
    private static final double EXACT = 1e-12;

    /**
     * <pre>
     *             predicted 0  1  2   support
     * actual 0              3  0  2   5
     * actual 1              1  0  2   3      class 1 is never predicted
     * actual 2              0  0  0   0      class 2 has no samples
     * predicted             4  0  4   8
     * </pre>
     * Class 0: P = 3/4, R = 3/5, F1 = 2·0.75·0.6 / 1.35 = 2/3 (= 2·3 / (2·3 + 1 + 2)).
     * Class 1: P = 0 (0/0), R = 0/3, F1 = 0. Class 2: P = 0/4, R = 0 (0/0), F1 = 0.
     * Macro (all three occur): P = 0.75/3 = 0.25, R = 0.6/3 = 0.2, F1 = (2/3)/3 = 2/9.
     * Weighted by support 5, 3, 0: P = 5·0.75/8 = 0.46875, R = 5·0.6/8 = 0.375 (the accuracy),
     * F1 = 5·(2/3)/8 = 5/12.
     */
    private static final int[] ACTUAL = {0, 0, 0, 0, 0, 1, 1, 1};
    private static final int[] PREDICTED = {0, 0, 0, 2, 2, 0, 2, 2};

    @Test
    void aClassNeverPredictedAndAClassWithNoSamplesScoreZeroWithoutNaN() {
        ConfusionMatrix cm = ConfusionMatrix.of(ACTUAL, PREDICTED, 3);
        assertEquals(5, cm.support(0));
        assertEquals(3, cm.support(1));
        assertEquals(0, cm.support(2));
        assertEquals(0, cm.predicted(1));
        assertEquals(4, cm.predicted(2));

        assertEquals(0.75, cm.precision(0), EXACT);
        assertEquals(0.6, cm.recall(0), EXACT);
        assertEquals(2.0 / 3, cm.f1(0), EXACT);
        assertEquals(0.0, cm.precision(1));
        assertEquals(0.0, cm.recall(1));
        assertEquals(0.0, cm.f1(1));
        assertEquals(0.0, cm.precision(2));
        assertEquals(0.0, cm.recall(2));
        assertEquals(0.0, cm.f1(2));

        assertEquals(0.25, cm.macroPrecision(), EXACT);
        assertEquals(0.2, cm.macroRecall(), EXACT);
        assertEquals(2.0 / 9, cm.macroF1(), EXACT);
        assertEquals(0.46875, cm.weightedPrecision(), EXACT);
        assertEquals(0.375, cm.weightedRecall(), EXACT);
        assertEquals(cm.accuracy(), cm.weightedRecall(), EXACT);
        assertEquals(5.0 / 12, cm.weightedF1(), EXACT);
        // The older per-class accuracy keeps NaN for a class with no samples.
        assertTrue(Double.isNaN(cm.perClassAccuracy()[2]));
    }

    @Test
    void aClassThatOccursNowhereIsLeftOutOfTheMacroAverage() {
        // The same rows with a fourth class, neither actual nor predicted: scikit-learn's report has
        // no row for it, so its averages are those of the three classes above.
        ConfusionMatrix cm = ConfusionMatrix.of(ACTUAL, PREDICTED, 4);
        assertFalse(cm.occurs(3));
        assertTrue(cm.occurs(1) && cm.occurs(2));
        assertEquals(0.25, cm.macroPrecision(), EXACT);
        assertEquals(0.2, cm.macroRecall(), EXACT);
        assertEquals(2.0 / 9, cm.macroF1(), EXACT);
        assertEquals(0.46875, cm.weightedPrecision(), EXACT);
        assertEquals(5.0 / 12, cm.weightedF1(), EXACT);
    }

    @Test
    void everyClassPredictedSometimesRightly() {
        // actual    0 0 1 2 2        P        R      F1     support
        // predicted 0 1 1 2 0   0: 1/2      1/2    1/2     2
        //                       1: 1/2      1      2/3     1
        //                       2: 1/1      1/2    2/3     2
        // macro:    P (1/2 + 1/2 + 1)/3 = 2/3, R (1/2 + 1 + 1/2)/3 = 2/3, F1 (1/2 + 2/3 + 2/3)/3 = 11/18
        // weighted: P (2·1/2 + 1/2 + 2·1)/5 = 0.7, R 3/5, F1 (2·1/2 + 2/3 + 2·2/3)/5 = 0.6
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0, 0, 1, 2, 2}, new int[] {0, 1, 1, 2, 0}, 3);
        double[][] expected = {{0.5, 0.5, 0.5}, {0.5, 1, 2.0 / 3}, {1, 0.5, 2.0 / 3}};
        for (int c = 0; c < 3; c++) {
            assertEquals(expected[c][0], cm.precision(c), EXACT, "precision " + c);
            assertEquals(expected[c][1], cm.recall(c), EXACT, "recall " + c);
            assertEquals(expected[c][2], cm.f1(c), EXACT, "f1 " + c);
        }
        assertEquals(2.0 / 3, cm.macroPrecision(), EXACT);
        assertEquals(2.0 / 3, cm.macroRecall(), EXACT);
        assertEquals(11.0 / 18, cm.macroF1(), EXACT);
        assertEquals(0.7, cm.weightedPrecision(), EXACT);
        assertEquals(0.6, cm.weightedRecall(), EXACT);
        assertEquals(0.6, cm.weightedF1(), EXACT);
    }
}
