package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Sgd;
import dev.lanes.tensor.Matrix;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Keras's {@code sample_weight}: a weight per row of fit's inputs, on every loss. */
class SampleWeightsTest {
    private static final int ROWS = 24;

    private static Matrix[] regression(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[ROWS * 3], y = new float[ROWS * 2];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextDouble(-1, 1);
        for (int i = 0; i < y.length; i++) y[i] = (float) rnd.nextDouble(-2, 2);
        return new Matrix[] {Matrix.of(ROWS, 3, x), Matrix.of(ROWS, 2, y)};
    }

    private static float[] weights(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] w = new float[ROWS];
        for (int r = 0; r < ROWS; r++) w[r] = r % 5 == 0 ? 0f : (float) rnd.nextDouble(0.1, 3);
        return w;
    }

    private static Sequential model(Kernels k) {
        return Sequential.builder(3).kernels(k).seed(9).add(new Dense(8, Activation.tanh())).add(new Dense(2)).build();
    }

    /** One full-batch epoch reports Σ w·L / m, L a row's mean over its outputs, from the weights before the step. */
    @Test
    void theEpochLossIsTheWeightedMeanOverTheBatch() {
        Matrix[] d = regression(1);
        float[] w = weights(2);
        for (String backend : new String[] {"loop", "simd"}) {
            for (Loss loss : new Loss[] {Loss.meanSquaredError(), Loss.meanAbsoluteError(), Loss.huber(0.5f)}) {
                try (Kernels k = Kernels.create(backend, 1); Sequential model = model(k);
                     Trainer t = new Trainer(model, loss, new Sgd(0.1f))) {
                    double expected = 0;
                    try (Matrix p = model.predict(d[0])) {
                        for (int r = 0; r < ROWS; r++) {
                            double row = 0;
                            for (int c = 0; c < 2; c++) {
                                double diff = p.get(r, c) - d[1].get(r, c), abs = Math.abs(diff);
                                row += switch (loss.toString()) {
                                    case "mean_squared_error" -> diff * diff;
                                    case "mean_absolute_error" -> abs;
                                    default -> abs <= 0.5 ? 0.5 * diff * diff : 0.5 * (abs - 0.25);
                                };
                            }
                            expected += w[r] * row / 2;
                        }
                    }
                    expected /= ROWS;
                    History h = t.fit(d[0], d[1], FitOptions.builder().epochs(1).batchSize(ROWS).shuffle(false)
                            .verbose(false).sampleWeights(w).build());
                    assertEquals(expected, h.get("loss").get(0), 1e-5 * expected, backend + " " + loss);
                }
            }
        }
        TestData.close(d);
    }

    /**
     * A row of weight 0 teaches nothing: training on all rows with the second half weighted 0 gives
     * the weights that training on the first half alone gives, with its weights halved (both divide
     * the same sums by twice the rows). Exactly, on the loop backend.
     */
    @Test
    void aZeroWeightRowTeachesNothing() {
        Matrix[] d = regression(3);
        float[] halfZero = new float[ROWS], halves = new float[ROWS / 2];
        for (int r = 0; r < ROWS / 2; r++) {
            halfZero[r] = 1f;
            halves[r] = 0.5f;
        }
        List<float[]> all, half;
        try (Kernels k = Kernels.create("loop", 1); Sequential a = model(k); Sequential b = model(k);
             Trainer ta = new Trainer(a, Loss.meanSquaredError(), new Sgd(0.1f));
             Trainer tb = new Trainer(b, Loss.meanSquaredError(), new Sgd(0.1f))) {
            ta.fit(d[0], d[1], FitOptions.builder().epochs(5).batchSize(ROWS).shuffle(false).verbose(false)
                    .sampleWeights(halfZero).build());
            tb.fit(d[0].rowRange(0, ROWS / 2), d[1].rowRange(0, ROWS / 2), FitOptions.builder().epochs(5)
                    .batchSize(ROWS / 2).shuffle(false).verbose(false).sampleWeights(halves).build());
            all = a.getWeights();
            half = b.getWeights();
        }
        for (int i = 0; i < all.size(); i++) assertArrayEquals(half.get(i), all.get(i), "parameter " + i);
        TestData.close(d);
    }

    /** With class weights too, a row's weight is the product, as in Keras. */
    @Test
    void classAndSampleWeightsMultiply() {
        Matrix[] blobs = TestData.blobs(30, 5);
        float[] halves = new float[30];
        java.util.Arrays.fill(halves, 0.5f);
        List<float[]> both, product;
        try (Kernels k = Kernels.create("simd", 1);
             Sequential a = Sequential.builder(2).kernels(k).seed(4).add(new Dense(3, Activation.softmax())).build();
             Sequential b = Sequential.builder(2).kernels(k).seed(4).add(new Dense(3, Activation.softmax())).build();
             Trainer ta = new Trainer(a, Loss.sparseCategoricalCrossEntropy(), new Sgd(0.2f));
             Trainer tb = new Trainer(b, Loss.sparseCategoricalCrossEntropy(), new Sgd(0.2f))) {
            History ha = ta.fit(blobs[0], blobs[1], FitOptions.builder().epochs(3).batchSize(8).seed(1).verbose(false)
                    .classWeights(2f, 1f, 4f).sampleWeights(halves).build());
            History hb = tb.fit(blobs[0], blobs[1], FitOptions.builder().epochs(3).batchSize(8).seed(1).verbose(false)
                    .classWeights(1f, 0.5f, 2f).build());
            assertEquals(hb.get("loss"), ha.get("loss"));
            both = a.getWeights();
            product = b.getWeights();
        }
        for (int i = 0; i < both.size(); i++) assertArrayEquals(product.get(i), both.get(i), "parameter " + i);
        TestData.close(blobs);
    }

    @Test
    void badSampleWeightsAreRefusedNamingTheProblem() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> FitOptions.builder().sampleWeights(1f, -2f).build());
        assertTrue(negative.getMessage().contains("sample weight 1 is -2.0"), negative.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> FitOptions.builder().sampleWeights(0f, 0f).build());
        assertTrue(zero.getMessage().contains("every sample weight is 0"), zero.getMessage());
        Matrix[] d = regression(4);
        float[] short1 = new float[ROWS - 1];
        java.util.Arrays.fill(short1, 1f);
        try (Sequential model = model(Kernels.get()); Trainer t = new Trainer(model, Loss.meanSquaredError(), new Sgd(0.1f))) {
            IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> t.fit(d[0], d[1],
                    FitOptions.builder().verbose(false).sampleWeights(short1).build()));
            assertTrue(count.getMessage().contains("23 sample weights for the 24 rows of x"), count.getMessage());
        }
        // The options keep their own copy: the caller's array may change afterwards.
        float[] w = weights(5);
        FitOptions o = FitOptions.builder().sampleWeights(w).build();
        w[1] = 99f;
        assertTrue(o.sampleWeights()[1] != 99f);
        TestData.close(d);
    }
}
