package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.nn.Activation;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.tensor.Matrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A model, loss or optimizer handed to more than one {@link Trainer} trains what each trainer says. */
class SharedModelTest {
    private static Matrix gaussian(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Matrix.of(rows, cols, v);
    }

    private static Sequential classifier() {
        return Sequential.builder(4).seed(3).add(new Dense(8, Activation.relu())).add(new Dense(3, Activation.softmax())).build();
    }

    @Test
    void aSecondTrainerWithAnotherLossLeavesTheFirstOneItsOwn() {
        float[] labels = new float[20];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 3;
        try (Matrix x = gaussian(20, 4, 1); Matrix y = Matrix.of(20, 1, labels); Matrix targets = gaussian(20, 3, 2);
             Sequential model = classifier(); Adam adam = new Adam(0.01f); Adam other = new Adam(0.01f);
             Trainer crossEntropy = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), adam)) {
            double before = crossEntropy.evaluate(x, y).loss();
            // Keras's compile replaces the loss for the next fit; it must not change what an earlier
            // trainer computes (the output layer stopped emitting logits, so cross-entropy saw softmax twice).
            try (Trainer mse = new Trainer(model, Loss.meanSquaredError(), other)) {
                assertEquals(before, crossEntropy.evaluate(x, y).loss(), 1e-6);
                double mseLoss = mse.evaluate(x, targets).loss();
                crossEntropy.evaluate(x, y);
                assertEquals(mseLoss, mse.evaluate(x, targets).loss(), 1e-6);
            }
        }
    }

    @Test
    void anOptimizerBoundToAnotherModelSinceIsRefusedNotSteppedOnTheWrongWeights() {
        float[] labels = new float[20];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 3;
        try (Matrix x = gaussian(20, 4, 1); Matrix y = Matrix.of(20, 1, labels);
             Sequential first = classifier(); Sequential second = classifier(); Adam adam = new Adam(0.01f);
             Trainer one = new Trainer(first, Loss.sparseCategoricalCrossEntropy(), adam);
             Trainer two = new Trainer(second, Loss.sparseCategoricalCrossEntropy(), adam)) {
            // The second trainer bound adam to its model: a step of the first one would update the
            // second model's weights from its stale gradients, and neither model would learn.
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> one.fit(x, y, FitOptions.quiet(1, 8)));
            assertTrue(e.getMessage().contains("bound to another model's parameters"), e.getMessage());
            assertTrue(e.getMessage().contains("its own optimizer"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> one.trainBatch(x, y));
            float[] before = first.getWeights().get(0);
            two.fit(x, y, FitOptions.quiet(1, 8));
            assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(first.getWeights().get(0)));
            adam.close();
            e = assertThrows(IllegalStateException.class, () -> two.trainBatch(x, y));
            assertTrue(e.getMessage().contains("Adam optimizer was closed"), e.getMessage());
        }
    }
}
