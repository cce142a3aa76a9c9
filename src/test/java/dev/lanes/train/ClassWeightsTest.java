package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.nn.Loss;
import dev.lanes.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** {@link ClassWeights}: scikit-learn's 'balanced' by hand, the refusals, and which class a row counts as. */
class ClassWeightsTest {
    @Test
    void balancedIsSamplesOverClassesTimesCount() {
        // ILPD: 416 liver patients (class 0), 167 others (class 1). scikit-learn's
        // compute_class_weight('balanced') gives 583 / (2·416) and 583 / (2·167).
        int[] ilpd = new int[583];
        for (int r = 416; r < 583; r++) ilpd[r] = 1;
        ClassWeights w = ClassWeights.balanced(ilpd, 2);
        assertEquals(0.70072115f, w.weight(0), 0f);
        assertEquals(1.7455090f, w.weight(1), 0f);

        // 0 0 0 1 2 2: 6 / (3·3) = 2/3, 6 / (3·1) = 2, 6 / (3·2) = 1; as a column and as one-hot rows.
        Matrix column = Matrix.of(6, 1, 0, 0, 0, 1, 2, 2);
        Matrix oneHot = TestData.oneHot(column, 3);
        float[] expected = {2f / 3, 2f, 1f};
        assertArrayEquals(expected, ClassWeights.balanced(column, 3).toArray(), 0f);
        assertArrayEquals(expected, ClassWeights.balanced(oneHot, 3).toArray(), 0f);
        TestData.close(column, oneHot);
    }

    @Test
    void aClassWithoutRowsIsNamed() {
        String message = assertThrows(IllegalArgumentException.class,
                () -> ClassWeights.balanced(new int[] {0, 2, 2, 0}, 3)).getMessage();
        assertTrue(message.contains("class 1 has no rows"), message);
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.balanced(new int[] {0, 3}, 3));
        try (Matrix fractional = Matrix.of(2, 1, 0f, 0.5f)) {
            assertThrows(IllegalArgumentException.class, () -> ClassWeights.balanced(fractional, 2));
        }
    }

    @Test
    void weightsMustBeFiniteNonNegativeAndNotAllZero() {
        for (float[] bad : new float[][] {{}, {1f, -0.5f}, {Float.NaN, 1f}, {1f, Float.POSITIVE_INFINITY}, {0f, 0f}}) {
            assertThrows(IllegalArgumentException.class, () -> ClassWeights.of(bad), java.util.Arrays.toString(bad));
        }
        String message = assertThrows(IllegalArgumentException.class, () -> ClassWeights.of(1f, -2f)).getMessage();
        assertTrue(message.contains("class 1") && message.contains("-2.0"), message);
        assertEquals(0f, ClassWeights.of(0f, 1f).weight(0)); // one class may be left out of the loss
        float[] given = {1f, 2f};
        ClassWeights w = ClassWeights.of(given);
        given[1] = 9f;
        assertEquals(2f, w.weight(1), "a copy of the caller's array");
    }

    @Test
    void weightsMustFitTheLossAndTheOutputs() {
        ClassWeights two = ClassWeights.of(1f, 3f);
        two.checkFits(Loss.binaryCrossEntropy(), 1);
        two.checkFits(Loss.sparseCategoricalCrossEntropy(), 2);
        for (Loss regression : new Loss[] {Loss.meanSquaredError(), Loss.meanAbsoluteError(), Loss.huber(1f)}) {
            String message = assertThrows(IllegalArgumentException.class, () -> two.checkFits(regression, 1)).getMessage();
            assertTrue(message.contains("regression loss"), message);
        }
        String count = assertThrows(IllegalArgumentException.class,
                () -> two.checkFits(Loss.categoricalCrossEntropy(), 3)).getMessage();
        assertTrue(count.contains("2 class weights given for 3 classes"), count);
        String multiLabel = assertThrows(IllegalArgumentException.class,
                () -> ClassWeights.of(1f, 1f).checkFits(Loss.binaryCrossEntropy(), 2)).getMessage();
        assertTrue(multiLabel.contains("one sigmoid output"), multiLabel);
    }

    @Test
    void aRowCountsAsItsLabelItsTargetsArgmaxOrItsRoundedTarget() {
        ClassWeights w = ClassWeights.of(0.5f, 2f, 7f);
        try (Matrix labels = Matrix.of(3, 1, 2, 0, 1);
             Matrix oneHot = Matrix.of(3, 3, 0, 0, 1, 0.6f, 0.4f, 0, 0.5f, 0.5f, 0);
             Matrix out = Matrix.allocate(3, 1)) {
            w.rowWeights(Loss.sparseCategoricalCrossEntropy(), labels, out);
            assertArrayEquals(new float[] {7f, 0.5f, 2f}, out.toArray());
            w.rowWeights(Loss.categoricalCrossEntropy(), oneHot, out); // ties: the first class
            assertArrayEquals(new float[] {7f, 0.5f, 0.5f}, out.toArray());
        }
        try (Matrix bits = Matrix.of(4, 1, 1, 0, 0.5f, 0.7f); Matrix out = Matrix.allocate(4, 1)) {
            ClassWeights.of(1f, 3f).rowWeights(Loss.binaryCrossEntropy(), bits, out);
            assertArrayEquals(new float[] {3f, 1f, 1f, 3f}, out.toArray());
        }
    }
}
