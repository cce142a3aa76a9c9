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
import dev.lanes.train.EpochLogs;
import dev.lanes.train.FitOptions;
import dev.lanes.train.History;
import dev.lanes.train.Metric;
import dev.lanes.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
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

    /** Rewrites metadata entry {@code key} of {@code file} (tensors kept) with {@code edit} applied. */
    @SuppressWarnings("unchecked")
    private static void editMetadata(Path file, String key, Consumer<Map<String, Object>> edit) {
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        Map<String, Object> json = (Map<String, Object>) Json.parse(meta.get(key));
        edit.accept(json);
        meta.put(key, Json.write(json));
        SafeTensors.write(file, c.tensors(), meta);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> epoch0(Map<String, Object> info) {
        return (Map<String, Object>) ((List<Object>) info.get("history")).get(0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyMissingOrMistypedFieldOfTheCheckpointIsNamed() {
        // A NaN validation loss is history (written as null), not damage.
        List<EpochLogs> history = List.of(new EpochLogs(0, Map.of("loss", 0.5, "val_loss", Double.NaN), 1.5, 200, 0.01f));
        Map<String, Consumer<Map<String, Object>>> info = new LinkedHashMap<>();
        info.put("missing \"history\"", i -> i.remove("history"));
        info.put("\"history[0]\" must be an object, got 5", i -> ((List<Object>) i.get("history")).set(0, 5L));
        info.put("\"history[0].values\" must be an object, got 3", i -> epoch0(i).put("values", 3L));
        info.put("\"history[0].values.loss\" must be a number, got \"x\"",
                i -> ((Map<String, Object>) epoch0(i).get("values")).put("loss", "x"));
        info.put("missing \"history[0].epoch\"", i -> epoch0(i).remove("epoch"));
        info.put("\"history[0].seconds\" must be a number, got true", i -> epoch0(i).put("seconds", true));
        info.put("\"iterations\" must be a whole number from 0 to 2147483647, got 10000000000",
                i -> i.put("iterations", 10_000_000_000L));
        info.put("\"steps\" must be a whole number >= 0, got -1", i -> i.put("steps", -1L));
        info.put("missing \"epochs_done\"", i -> i.remove("epochs_done"));
        info.put("missing \"optimizer\"", i -> i.remove("optimizer"));
        info.put("\"run\" must be an object, got \"x\"", i -> i.put("run", "x"));
        try (Sequential m = model(); Optimizer o = adam();
             Trainer t = new Trainer(m, Loss.sparseCategoricalCrossEntropy(), o)) {
            for (var c : info.entrySet()) {
                Path f = Checkpoint.save(dir, t, Map.of(), 1, history);
                editMetadata(f, Checkpoint.KEY, c.getValue());
                ModelFileException e = assertThrows(ModelFileException.class, () -> Checkpoint.restore(f, t), c.getKey());
                assertTrue(e.getMessage().equals(f + ": the checkpoint metadata is invalid: " + c.getKey()), e.getMessage());
            }
            Path f = Checkpoint.save(dir, t, Map.of(), 1, history);
            editMetadata(f, ModelFile.KEY, d -> d.remove("layers"));
            ModelFileException e = assertThrows(ModelFileException.class, () -> Checkpoint.restore(f, t));
            assertEquals(f + ": the model description is invalid: missing \"layers\"", e.getMessage());

            Checkpoint.State s = Checkpoint.restore(Checkpoint.save(dir, t, Map.of(), 1, history), t);
            assertEquals(0.5, s.history().get(0).get("loss"));
            assertTrue(Double.isNaN(s.history().get(0).get("val_loss")));
        }
    }

    @Test
    void aNaNInTheOptimizerStateIsRefusedButAnOverflowedSecondMomentIsKept() throws Exception {
        try (Sequential m = model(); Optimizer o = adam();
             Trainer t = new Trainer(m, Loss.sparseCategoricalCrossEntropy(), o)) {
            t.fit(x, y, options(1).build());
            Path f = Checkpoint.save(dir, t, Map.of(), 1, List.of());
            byte[] good = Files.readAllBytes(f);
            String v = "optimizer/dense/kernel/slot_1"; // Adam's second moment
            // An overflowed v is a state training reaches with finite weights (it makes the step 0).
            TensorBytes.poke(f, TensorBytes.offsetOf(f, v, 3), Float.POSITIVE_INFINITY);
            Checkpoint.restore(f, t);
            assertEquals(Float.POSITIVE_INFINITY, o.stateOf(0).get(1).get(0, 3));
            // A NaN is not: the first resumed step would turn that weight NaN.
            Files.write(f, good);
            int at = TensorBytes.offsetOf(f, v, 3);
            TensorBytes.poke(f, at, Float.NaN);
            ModelFileException e = assertThrows(ModelFileException.class, () -> Checkpoint.restore(f, t));
            assertEquals(at, e.offset());
            assertEquals(f + " (byte " + at + "): optimizer state '" + v + "' holds NaN at element 3 (row 0, column 3); "
                    + "a checkpoint's optimizer state is never NaN, so the file is damaged", e.getMessage());
            // The weights of a checkpoint are checked as a model file's are.
            Files.write(f, good);
            TensorBytes.poke(f, TensorBytes.offsetOf(f, "dense_1/bias", 1), Float.NEGATIVE_INFINITY);
            e = assertThrows(ModelFileException.class, () -> Checkpoint.restore(f, t));
            assertTrue(e.getMessage().contains("weight tensor 'dense_1/bias' holds -Infinity at element 1"), e.getMessage());
        }
    }

    @Test
    void saveRefusesANaNOptimizerStateButNotAnInfiniteOne() {
        try (Sequential m = model(); Optimizer o = adam();
             Trainer t = new Trainer(m, Loss.sparseCategoricalCrossEntropy(), o)) {
            t.fit(x, y, options(1).build());
            o.stateOf(0).get(1).set(0, 3, Float.POSITIVE_INFINITY);
            Checkpoint.save(dir, t, Map.of(), 1, List.of());
            o.stateOf(0).get(0).set(1, 2, Float.NaN);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Checkpoint.save(dir, t, Map.of(), 2, List.of()));
            assertTrue(e.getMessage().contains("optimizer state 'optimizer/dense/kernel/slot_0' holds NaN at element 14 "
                    + "(row 1, column 2)"), e.getMessage());
            assertTrue(!Files.exists(dir.resolve("epoch-0002.lanes")));
        }
    }
}
