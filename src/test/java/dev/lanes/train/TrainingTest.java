package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import dev.lanes.optim.LearningRateSchedule;
import dev.lanes.optim.Sgd;
import dev.lanes.tensor.Matrix;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainingTest {
    private static Kernels kernels;

    @BeforeAll
    static void open() { kernels = Kernels.create("simd", 1); }

    @AfterAll
    static void close() { kernels.close(); }

    @Test
    void smallNetworkLearnsXorWhichOneNeuronCannot() {
        try (Matrix x = TestData.xorInputs(); Matrix y = TestData.xorTargets()) {
            try (Sequential net = Sequential.builder(2).kernels(kernels).seed(1)
                    .add(new Dense(8, Activation.tanh())).add(new Dense(1, Activation.sigmoid())).build();
                 Trainer t = new Trainer(net, Loss.binaryCrossEntropy(), new Adam(0.05f), Metric.accuracy())) {
                History h = t.fit(x, y, FitOptions.quiet(300, 4));
                assertArrayEquals(new int[] {0, 1, 1, 0}, net.predictClasses(x));
                assertEquals(1.0, h.last("accuracy"));
                assertTrue(h.last("loss") < 0.1, "loss " + h.last("loss"));
            }
            try (Sequential neuron = Sequential.builder(2).kernels(kernels).seed(1)
                    .add(new Dense(1, Activation.sigmoid())).build();
                 Trainer t = new Trainer(neuron, Loss.binaryCrossEntropy(), new Adam(0.05f), Metric.accuracy())) {
                t.fit(x, y, FitOptions.quiet(300, 4));
                assertTrue(t.evaluate(x, y).metric("accuracy") <= 0.75, "a line cannot separate XOR");
            }
        }
    }

    @Test
    void logisticRegressionSeparatesASeparableSet() {
        Matrix[] d = TestData.separable(200, 3);
        try (Sequential model = Sequential.builder(2).kernels(kernels).add(new Dense(1, Activation.sigmoid())).build();
             Trainer t = new Trainer(model, Loss.binaryCrossEntropy(), new Sgd(1f), Metric.accuracy())) {
            t.fit(d[0], d[1], FitOptions.quiet(200, 200));
            Evaluation e = t.evaluate(d[0], d[1]);
            assertEquals(1.0, e.metric("accuracy"));
            assertTrue(e.loss() < 0.1, "loss " + e.loss());
        } finally {
            TestData.close(d);
        }
    }

    @Test
    void softmaxClassifierWithValidationSplitMetricsAndConfusionMatrix() {
        Matrix[] d = TestData.blobs(300, 5);
        try (Sequential model = Sequential.builder(2).kernels(kernels).seed(2)
                .add(new Dense(16, Activation.relu())).add(new Dropout(0.1f))
                .add(new Dense(3, Activation.softmax())).build();
             Trainer t = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), new Adam(0.02f), Metric.accuracy())) {
            History h = t.fit(d[0], d[1], FitOptions.builder().epochs(15).batchSize(32).validationSplit(0.2)
                    .verbose(false).build());
            assertEquals(List.of("loss", "accuracy", "val_loss", "val_accuracy"), List.copyOf(h.keys()));
            assertEquals(15, h.epochs());
            assertTrue(h.last("val_accuracy") > 0.95, h.toString());
            assertTrue(h.get("loss").get(0) > h.last("loss"));
            assertTrue(h.samplesPerSecond().get(0) > 0 && h.seconds().get(0) > 0);
            ConfusionMatrix cm = ConfusionMatrix.of(model, d[0], d[1]);
            assertEquals(300, cm.total());
            assertEquals(t.evaluate(d[0], d[1]).metric("accuracy"), cm.accuracy(), 1e-9);
            for (double a : cm.perClassAccuracy()) assertTrue(a > 0.9, cm.toString());
            try (Matrix oneHot = TestData.oneHot(d[1], 3)) {
                assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(model, d[0], d[0]));
                assertEquals(cm.accuracy(), ConfusionMatrix.of(model, d[0], oneHot).accuracy());
            }
        } finally {
            TestData.close(d);
        }
    }

    @Test
    void categoricalCrossEntropyWithBatchNormAndRegularization() {
        Matrix[] d = TestData.blobs(240, 8);
        try (Matrix y = TestData.oneHot(d[1], 3);
             Sequential model = Sequential.builder(2).kernels(kernels).seed(4)
                     .add(new Dense(12).regularizer(Regularizer.l2(0.01f))).add(new BatchNorm())
                     .add(new dev.lanes.nn.ActivationLayer(Activation.relu()))
                     .add(new Dense(3, Activation.softmax())).build();
             Trainer t = new Trainer(model, Loss.categoricalCrossEntropy(), Sgd.nesterov(0.1f, 0.9f), Metric.accuracy())) {
            t.fit(d[0], y, FitOptions.quiet(20, 16));
            assertTrue(t.evaluate(d[0], y).metric("accuracy") > 0.95);
        } finally {
            TestData.close(d);
        }
    }

    @Test
    void earlyStoppingStopsAndRestoresTheBestWeights() {
        // Validation targets are the training targets flipped: the better the fit, the worse val_loss.
        Matrix[] d = TestData.separable(64, 9);
        try (Matrix flipped = Matrix.allocate(64, 1)) {
            for (int r = 0; r < 64; r++) flipped.set(r, 0, 1f - d[1].get(r, 0));
            for (boolean restore : new boolean[] {true, false}) {
                try (Sequential model = Sequential.builder(2).kernels(kernels).add(new Dense(1, Activation.sigmoid())).build();
                     Trainer t = new Trainer(model, Loss.binaryCrossEntropy(), new Sgd(0.5f))) {
                    List<float[]> weightsPerEpoch = new ArrayList<>();
                    Callback recorder = new Callback() {
                        @Override public void onEpochEnd(int epoch, EpochLogs logs, Trainer trainer) {
                            weightsPerEpoch.add(trainer.model().getWeights().get(0));
                        }
                    };
                    EarlyStopping stop = EarlyStopping.builder().monitor("val_loss").patience(3)
                            .restoreBestWeights(restore).build();
                    History h = t.fit(d[0], d[1], FitOptions.builder().epochs(50).batchSize(16).verbose(false)
                            .validationData(d[0], flipped).callbacks(recorder, stop).build());
                    assertEquals(0, stop.bestEpoch(), h.get("val_loss").toString());
                    assertEquals(3, stop.stoppedEpoch());
                    assertEquals(4, h.epochs());
                    float[] expected = weightsPerEpoch.get(restore ? 0 : 3);
                    assertArrayEquals(expected, model.getWeights().get(0));
                }
            }
        } finally {
            TestData.close(d);
        }
    }

    @Test
    void earlyStoppingInMaxModeAndMinDelta() {
        Matrix[] d = TestData.separable(64, 10);
        try (Sequential model = Sequential.builder(2).kernels(kernels).add(new Dense(1, Activation.sigmoid())).build();
             Trainer t = new Trainer(model, Loss.binaryCrossEntropy(), new Sgd(0.5f), Metric.accuracy())) {
            // Accuracy reaches 1.0 and cannot improve by more than 0.5 again: stops after patience epochs.
            EarlyStopping stop = EarlyStopping.builder().monitor("accuracy").minDelta(0.5).patience(2).build();
            History h = t.fit(d[0], d[1], FitOptions.builder().epochs(30).batchSize(16).verbose(false).callbacks(stop).build());
            assertEquals(3, h.epochs());
            assertEquals(2, stop.stoppedEpoch());
        } finally {
            TestData.close(d);
        }
    }

    @Test
    void learningRateScheduleAndSchedulerCallback() {
        Matrix[] d = TestData.regression(64, 1);
        try (Sequential model = Sequential.builder(4).kernels(kernels).add(new Dense(1)).build();
             Trainer t = new Trainer(model, Loss.meanSquaredError(), new Sgd(LearningRateSchedule.step(0.1f, 0.5f, 2)))) {
            double before = t.evaluate(d[0], d[1]).loss();
            History h = t.fit(d[0], d[1], FitOptions.quiet(5, 16));
            assertEquals(List.of(0.1, 0.1, 0.05, 0.05, 0.025), round(h.learningRates()));
            History h2 = t.fit(d[0], d[1], FitOptions.builder().epochs(3).batchSize(16).verbose(false)
                    .callbacks(new LearningRateScheduler((epoch, lr) -> lr / (epoch + 1))).build());
            assertEquals(List.of(0.1, 0.05, 0.0167), round(h2.learningRates()));
            assertTrue(t.evaluate(d[0], d[1]).loss() < 0.1 * before);
        } finally {
            TestData.close(d);
        }
    }

    @Test
    void schedulerCallbackCompoundsOnTheRateThePreviousEpochRanWith() {
        // Keras passes the optimizer's current rate, which is what the callback set the epoch before:
        // a rule that scales it decays geometrically, here by half from epoch 2 on.
        Matrix[] d = TestData.regression(64, 1);
        try (Sequential model = Sequential.builder(4).kernels(kernels).add(new Dense(1)).build();
             Trainer t = new Trainer(model, Loss.meanSquaredError(), new Sgd(0.1f))) {
            LearningRateScheduler halve = new LearningRateScheduler((epoch, lr) -> epoch < 2 ? lr : lr * 0.5f);
            History h = t.fit(d[0], d[1], FitOptions.builder().epochs(5).batchSize(16).verbose(false)
                    .callbacks(halve).build());
            assertEquals(List.of(0.1, 0.1, 0.05, 0.025, 0.0125), round(h.learningRates()));
            // A new fit starts again from the optimizer's rate, as a new Keras fit starts from the
            // optimizer's current rate (here the schedule's constant one).
            History again = t.fit(d[0], d[1], FitOptions.builder().epochs(3).batchSize(16).verbose(false)
                    .callbacks(halve).build());
            assertEquals(List.of(0.1, 0.1, 0.05), round(again.learningRates()));
        } finally {
            TestData.close(d);
        }
    }

    @Test
    void aFitThatFailsLetsItsCallbacksReleaseWhatTheyTook() {
        Matrix[] d = TestData.regression(64, 1);
        try (Sequential model = Sequential.builder(4).kernels(kernels).seed(1)
                     .add(new Dense(8, Activation.relu())).add(new Dense(1)).build();
             Trainer t = new Trainer(model, Loss.meanSquaredError(), new Sgd(1e6f))) {
            EarlyStopping stopping = EarlyStopping.builder().monitor("loss").patience(100).restoreBestWeights(true).build();
            List<String> seen = new ArrayList<>();
            Callback recorder = new Callback() {
                @Override public void onTrainFailed(Trainer trainer, Throwable cause) {
                    seen.add("failed: " + cause.getClass().getSimpleName());
                }

                @Override public void onTrainEnd(Trainer trainer, History history) {
                    seen.add("end");
                }
            };
            assertThrows(TrainingDivergedException.class, () -> t.fit(d[0], d[1], FitOptions.builder().epochs(50)
                    .batchSize(8).verbose(false).callbacks(stopping, recorder).build()));
            assertEquals(List.of("failed: TrainingDivergedException"), seen);
            assertFalse(stopping.holdsBestWeights(), "the early-stopping copy of the weights is freed");
        } finally {
            TestData.close(d);
        }
    }

    @Test
    void aCallbackThatFailsAtTheEndDoesNotKeepTheOthersFromReleasing() {
        Matrix[] d = TestData.regression(64, 1);
        try (Sequential model = Sequential.builder(4).kernels(kernels).seed(1).add(new Dense(1)).build();
             Trainer t = new Trainer(model, Loss.meanSquaredError(), new Sgd(0.01f))) {
            Callback throwsAtEnd = new Callback() {
                @Override public void onTrainEnd(Trainer trainer, History history) {
                    throw new IllegalStateException("end failed");
                }
            };
            EarlyStopping stopping = EarlyStopping.builder().monitor("loss").patience(100).restoreBestWeights(true).build();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.fit(d[0], d[1],
                    FitOptions.builder().epochs(2).batchSize(16).verbose(false).callbacks(throwsAtEnd, stopping).build()));
            assertEquals("end failed", e.getMessage());
            assertFalse(stopping.holdsBestWeights(), "the early-stopping copy of the weights is freed");
        } finally {
            TestData.close(d);
        }
    }

    private static List<Double> round(List<Double> values) {
        return values.stream().map(v -> Math.round(v * 1e4) / 1e4).toList();
    }

    @Test
    void everyRegressionLossFitsALinearModel() {
        Matrix[] d = TestData.regression(128, 2);
        for (Loss loss : List.of(Loss.meanSquaredError(), Loss.meanAbsoluteError(), Loss.huber(1f))) {
            try (Sequential model = Sequential.builder(4).kernels(kernels).add(new Dense(1)).build();
                 Trainer t = new Trainer(model, loss, new Adam(0.05f), Metric.meanAbsoluteError())) {
                History h = t.fit(d[0], d[1], FitOptions.quiet(100, 32));
                assertTrue(h.last("mae") < 0.1, loss + ": " + h);
            }
        }
        TestData.close(d);
    }

    @Test
    void divergenceStopsWithAMessageNamingEpochAndStep() {
        Matrix[] d = TestData.regression(64, 3);
        try (Sequential model = Sequential.builder(4).kernels(kernels).add(new Dense(1)).build();
             Trainer t = new Trainer(model, Loss.meanSquaredError(), new Sgd(1e3f))) {
            var e = assertThrows(TrainingDivergedException.class, () -> t.fit(d[0], d[1], FitOptions.quiet(50, 8)));
            assertTrue(e.getMessage().matches("(?s).*in epoch \\d+, step \\d+ .*lower learning rate.*clipNorm.*"), e.getMessage());
            assertTrue(e.epoch() >= 0 && e.step() >= 0);
        } finally {
            TestData.close(d);
        }
    }

    @Test
    void clearErrorsForShapeAndConfigurationMistakes() {
        Matrix[] d = TestData.blobs(30, 1);
        try (Sequential model = Sequential.builder(2).kernels(kernels).add(new Dense(3, Activation.softmax())).build();
             Matrix oneHot = TestData.oneHot(d[1], 3)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(model, Loss.binaryCrossEntropy(), new Adam(0.01f)));
            assertTrue(e.getMessage().contains("categorical_crossentropy"), e.getMessage());
            try (Trainer t = new Trainer(model, Loss.categoricalCrossEntropy(), new Adam(0.01f))) {
                e = assertThrows(IllegalArgumentException.class, () -> t.fit(d[0], d[1], FitOptions.quiet(1, 8)));
                assertTrue(e.getMessage().contains("needs targets with 3 columns, got 30x1"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> t.fit(oneHot, oneHot, FitOptions.quiet(1, 8)));
                assertTrue(e.getMessage().contains("expects 2 input columns"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> t.fit(d[0], oneHot, FitOptions.builder()
                        .verbose(false).callbacks(EarlyStopping.builder().build()).build()));
                assertTrue(e.getMessage().contains("no validation data"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> t.trainBatch(d[0], d[1]));
                assertTrue(e.getMessage().contains("30x3 targets"), e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> FitOptions.builder().validationSplit(1.0).build());
            assertThrows(IllegalArgumentException.class, () -> FitOptions.builder().batchSize(0).build());
            assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(model, Loss.categoricalCrossEntropy(), new Adam(0.01f), Metric.accuracy(), Metric.accuracy()));
            // An element-wise error between 3 probabilities and a class index is not defined: refused up front.
            try (Trainer t = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), new Adam(0.01f), Metric.meanSquaredError())) {
                e = assertThrows(IllegalArgumentException.class, () -> t.fit(d[0], d[1], FitOptions.quiet(1, 8)));
                assertTrue(e.getMessage().contains("mse needs targets as wide as the 3 outputs"), e.getMessage());
            }
        } finally {
            TestData.close(d);
        }
    }

    @Test
    void liveProgressBarRedrawsInPlace() {
        Matrix[] d = TestData.regression(40, 4);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Sequential model = Sequential.builder(4).kernels(kernels).add(new Dense(1)).build();
             Trainer t = new Trainer(model, Loss.meanSquaredError(), new Adam(0.01f));
             PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            t.fit(d[0], d[1], FitOptions.builder().epochs(1).batchSize(8).out(out).liveProgress(true).build());
            String text = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(text.startsWith("\rEpoch 1/1 ["), text);
            assertTrue(text.contains("\rEpoch 1/1 [==============================] 5/5 - loss: "), text);
            assertTrue(text.contains("\rEpoch 1/1 - "), text);
        } finally {
            TestData.close(d);
        }
    }

    @Test
    void batchNormRefusesALastBatchOfOneRowUpFront() {
        Matrix[] d = TestData.regression(33, 4);
        try (Sequential model = Sequential.builder(4).kernels(kernels).add(new Dense(3)).add(new BatchNorm()).add(new Dense(1)).build();
             Trainer t = new Trainer(model, Loss.meanSquaredError(), new Adam(0.01f))) {
            var e = assertThrows(IllegalArgumentException.class, () -> t.fit(d[0], d[1], FitOptions.quiet(1, 8)));
            assertTrue(e.getMessage().contains("last batch has 1 row"), e.getMessage());
            t.fit(d[0], d[1], FitOptions.quiet(1, 11));
        } finally {
            TestData.close(d);
        }
    }

    @Test
    void optimizersByName() {
        for (String name : List.of("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "AdamW")) {
            assertEquals(0.01f, dev.lanes.optim.Optimizer.named(name, 0.01f).learningRate());
        }
        assertThrows(IllegalArgumentException.class, () -> dev.lanes.optim.Optimizer.named("lion", 0.01f));
    }

    @Test
    void progressLinePerEpoch() {
        Matrix[] d = TestData.regression(40, 4);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Sequential model = Sequential.builder(4).kernels(kernels).add(new Dense(1)).build();
             Trainer t = new Trainer(model, Loss.meanSquaredError(), new Adam(0.01f), Metric.meanAbsoluteError());
             PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            t.fit(d[0], d[1], FitOptions.builder().epochs(2).batchSize(8).validationSplit(0.25).out(out).build());
            String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
            assertEquals(2, lines.length, bytes.toString());
            assertTrue(lines[1].matches("Epoch 2/2 - [0-9.]+s - [0-9,]+ samples/s - loss: [0-9.]+ - mae: [0-9.]+ - val_loss: [0-9.]+"
                    + " - val_mae: [0-9.]+ - lr: 0\\.0100"), lines[1]);
        } finally {
            TestData.close(d);
        }
    }
}
