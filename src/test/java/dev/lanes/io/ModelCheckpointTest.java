package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.Callback;
import dev.lanes.train.EpochLogs;
import dev.lanes.train.FitOptions;
import dev.lanes.train.History;
import dev.lanes.train.Metric;
import dev.lanes.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCheckpointTest {
    @TempDir Path dir;

    /** Two noisy 2-D classes: x near (±1, ±1) by class, a quarter of the labels flipped. */
    private static Matrix[] noisy(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[2 * n], y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = i % 2;
            x[2 * i] = (float) ((c == 0 ? -1 : 1) + random.nextGaussian());
            x[2 * i + 1] = (float) ((c == 0 ? -1 : 1) + random.nextGaussian());
            y[i] = random.nextDouble() < 0.25 ? 1 - c : c;
        }
        return new Matrix[] {Matrix.of(n, 2, x), Matrix.of(n, 1, y)};
    }

    private record Run(History history, List<List<float[]>> weights, String log) {}

    /** Fits a model that overfits 40 noisy rows, judged on 200 others, recording every epoch's weights. */
    private Run fit(ModelCheckpoint.Builder checkpoint, boolean validate) {
        Matrix[] train = noisy(40, 1), val = noisy(200, 2);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ModelCheckpoint saver = checkpoint.log(new PrintStream(log, true, StandardCharsets.UTF_8)).build();
        List<List<float[]>> weights = new ArrayList<>();
        Callback recorder = new Callback() {
            @Override public void onEpochEnd(int epoch, EpochLogs logs, Trainer trainer) {
                weights.add(trainer.model().getWeights());
            }
        };
        try (Kernels k = Kernels.create("simd", 1);
             Sequential model = Sequential.builder(2).kernels(k).seed(3).add(new Dense(64, Activation.relu()))
                     .add(new Dense(64, Activation.relu())).add(new Dense(1, Activation.sigmoid())).build();
             Trainer t = new Trainer(model, Loss.binaryCrossEntropy(), new Adam(0.03f), Metric.accuracy())) {
            FitOptions.Builder options = FitOptions.builder().epochs(40).batchSize(8).verbose(false).callbacks(recorder, saver);
            if (validate) options.validationData(val[0], val[1]);
            History h = t.fit(train[0], train[1], options.build());
            return new Run(h, weights, log.toString(StandardCharsets.UTF_8));
        } finally {
            for (Matrix m : train) m.close();
            for (Matrix m : val) m.close();
        }
    }

    private static List<float[]> saved(Path file) {
        try (Kernels k = Kernels.create("simd", 1); ModelFile.Loaded m = ModelFile.load(file, k)) {
            return m.model().getWeights();
        }
    }

    private static void assertSameWeights(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), actual.get(i), "parameter " + i);
    }

    @Test
    void saveBestOnlyKeepsTheEpochWithTheLowestValidationLoss() {
        Path file = dir.resolve("best.lanes");
        Run run = fit(ModelCheckpoint.builder(file).monitor("val_loss").saveBestOnly(true), true);
        List<Double> valLoss = run.history().get("val_loss");
        int best = 0, improvements = 1;
        for (int e = 1; e < valLoss.size(); e++) {
            if (valLoss.get(e) < valLoss.get(best)) {
                best = e;
                improvements++;
            }
        }
        // The run must have overfitted for this test to tell "best" from "last".
        assertTrue(best > 0 && best < valLoss.size() - 1, "val_loss " + valLoss);
        assertSameWeights(run.weights().get(best), saved(file));
        assertEquals(improvements, run.log().lines().count(), run.log());
        assertTrue(run.log().contains("Epoch " + (best + 1) + ": val_loss improved from "), run.log());
        assertTrue(run.log().contains(", saved to " + file), run.log());
    }

    @Test
    void everyEpochWithAnEpochTemplateWritesOneFileAnEpoch() throws Exception {
        Run run = fit(ModelCheckpoint.builder(dir.resolve("model-{epoch}.lanes")), false);
        int epochs = run.history().epochs();
        for (int e = 1; e <= epochs; e++) assertTrue(Files.isRegularFile(dir.resolve("model-" + e + ".lanes")), "epoch " + e);
        assertSameWeights(run.weights().get(4), saved(dir.resolve("model-5.lanes")));
        assertSameWeights(run.weights().get(epochs - 1), saved(dir.resolve("model-" + epochs + ".lanes")));
        try (var files = Files.list(dir)) {
            assertEquals(epochs, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void everyEpochToOneFileLeavesTheLastEpoch() {
        Path file = dir.resolve("last.lanes");
        Run run = fit(ModelCheckpoint.builder(file), false);
        assertSameWeights(run.weights().get(run.history().epochs() - 1), saved(file));
        assertEquals(run.history().epochs(), run.log().lines().count());
    }

    @Test
    void monitoringValidationLossWithoutValidationIsRefusedBeforeTraining() {
        Path file = dir.resolve("never.lanes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fit(ModelCheckpoint.builder(file).saveBestOnly(true), false));
        assertTrue(e.getMessage().contains("model checkpoint monitors 'val_loss' but fit has no validation data"), e.getMessage());
        assertFalse(Files.exists(file));
    }
}
