package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
