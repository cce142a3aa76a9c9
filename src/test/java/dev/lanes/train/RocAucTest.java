package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Sequential;
import dev.lanes.tensor.Matrix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ROC AUC against areas worked by hand. */
class RocAucTest {
    private static final double EXACT = 1e-12;

    private static double auc(int[] actual, float... scores) {
        return RocAuc.of(actual, scores).auc();
    }

    @Test
    void separatedReversedAndTiedScores() {
        int[] actual = {0, 0, 1, 1};
        assertEquals(1.0, auc(actual, 0.1f, 0.2f, 0.8f, 0.9f), EXACT);
        assertEquals(0.0, auc(actual, 0.9f, 0.8f, 0.2f, 0.1f), EXACT);
        assertEquals(0.5, auc(actual, 0.5f, 0.5f, 0.5f, 0.5f), EXACT);
        // scikit-learn's roc_auc_score documentation example: 3 of the 4 pairs ranked right.
        assertEquals(0.75, auc(actual, 0.1f, 0.4f, 0.35f, 0.8f), EXACT);
        // Only the order counts: infinite scores rank like any other.
        assertEquals(1.0, auc(actual, Float.NEGATIVE_INFINITY, 0f, 1f, Float.POSITIVE_INFINITY), EXACT);
    }

    @Test
    void tiesBetweenAPositiveAndANegativeCountHalf() {
        // negatives 0.1, 0.4, 0.4; positives 0.35, 0.8, 0.4. Pairs each positive wins:
        //   0.35 beats 0.1, loses to both 0.4s               -> 1
        //   0.8  beats all three                             -> 3
        //   0.4  beats 0.1, ties both 0.4s (half each)       -> 2
        // U = 6 of 3·3 = 9 pairs: AUC = 2/3. By ranks: 0.1→1, 0.35→2, the three 0.4s share 3,4,5 →
        // 4 each, 0.8→6; positive rank sum 2 + 4 + 6 = 12, U = 12 − 3·4/2 = 6.
        assertEquals(2.0 / 3, auc(new int[] {0, 0, 1, 1, 0, 1}, 0.1f, 0.4f, 0.35f, 0.8f, 0.4f, 0.4f), EXACT);
        // −0 and +0 are the same score.
        assertEquals(0.5, auc(new int[] {0, 1}, 0f, -0f), EXACT);
    }

    @Test
    void aSingleClassHasNoArea() {
        RocAuc positivesOnly = RocAuc.of(new int[] {1, 1, 1}, new float[] {0.2f, 0.5f, 0.9f});
        assertTrue(Double.isNaN(positivesOnly.auc()));
        assertFalse(positivesOnly.defined());
        assertEquals(3, positivesOnly.positives());
        assertEquals(0, positivesOnly.negatives());
        RocAuc negativesOnly = RocAuc.of(new int[] {0, 0}, new float[] {0.2f, 0.5f});
        assertTrue(Double.isNaN(negativesOnly.auc()));
        assertEquals(2, negativesOnly.negatives());
        assertTrue(RocAuc.of(new int[] {0, 1}, new float[] {0.2f, 0.5f}).defined());
    }

    @Test
    void refusesWhatCannotBeRanked() {
        assertThrows(IllegalArgumentException.class, () -> RocAuc.of(new int[] {0, 1}, new float[] {0.5f}));
        assertThrows(IllegalArgumentException.class, () -> RocAuc.of(new int[] {0, 2}, new float[] {0.1f, 0.5f}));
        assertThrows(IllegalArgumentException.class, () -> RocAuc.of(new int[] {0, 1}, new float[] {0.1f, Float.NaN}));
    }

    @Test
    void aModelIsRankedByItsProbabilityOfClass1() {
        // Both models are increasing in their one input, so they rank the rows as the inputs do: 0.75.
        try (Kernels kernels = Kernels.create("loop", 1);
             Matrix x = Matrix.of(4, 1, 0.1f, 0.4f, 0.35f, 0.8f);
             Matrix y = Matrix.of(4, 1, 0f, 0f, 1f, 1f);
             Sequential sigmoid = Sequential.builder(1).kernels(kernels).add(new Dense(1, Activation.sigmoid())).build();
             Sequential softmax = Sequential.builder(1).kernels(kernels).add(new Dense(2, Activation.softmax())).build();
             Sequential three = Sequential.builder(1).kernels(kernels).add(new Dense(3, Activation.softmax())).build()) {
            sigmoid.setWeights(List.of(new float[] {1f}, new float[] {0f}));
            // Column 1 of the softmax is sigmoid(2x); column 0, decreasing, would give 0.25.
            softmax.setWeights(List.of(new float[] {-1f, 1f}, new float[] {0f, 0f}));
            assertEquals(0.75, RocAuc.of(sigmoid, x, y).auc(), EXACT);
            assertEquals(0.75, RocAuc.of(softmax, x, y).auc(), EXACT);
            assertThrows(IllegalArgumentException.class, () -> RocAuc.of(three, x, y));
        }
    }
}
