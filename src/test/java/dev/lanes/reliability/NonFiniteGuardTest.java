package dev.lanes.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.BatchNorm;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.optim.Sgd;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.Callback;
import dev.lanes.train.FitOptions;
import dev.lanes.train.Trainer;
import dev.lanes.train.TrainingDivergedException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The first non-finite loss, gradient or weight stops training with a message saying where and what
 * to try, and the model keeps the weights it had before the failing step.
 */
class NonFiniteGuardTest {
    private static final String ADVICE = "(?s).*in epoch \\d+, step \\d+ .*keeps its weights.*lower learning rate.*"
            + "gradient clipping.*standardized inputs.*";
    private static Kernels kernels;

    @BeforeAll
    static void open() { kernels = Kernels.create("simd", 1); }

    @AfterAll
    static void close() { kernels.close(); }

    @Test
    void hugeLearningRateStopsTrainingWithTheLastFiniteWeights() {
        try (Matrix x = gaussian(64, 4, 1, 3f); Matrix y = gaussian(64, 1, 2, 10f);
             Sequential model = Sequential.builder(4).kernels(kernels).seed(1)
                     .add(new Dense(8, Activation.relu())).add(new Dense(1)).build();
             Trainer trainer = new Trainer(model, Loss.meanSquaredError(), new Sgd(1e3f))) {
            List<float[]>[] afterLastGoodStep = new List[] {model.getWeights()};
            Callback recorder = new Callback() {
                @Override public void onBatchEnd(int epoch, int batch, int batches, float loss) {
                    afterLastGoodStep[0] = model.getWeights();
                }
            };
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.fit(x, y,
                    FitOptions.builder().epochs(50).batchSize(8).verbose(false).callbacks(recorder).build()));
            assertTrue(e.getMessage().matches(ADVICE), e.getMessage());
            assertTrue(e.getMessage().contains("dense"), "names a layer or parameter: " + e.getMessage());
            assertWeightsEqual(afterLastGoodStep[0], model.getWeights());
            assertAllFinite(model.getWeights());
        }
    }

    @Test
    void anInfiniteInputIsReportedWithItsRowAndChangesNoWeightNorRunningStatistic() {
        try (Matrix x = gaussian(16, 4, 3, 1f); Matrix y = gaussian(16, 1, 4, 1f);
             Sequential model = Sequential.builder(4).kernels(kernels).seed(2)
                     .add(new Dense(8, Activation.relu())).add(new BatchNorm(0.5f, 1e-3f)).add(new Dense(1)).build();
             Trainer trainer = new Trainer(model, Loss.meanSquaredError(), new Adam(0.01f))) {
            trainer.trainBatch(x, y);
            List<float[]> before = model.getWeights();
            x.set(5, 2, Float.POSITIVE_INFINITY);
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.trainBatch(x, y));
            assertTrue(e.getMessage().contains("input row 5 (column 2 is Infinity)"), e.getMessage());
            assertTrue(e.getMessage().matches(ADVICE), e.getMessage());
            assertWeightsEqual(before, model.getWeights());
        }
    }

    @Test
    void aNaNInputGoesThroughReLUAndIsNamedWithItsRow() {
        // ReLU keeps NaN, as PyTorch's does: it once mapped NaN to 0, which left the loss finite and
        // gave a NaN input row a confident prediction.
        try (Matrix x = gaussian(16, 4, 3, 1f); Matrix y = gaussian(16, 1, 4, 1f);
             Sequential model = Sequential.builder(4).kernels(kernels).seed(2)
                     .add(new Dense(8, Activation.relu())).add(new Dense(1)).build();
             Trainer trainer = new Trainer(model, Loss.meanSquaredError(), new Adam(0.01f))) {
            trainer.trainBatch(x, y);
            List<float[]> before = model.getWeights();
            x.set(7, 1, Float.NaN);
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.trainBatch(x, y));
            assertTrue(e.getMessage().contains("input row 7 (column 1 is NaN)"), e.getMessage());
            assertWeightsEqual(before, model.getWeights());
            try (Matrix p = model.predict(x)) {
                assertTrue(Float.isNaN(p.get(7, 0)), "the NaN row's prediction is NaN, got " + p.get(7, 0));
                assertTrue(Float.isFinite(p.get(6, 0)) && Float.isFinite(p.get(8, 0)), "other rows are unaffected");
            }
        }
    }

    @Test
    void aNonFiniteOrOutOfRangeTargetIsRefusedWithItsRowBeforeAnyStep() {
        try (Matrix x = gaussian(16, 4, 3, 1f); Matrix y = gaussian(16, 1, 4, 1f);
             Sequential model = Sequential.builder(4).kernels(kernels).seed(2)
                     .add(new Dense(8, Activation.relu())).add(new Dense(1)).build();
             Trainer trainer = new Trainer(model, Loss.meanSquaredError(), new Adam(0.01f))) {
            List<float[]> before = model.getWeights();
            y.set(5, 0, Float.NaN);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.trainBatch(x, y));
            assertTrue(e.getMessage().contains("target row 5 holds NaN"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> trainer.fit(x, y, FitOptions.builder().epochs(1).verbose(false).build()));
            assertWeightsEqual(before, model.getWeights());
        }
        try (Matrix x = gaussian(16, 4, 3, 1f); Matrix y = Matrix.allocate(16, 1);
             Sequential model = Sequential.builder(4).kernels(kernels).seed(2)
                     .add(new Dense(8, Activation.relu())).add(new Dense(1, Activation.sigmoid())).build();
             Trainer trainer = new Trainer(model, Loss.binaryCrossEntropy(), new Adam(0.01f))) {
            y.set(3, 0, 2f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.trainBatch(x, y));
            assertTrue(e.getMessage().contains("target row 3 holds 2.0") && e.getMessage().contains("[0, 1]"), e.getMessage());
        }
    }

    @Test
    void aNonFiniteValidationInputIsRefusedWithItsRowBeforeAnyStep() {
        // Validation rows only pass through evaluation, where no step fails: left alone, a NaN there made
        // val_loss NaN every epoch without a word, and early stopping on it ended training after its patience.
        try (Matrix x = gaussian(16, 4, 3, 1f); Matrix y = gaussian(16, 1, 4, 1f);
             Matrix valX = gaussian(6, 4, 5, 1f); Matrix valY = gaussian(6, 1, 6, 1f);
             Sequential model = Sequential.builder(4).kernels(kernels).seed(2)
                     .add(new Dense(8, Activation.relu())).add(new Dense(1)).build();
             Trainer trainer = new Trainer(model, Loss.meanSquaredError(), new Adam(0.01f))) {
            List<float[]> before = model.getWeights();
            valX.set(4, 2, Float.NaN);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(x, y,
                    FitOptions.builder().epochs(2).verbose(false).validationData(valX, valY).build()));
            assertTrue(e.getMessage().contains("validation input row 4 (column 2 is NaN)"), e.getMessage());
            x.set(14, 1, Float.POSITIVE_INFINITY); // among the last 25%: a validation row of the split
            e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(x, y,
                    FitOptions.builder().epochs(2).verbose(false).validationSplit(0.25).build()));
            assertTrue(e.getMessage().contains("validation input row 2 (column 1 is Infinity)"), e.getMessage());
            assertTrue(e.getMessage().contains("row 14 of the inputs"), e.getMessage());
            assertWeightsEqual(before, model.getWeights());
        }
    }

    @Test
    void anOverflowingGradientIsNamedByParameterWhileTheLossIsStillFinite() {
        // h = x·W0 is tiny, logits = h·W1 moderate (finite loss), but dW0 = xᵀ·(dLogits·W1ᵀ) overflows.
        try (Matrix x = Matrix.allocate(8, 4).fill(10f); Matrix y = Matrix.allocate(8, 1);
             Sequential model = Sequential.builder(4).kernels(kernels)
                     .add(new Dense(4)).add(new Dense(1, Activation.sigmoid())).build();
             Trainer trainer = new Trainer(model, Loss.binaryCrossEntropy(), new Sgd(0.1f))) {
            model.layer(0).setWeights(filled(16, 1e-37f), new float[4]);
            model.layer(1).setWeights(filled(4, 3e38f), new float[1]);
            List<float[]> before = model.getWeights();
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.trainBatch(x, y));
            assertTrue(e.getMessage().startsWith("the gradient of dense/kernel 4x4 became NaN or infinite"), e.getMessage());
            assertTrue(e.getMessage().matches(ADVICE), e.getMessage());
            assertEquals(0, e.epoch());
            assertWeightsEqual(before, model.getWeights());
        }
    }

    @Test
    void anUpdateThatOverflowsTheWeightsIsUndone() {
        try (Matrix x = gaussian(8, 4, 5, 1f); Matrix y = gaussian(8, 1, 6, 1f);
             Sequential model = Sequential.builder(4).kernels(kernels).seed(3).add(new Dense(1)).build();
             Trainer trainer = new Trainer(model, Loss.meanSquaredError(), new Sgd(3e38f))) {
            List<float[]> before = model.getWeights();
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.trainBatch(x, y));
            assertTrue(e.getMessage().startsWith("the update made the weights of dense/"), e.getMessage());
            assertWeightsEqual(before, model.getWeights());
            assertEquals(0, trainer.steps(), "the failed step does not count");
        }
    }

    @Test
    void anAdamUpdateThatOverflowsIsUndoneToo() {
        // With x = 0 only the bias learns. Step 1 moves it by the rate, to 3e38; at step 2 the
        // sigmoid is saturated (gradient 0) but the first moment keeps pushing: the bias overflows.
        // A rate this large is past what Adam can bound, so the copy is taken and restored.
        try (Matrix x = Matrix.allocate(8, 4); Matrix y = Matrix.allocate(8, 1).fill(1f);
             Sequential model = Sequential.builder(4).kernels(kernels).add(new Dense(1, Activation.sigmoid())).build();
             Trainer trainer = new Trainer(model, Loss.binaryCrossEntropy(), new Adam(3e38f))) {
            model.layer(0).setWeights(new float[4], new float[] {10f});
            trainer.trainBatch(x, y);
            List<float[]> afterFirst = model.getWeights();
            assertTrue(afterFirst.get(1)[0] > 1e38f, "the first step moved the bias by the rate: " + afterFirst.get(1)[0]);
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.trainBatch(x, y));
            assertTrue(e.getMessage().startsWith("the update made the weights of dense/bias"), e.getMessage());
            assertTrue(e.getMessage().matches(ADVICE), e.getMessage());
            assertWeightsEqual(afterFirst, model.getWeights());
            assertEquals(1, trainer.steps());
        }
    }

    @Test
    void aStepTheOptimizerCanBoundCopiesNoWeights() {
        int steps = 5;
        long bounded = copiesPerRun(new Adam(0.01f), true, steps);
        long unbounded = copiesPerRun(new Adam(0.01f) {
            @Override protected boolean boundsStep(float gradientNow, float gradientEver, float lr, int t) {
                return false;
            }
        }, true, steps);
        long unboundedWithoutRollback = copiesPerRun(new Adam(0.01f) {
            @Override protected boolean boundsStep(float gradientNow, float gradientEver, float lr, int t) {
                return false;
            }
        }, false, steps);
        // Dense(8) then Dense(1): four trainable parameters; everything else copies alike.
        assertEquals(steps * 4L, unbounded - bounded, "without a bound each step copies the 4 parameters");
        assertEquals(bounded, unboundedWithoutRollback);
        assertEquals(bounded, copiesPerRun(new Sgd(0.01f), true, steps), "SGD bounds its step too");
    }

    /** Element-wise kernel calls (the weight copy is one) during {@code steps} steps. */
    private static long copiesPerRun(dev.lanes.optim.Optimizer optimizer, boolean keep, int steps) {
        dev.lanes.kernel.ProfilingKernels counting = new dev.lanes.kernel.ProfilingKernels(kernels);
        try (Matrix x = gaussian(16, 4, 7, 1f); Matrix y = gaussian(16, 1, 8, 1f);
             Sequential model = Sequential.builder(4).kernels(counting).seed(4)
                     .add(new Dense(8, Activation.relu())).add(new Dense(1)).build();
             Trainer trainer = new Trainer(model, Loss.meanSquaredError(), optimizer).keepLastFiniteWeights(keep)) {
            trainer.trainBatch(x, y);
            counting.reset();
            for (int i = 0; i < steps; i++) trainer.trainBatch(x, y);
            return counting.calls(dev.lanes.kernel.ProfilingKernels.Group.ELEMENTWISE);
        }
    }

    @Test
    void withoutRollbackAnOverflowingUpdateStillStopsTraining() {
        try (Matrix x = gaussian(8, 4, 5, 1f); Matrix y = gaussian(8, 1, 6, 1f);
             Sequential model = Sequential.builder(4).kernels(kernels).seed(3).add(new Dense(1)).build();
             Trainer trainer = new Trainer(model, Loss.meanSquaredError(), new Sgd(3e38f)).keepLastFiniteWeights(false)) {
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.trainBatch(x, y));
            assertTrue(e.getMessage().startsWith("the update made the weights of dense/")
                    && e.getMessage().contains("The step was applied"), e.getMessage());
            assertEquals(0, trainer.steps(), "the failed step does not count");
        }
    }

    @Test
    void withoutRollbackAFailingStepIsStillNotApplied() {
        try (Matrix x = gaussian(8, 4, 5, 1f); Matrix y = gaussian(8, 1, 6, 1f);
             Sequential model = Sequential.builder(4).kernels(kernels).seed(3).add(new Dense(2)).add(new Dense(1)).build();
             Trainer trainer = new Trainer(model, Loss.meanSquaredError(), new Sgd(0.01f)).keepLastFiniteWeights(false)) {
            trainer.trainBatch(x, y);
            List<float[]> before = model.getWeights();
            x.set(2, 1, Float.NaN);
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.trainBatch(x, y));
            assertTrue(e.getMessage().contains("input row 2 (column 1 is NaN)") && e.getMessage().contains("The step was not applied."),
                    e.getMessage());
            assertWeightsEqual(before, model.getWeights());
        }
    }

    @Test
    void locateNonFiniteFindsTheFirstLayerWhoseOutputOverflowed() {
        try (Matrix x = Matrix.allocate(2, 3).fill(1f);
             Sequential model = Sequential.builder(3).kernels(kernels)
                     .add(new Dense(2)).add(new Dense(2)).add(new Dense(1)).build()) {
            model.layer(1).setWeights(filled(4, 3e38f), new float[2]);
            model.layer(0).setWeights(filled(6, 1f), new float[2]);
            model.forward(x, false, 0);
            String where = model.locateNonFinite(x);
            assertNotNull(where);
            assertEquals("the output of layer dense_1 Dense", where);
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    static Matrix gaussian(int rows, int cols, long seed, float scale) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) (scale * random.nextGaussian());
        return Matrix.of(rows, cols, v);
    }

    private static void assertWeightsEqual(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            ConcurrentPredictTest.assertBitwiseEqual(expected.get(i), actual.get(i), "weight array " + i);
        }
    }

    private static void assertAllFinite(List<float[]> weights) {
        for (float[] w : weights) {
            for (float v : w) assertTrue(Float.isFinite(v), "non-finite weight " + v);
        }
    }
}
