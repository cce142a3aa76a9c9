package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.ActivationLayer;
import dev.lanes.nn.BatchNorm;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.optim.LearningRateSchedule;
import dev.lanes.optim.Optimizer;
import dev.lanes.optim.Sgd;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.FitOptions;
import dev.lanes.train.History;
import dev.lanes.train.Metric;
import dev.lanes.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints at the API level: fit 3 epochs straight vs. fit 2 with a checkpoint writer, then a
 * fresh trainer restored from it for the third. The model has dropout and batch normalization, the
 * optimizer is Adam on a decaying schedule, so every piece of restored state matters.
 */
class CheckpointTest {
    @TempDir Path dir;
    private Kernels kernels;
    private Matrix x, y;

    @BeforeEach
    void data() {
        kernels = Kernels.create("simd", 1);
        SplittableRandom r = new SplittableRandom(11);
        int n = 300;
        float[] xs = new float[n * 5], ys = new float[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < 5; j++) {
                xs[i * 5 + j] = (float) r.nextGaussian();
                s += (j - 2) * xs[i * 5 + j];
            }
            ys[i] = s > 0.5 ? 2 : s > -0.5 ? 1 : 0;
        }
        x = Matrix.of(n, 5, xs);
        y = Matrix.of(n, 1, ys);
    }

    @AfterEach
    void free() {
        x.close();
        y.close();
        kernels.close();
    }

    private Sequential model() {
        return Sequential.builder(5).kernels(kernels).seed(9)
                .add(new Dense(12, Activation.linear())).add(new BatchNorm()).add(new ActivationLayer(Activation.relu()))
                .add(new Dropout(0.3f)).add(new Dense(3, Activation.softmax())).build();
    }

    private static Optimizer adam() {
        return new Adam(LearningRateSchedule.exponential(0.01f, 0.7f), 0.9f, 0.999f, 1e-8f);
    }

    private FitOptions.Builder options(int epochs) {
        return FitOptions.builder().epochs(epochs).batchSize(32).seed(4).validationSplit(0.2).verbose(false);
    }

    @Test
    void restoringTheSecondEpochAndFittingTheThirdMatchesThreeEpochsStraightBitForBit() {
        List<float[]> straight;
        try (Sequential m = model(); Optimizer o = adam();
             Trainer t = new Trainer(m, Loss.sparseCategoricalCrossEntropy(), o, Metric.accuracy())) {
            t.fit(x, y, options(3).build());
            straight = m.getWeights();
        }
        try (Sequential m = model(); Optimizer o = adam();
             Trainer t = new Trainer(m, Loss.sparseCategoricalCrossEntropy(), o, Metric.accuracy())) {
            t.fit(x, y, options(2).callbacks(Checkpoint.writer(dir, Map.of("note", "test"), List.of())).build());
        }
        Path latest = Checkpoint.latest(dir);
        assertEquals("epoch-0002.lanes", latest.getFileName().toString());
        try (Sequential m = model(); Optimizer o = adam();
             Trainer t = new Trainer(m, Loss.sparseCategoricalCrossEntropy(), o, Metric.accuracy())) {
            Checkpoint.State s = Checkpoint.restore(latest, t);
            assertEquals(2, s.epochsDone());
            assertEquals(2 * 8, s.steps()); // 240 training rows in batches of 32
            assertEquals(2, s.history().size());
            assertEquals(s.steps(), t.steps());
            assertEquals(s.steps(), o.iterations());
            History h = t.fit(x, y, options(3).initialEpoch(2).build());
            assertEquals(1, h.epochs());
            List<float[]> resumed = m.getWeights();
            for (int i = 0; i < straight.size(); i++) {
                float[] a = straight.get(i), b = resumed.get(i);
                for (int j = 0; j < a.length; j++) {
                    assertEquals(Float.floatToRawIntBits(a[j]), Float.floatToRawIntBits(b[j]), m.parameters().get(i).name());
                }
            }
        }
    }

    @Test
    void aCheckpointIsAlsoAModelFileAndRefusesAnotherOptimizer() {
        try (Sequential m = model(); Optimizer o = adam();
             Trainer t = new Trainer(m, Loss.sparseCategoricalCrossEntropy(), o, Metric.accuracy())) {
            t.fit(x, y, options(1).callbacks(Checkpoint.writer(dir, Map.of(), List.of())).build());
            try (ModelFile.Loaded loaded = ModelFile.load(Checkpoint.latest(dir), kernels);
                 Matrix expected = m.predict(x); Matrix actual = loaded.model().predict(x)) {
                for (int r = 0; r < x.rows(); r++) {
                    for (int c = 0; c < 3; c++) {
                        assertEquals(Float.floatToRawIntBits(expected.get(r, c)), Float.floatToRawIntBits(actual.get(r, c)));
                    }
                }
            }
        }
        try (Sequential m = model(); Optimizer o = Sgd.momentum(0.01f, 0.9f);
             Trainer t = new Trainer(m, Loss.sparseCategoricalCrossEntropy(), o)) {
            ModelFileException e = assertThrows(ModelFileException.class, () -> Checkpoint.restore(Checkpoint.latest(dir), t));
            assertTrue(e.getMessage().contains("this run uses SGD"), e.getMessage());
        }
    }

    @Test
    void latestIsTheMostEpochsAndOlderOnesArePruned() throws Exception {
        assertNull(Checkpoint.latest(dir.resolve("absent")));
        try (Sequential m = model(); Optimizer o = adam();
             Trainer t = new Trainer(m, Loss.sparseCategoricalCrossEntropy(), o)) {
            for (int e = 1; e <= 11; e++) Checkpoint.save(dir, t, Map.of(), e, List.of());
        }
        Files.writeString(dir.resolve("epoch-notanumber.lanes"), "x");
        assertEquals("epoch-0011.lanes", Checkpoint.latest(dir).getFileName().toString());
        assertTrue(Files.exists(dir.resolve("epoch-0010.lanes")));
        assertTrue(!Files.exists(dir.resolve("epoch-0009.lanes")));
    }

    @Test
    void aTruncatedCheckpointIsRefusedWithTheFileName() throws Exception {
        try (Sequential m = model(); Optimizer o = adam();
             Trainer t = new Trainer(m, Loss.sparseCategoricalCrossEntropy(), o)) {
            Path f = Checkpoint.save(dir, t, Map.of(), 1, List.of());
            byte[] bytes = Files.readAllBytes(f);
            Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            ModelFileException e = assertThrows(ModelFileException.class, () -> Checkpoint.restore(f, t));
            assertTrue(e.getMessage().contains("epoch-0001.lanes"), e.getMessage());
        }
    }
}
