package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Parameter;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Sgd;
import dev.lanes.tensor.Matrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Class-weighted training as Keras does it: the weighted loss and its gradient against hand-worked
 * numbers and against finite differences of a double-precision reference, for each supported loss
 * on both backends; the epoch's training loss weighted while val_loss and the metrics are not; and
 * weights of 1 training exactly as no weights.
 */
class ClassWeightedTrainingTest {

    @Test
    void handWorkedBatches() {
        for (String backend : new String[] {"loop", "simd"}) {
            try (Kernels k = Kernels.create(backend, 1);
                 Matrix z = Matrix.of(2, 2, 0, 0, 0, 0); Matrix labels = Matrix.of(2, 1, 0, 1);
                 Matrix w = Matrix.of(2, 1, 1, 3); Matrix d = Matrix.allocate(2, 2);
                 Matrix z1 = Matrix.of(3, 1, 0, 0, 0); Matrix bits = Matrix.of(3, 1, 1, 0, 0);
                 Matrix w1 = Matrix.of(3, 1, 2, 0.5f, 0.5f); Matrix d1 = Matrix.allocate(3, 1)) {
                // Every row's loss is ln 2 at zero logits: (1·ln 2 + 3·ln 2) / 2 rows = 2 ln 2.
                float value = Loss.sparseCategoricalCrossEntropy().computeWeighted(k, z, labels, w, d);
                assertEquals(2 * Math.log(2), value, 1e-6, backend);
                // Row i: w_i·(p − onehot)/m with p = ½: row 0 (½ − 1, ½)/2, row 1 3·(½, ½ − 1)/2.
                assertArrayEquals(new float[] {-0.25f, 0.25f, 0.75f, -0.75f}, d.toArray(), 1e-7f, backend);
                try (Matrix oneHot = TestData.oneHot(labels, 2)) {
                    assertEquals(value, Loss.categoricalCrossEntropy().computeWeighted(k, z, oneHot, w, d), 1e-7f);
                    assertArrayEquals(new float[] {-0.25f, 0.25f, 0.75f, -0.75f}, d.toArray(), 1e-7f, backend);
                }
                // (2 + ½ + ½)·ln 2 / 3 rows = ln 2; gradient w·(σ − y)/3: 2·(−½)/3, then ½·½/3 twice.
                float bce = Loss.binaryCrossEntropy().computeWeighted(k, z1, bits, w1, d1);
                assertEquals(Math.log(2), bce, 1e-6, backend);
                assertArrayEquals(new float[] {-1f / 3, 1f / 12, 1f / 12}, d1.toArray(), 1e-7f, backend);
            }
        }
    }

    /** Σ wᵣ·Lᵣ / m in double, for one loss on row-major logits. */
    private interface Reference {
        double loss(double[] z, float[] targets, float[] w, int m, int n);
    }

    private static double logSumExp(double[] z, int o, int n) {
        double max = Double.NEGATIVE_INFINITY, s = 0;
        for (int c = 0; c < n; c++) max = Math.max(max, z[o + c]);
        for (int c = 0; c < n; c++) s += Math.exp(z[o + c] - max);
        return max + Math.log(s);
    }

    private static final Reference SPARSE = (z, y, w, m, n) -> {
        double total = 0;
        for (int r = 0; r < m; r++) total += w[r] * (logSumExp(z, r * n, n) - z[r * n + (int) y[r]]);
        return total / m;
    };

    private static final Reference CATEGORICAL = (z, y, w, m, n) -> {
        double total = 0;
        for (int r = 0; r < m; r++) {
            double lse = logSumExp(z, r * n, n);
            for (int c = 0; c < n; c++) total += w[r] * y[r * n + c] * (lse - z[r * n + c]);
        }
        return total / m;
    };

    private static final Reference BINARY = (z, y, w, m, n) -> {
        double total = 0;
        for (int r = 0; r < m; r++) {
            double x = z[r];
            total += w[r] * (Math.max(x, 0) - x * y[r] + Math.log1p(Math.exp(-Math.abs(x))));
        }
        return total / m;
    };

    @Test
    void valueAndGradientAgreeWithFiniteDifferencesOfTheWeightedLoss() {
        SplittableRandom rnd = new SplittableRandom(21);
        int m = 7, n = 5;
        float[] weights = new float[m];
        for (int r = 0; r < m; r++) weights[r] = (float) rnd.nextDouble(0, 3);
        weights[2] = 0f;
        float[] logits = new float[m * n], labels = new float[m], oneHot = new float[m * n];
        float[] column = new float[m], bits = new float[m];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) rnd.nextDouble(-4, 4);
        for (int r = 0; r < m; r++) {
            labels[r] = rnd.nextInt(n);
            oneHot[r * n + (int) labels[r]] = 1f;
            column[r] = logits[r * n];
            bits[r] = rnd.nextInt(2);
        }
        for (String backend : new String[] {"loop", "simd"}) {
            try (Kernels k = Kernels.create(backend, 1)) {
                check(k, Loss.sparseCategoricalCrossEntropy(), SPARSE, logits, labels, weights, m, n);
                check(k, Loss.categoricalCrossEntropy(), CATEGORICAL, logits, oneHot, weights, m, n);
                check(k, Loss.binaryCrossEntropy(), BINARY, column, bits, weights, m, 1);
            }
        }
    }

    private static void check(Kernels k, Loss loss, Reference ref, float[] logits, float[] targets, float[] weights,
                              int m, int n) {
        String what = loss + " on " + k.name();
        try (Matrix z = Matrix.of(m, n, logits); Matrix y = Matrix.of(m, targets.length / m, targets);
             Matrix w = Matrix.of(m, 1, weights); Matrix d = Matrix.allocate(m, n)) {
            float value = loss.computeWeighted(k, z, y, w, d);
            double[] zd = new double[logits.length];
            for (int i = 0; i < zd.length; i++) zd[i] = logits[i];
            double expected = ref.loss(zd, targets, weights, m, n);
            assertEquals(expected, value, 2e-6 * Math.abs(expected), what + " loss");
            float[] gradient = d.toArray();
            double h = 1e-5;
            for (int i = 0; i < zd.length; i++) {
                double keep = zd[i];
                zd[i] = keep + h;
                double up = ref.loss(zd, targets, weights, m, n);
                zd[i] = keep - h;
                double down = ref.loss(zd, targets, weights, m, n);
                zd[i] = keep;
                assertEquals((up - down) / (2 * h), gradient[i], 1e-6, what + " gradient element " + i);
            }
            // The row of weight 0 contributes nothing: no loss, no gradient.
            for (int c = 0; c < n; c++) assertEquals(0f, gradient[2 * n + c], 0f, what + " weight-0 row"); // ±0
        }
    }

    private static Sequential model(int inputs, int outputs, Activation output) {
        return Sequential.builder(inputs).seed(3)
                .add(new Dense(8, Activation.tanh())).add(new Dense(outputs, output)).build();
    }

    /**
     * One epoch of one full batch: the reported loss and accuracy come from the weights before the
     * step, so they can be recomputed from predictions made before fit; val_loss from those after.
     */
    @Test
    void trainingLossIsWeightedValidationLossAndMetricsAreNot() {
        Matrix[] d = TestData.blobs(60, 5);
        Matrix x = d[0].rowRange(0, 48), y = d[1].rowRange(0, 48), vx = d[0].rowRange(48, 60), vy = d[1].rowRange(48, 60);
        float[] w = {0.5f, 1f, 4f};
        try (Sequential model = model(2, 3, Activation.softmax());
             Trainer t = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), new Sgd(0.5f), Metric.accuracy())) {
            double[] before = crossEntropies(model, x, y, w);
            History h = t.fit(x, y, FitOptions.builder().epochs(1).batchSize(48).shuffle(false).verbose(false)
                    .validationData(vx, vy).classWeights(w).build());
            double[] after = crossEntropies(model, vx, vy, w);
            assertEquals(before[0], h.last("loss"), 1e-5 * before[0], "training loss: weighted");
            assertEquals(before[2], h.last("accuracy"), 1e-12, "training accuracy: not weighted");
            assertEquals(after[1], h.last("val_loss"), 1e-5 * after[1], "val_loss: not weighted");
            assertTrue(Math.abs(after[0] - after[1]) > 0.05 * after[1], "the weights matter on these rows: " + after[0]
                    + " weighted vs " + after[1]);
            assertTrue(Math.abs(before[0] - before[1]) > 0.05 * before[1]);
        } finally {
            TestData.close(d);
        }
    }

    /** {weighted mean cross-entropy, unweighted mean, accuracy} of the model's predictions. */
    private static double[] crossEntropies(Sequential model, Matrix x, Matrix labels, float[] w) {
        try (Matrix p = model.predict(x)) {
            double weighted = 0, plain = 0, right = 0;
            for (int r = 0; r < x.rows(); r++) {
                int label = (int) labels.get(r, 0), best = 0;
                for (int c = 1; c < p.cols(); c++) if (p.get(r, c) > p.get(r, best)) best = c;
                double loss = -Math.log(p.get(r, label));
                weighted += w[label] * loss;
                plain += loss;
                right += best == label ? 1 : 0;
            }
            return new double[] {weighted / x.rows(), plain / x.rows(), right / x.rows()};
        }
    }

    @Test
    void binaryTrainingLossIsWeightedToo() {
        Matrix[] d = TestData.separable(40, 8);
        Matrix x = d[0].rowRange(0, 32), y = d[1].rowRange(0, 32), vx = d[0].rowRange(32, 40), vy = d[1].rowRange(32, 40);
        try (Sequential model = model(2, 1, Activation.sigmoid());
             Trainer t = new Trainer(model, Loss.binaryCrossEntropy(), new Sgd(0.5f))) {
            double[] before = binaryCrossEntropies(model, x, y, 1f, 3f);
            History h = t.fit(x, y, FitOptions.builder().epochs(1).batchSize(32).shuffle(false).verbose(false)
                    .validationData(vx, vy).classWeights(1f, 3f).build());
            double[] after = binaryCrossEntropies(model, vx, vy, 1f, 3f);
            assertEquals(before[0], h.last("loss"), 1e-5 * before[0]);
            assertEquals(after[1], h.last("val_loss"), 1e-5 * after[1]);
            assertTrue(Math.abs(after[0] - after[1]) > 0.05 * after[1]);
        } finally {
            TestData.close(d);
        }
    }

    private static double[] binaryCrossEntropies(Sequential model, Matrix x, Matrix bits, float w0, float w1) {
        try (Matrix p = model.predict(x)) {
            double weighted = 0, plain = 0;
            for (int r = 0; r < x.rows(); r++) {
                boolean one = bits.get(r, 0) == 1f;
                double loss = -Math.log(one ? p.get(r, 0) : 1 - (double) p.get(r, 0));
                weighted += (one ? w1 : w0) * loss;
                plain += loss;
            }
            return new double[] {weighted / x.rows(), plain / x.rows()};
        }
    }

    @Test
    void weightsOfOneTrainBitForBitAsNoWeights() {
        Matrix[] d = TestData.blobs(100, 9);
        try (Sequential a = model(2, 3, Activation.softmax()); Sequential b = model(2, 3, Activation.softmax());
             Trainer ta = new Trainer(a, Loss.sparseCategoricalCrossEntropy(), new Sgd(0.2f), Metric.accuracy());
             Trainer tb = new Trainer(b, Loss.sparseCategoricalCrossEntropy(), new Sgd(0.2f), Metric.accuracy())) {
            FitOptions.Builder options = FitOptions.builder().epochs(4).batchSize(16).seed(2).verbose(false).validationSplit(0.2);
            History plain = ta.fit(d[0], d[1], options.build());
            History ones = tb.fit(d[0], d[1], options.classWeights(1f, 1f, 1f).build());
            assertEquals(plain.get("loss"), ones.get("loss"));
            assertEquals(plain.get("val_loss"), ones.get("val_loss"));
            for (int i = 0; i < a.parameters().size(); i++) {
                Parameter pa = a.parameters().get(i), pb = b.parameters().get(i);
                assertArrayEquals(pa.value().toArray(), pb.value().toArray(), 0f, pa.name());
            }
        } finally {
            TestData.close(d);
        }
    }

    @Test
    void regressionAndMismatchedWeightsAreRefusedByFit() {
        Matrix[] d = TestData.regression(20, 4);
        try (Sequential model = Sequential.builder(4).add(new Dense(1, Activation.linear())).build();
             Trainer t = new Trainer(model, Loss.meanSquaredError(), new Sgd(0.1f))) {
            String message = assertThrows(IllegalArgumentException.class, () -> t.fit(d[0], d[1],
                    FitOptions.builder().verbose(false).classWeights(1f, 2f).build())).getMessage();
            assertTrue(message.contains("mean_squared_error is a regression loss"), message);
        } finally {
            TestData.close(d);
        }
        Matrix[] b = TestData.blobs(30, 4);
        try (Sequential model = model(2, 3, Activation.softmax());
             Trainer t = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), new Sgd(0.1f))) {
            String message = assertThrows(IllegalArgumentException.class, () -> t.fit(b[0], b[1],
                    FitOptions.builder().verbose(false).classWeights(1f, 2f).build())).getMessage();
            assertTrue(message.contains("2 class weights given for 3 classes"), message);
        } finally {
            TestData.close(b);
        }
    }
}
