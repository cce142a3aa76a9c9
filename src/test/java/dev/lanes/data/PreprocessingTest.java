package dev.lanes.data;

import dev.lanes.tensor.Matrix;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class PreprocessingTest {
    static Matrix random(int rows, int cols, float mean, float spread, long seed) {
        Random rng = new Random(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = mean + spread * (float) rng.nextGaussian();
        return Matrix.of(rows, cols, v);
    }

    @Test
    void standardizerFitsOnTrainingDataOnlyAndAppliesThoseStatisticsElsewhere() {
        try (Matrix train = random(500, 3, 5f, 2f, 1); Matrix test = random(200, 3, -40f, 9f, 2)) {
            float[] trainCopy = train.toArray();
            float[] testCopy = test.toArray();
            Standardizer s = Standardizer.fit(train);
            assertArrayEquals(trainCopy, train.toArray(), "fit must not change its input");

            // Reference statistics, computed directly in double.
            for (int c = 0; c < 3; c++) {
                double mean = 0;
                for (int r = 0; r < 500; r++) mean += trainCopy[r * 3 + c];
                mean /= 500;
                double var = 0;
                for (int r = 0; r < 500; r++) var += Math.pow(trainCopy[r * 3 + c] - mean, 2);
                double std = Math.sqrt(var / 500);
                assertEquals(mean, s.mean()[c], 1e-4);
                assertEquals(std, s.std()[c], 1e-4);
                s.apply(test);
                for (int r = 0; r < 200; r++) {
                    assertEquals((testCopy[r * 3 + c] - mean) / std, test.get(r, c), 1e-4, "test row " + r);
                }
                test.copyFrom(testCopy);
            }
            s.apply(train);
            double[][] mv = ColumnAffine.meanAndVariance(train);
            for (int c = 0; c < 3; c++) {
                assertEquals(0, mv[0][c], 1e-5);
                assertEquals(1, mv[1][c], 1e-4);
            }
            // The test set, standardized with training statistics, is far from zero mean.
            s.apply(test);
            assertTrue(ColumnAffine.meanAndVariance(test)[0][0] < -10);
        }
    }

    @Test
    void standardizerSurvivesARoundTripThroughArraysAndConstantColumns() {
        try (Matrix x = Matrix.of(3, 2, 1, 7, 2, 7, 3, 7); Matrix y = Matrix.of(3, 2, 1, 7, 2, 7, 3, 7)) {
            Standardizer fitted = Standardizer.fit(x);
            assertEquals(0f, fitted.std()[1]);
            Standardizer restored = Standardizer.of(fitted.mean(), fitted.std());
            fitted.apply(x);
            restored.apply(y);
            assertArrayEquals(x.toArray(), y.toArray());
            assertEquals(0f, x.get(0, 1), "a constant column is centred, not divided by zero");
            assertThrows(IllegalArgumentException.class, () -> Standardizer.of(new float[] {0}, new float[] {Float.NaN}));
            assertThrows(IllegalArgumentException.class, () -> fitted.apply(Matrix.allocate(1, 3)));
        }
    }

    @Test
    void minMaxMapsTrainingRangeToUnitInterval() {
        try (Matrix train = Matrix.of(3, 2, 0, 5, 10, 5, 5, 5); Matrix other = Matrix.of(1, 2, 20, 6)) {
            MinMaxScaler m = MinMaxScaler.fit(train);
            m.apply(train);
            assertArrayEquals(new float[] {0, 0, 1, 0, 0.5f, 0}, train.toArray());
            m.apply(other);
            assertArrayEquals(new float[] {2, 1}, other.toArray());
            MinMaxScaler restored = MinMaxScaler.of(m.min(), m.max());
            assertArrayEquals(m.max(), restored.max());
        }
    }

    @Test
    void divideAndOneHot() {
        try (Matrix x = Matrix.of(1, 3, 0, 51, 255)) {
            Preprocessing.divide(x, 255f);
            assertArrayEquals(new float[] {0, 0.2f, 1}, x.toArray());
        }
        try (Matrix ids = Matrix.of(3, 1, 2, 0, 1); Matrix oh = Preprocessing.oneHot(ids, 3)) {
            assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 0}, oh.toArray());
        }
        try (Matrix bad = Matrix.of(1, 1, 3)) {
            assertThrows(IllegalArgumentException.class, () -> Preprocessing.oneHot(bad, 3));
        }
    }

    @Test
    void datasetRefusesLabelsThatAreNotClassIds() {
        Matrix x = Matrix.allocate(2, 1);
        Matrix y = Matrix.of(2, 1, 0, 1.5f);
        assertThrows(IllegalArgumentException.class, () -> Dataset.classification(x, y, java.util.List.of("f"), java.util.List.of("a", "b")));
        x.close();
        y.close();
    }
}
