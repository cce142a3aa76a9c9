package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.BatchNorm;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Regularizer;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.tensor.Matrix;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Same seed and data → bitwise-identical weights, across runs and across thread counts 1 and 2. */
class ReproducibilityTest {

    @ParameterizedTest
    @ValueSource(strings = {"loop", "simd"})
    void sameSeedGivesBitwiseIdenticalWeightsForOneAndTwoThreads(String backend) {
        Matrix[] d = TestData.blobs(150, 12);
        try {
            List<float[]> first = train(backend, 1, d, 7);
            List<float[]> again = train(backend, 1, d, 7);
            List<float[]> twoThreads = train(backend, 2, d, 7);
            List<float[]> otherSeed = train(backend, 1, d, 8);
            assertEquals(first.size(), again.size());
            for (int i = 0; i < first.size(); i++) {
                assertArrayEquals(first.get(i), again.get(i), "run to run, array " + i);
                assertArrayEquals(first.get(i), twoThreads.get(i), "1 vs 2 threads, array " + i);
            }
            assertTrue(!java.util.Arrays.equals(first.get(0), otherSeed.get(0)), "the seed matters");
        } finally {
            TestData.close(d);
        }
    }

    /** Shuffling, dropout, batch norm (running statistics included) and Adam: every seeded or stateful part. */
    private static List<float[]> train(String backend, int threads, Matrix[] d, long seed) {
        try (Kernels kernels = Kernels.create(backend, threads);
             Sequential model = Sequential.builder(2).kernels(kernels).seed(seed)
                     .add(new Dense(24, Activation.relu()).regularizer(Regularizer.l1l2(1e-3f, 1e-3f)))
                     .add(new Dropout(0.3f)).add(new BatchNorm(0.9f, 1e-3f))
                     .add(new Dense(3, Activation.softmax())).build();
             Trainer t = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), new Adam(0.01f).clipNorm(1f),
                     Metric.accuracy())) {
            t.fit(d[0], d[1], FitOptions.builder().epochs(3).batchSize(20).seed(seed).validationSplit(0.2).verbose(false).build());
            return model.getWeights();
        }
    }
}
