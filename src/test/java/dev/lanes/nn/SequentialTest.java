package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.KernelProvider;
import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SequentialTest {
    private static Kernels kernels;

    @BeforeAll
    static void open() { kernels = Kernels.create("loop", 1); }

    @AfterAll
    static void close() { kernels.close(); }

    @Test
    void summaryCountsParametersLikeKeras() {
        try (Sequential model = Sequential.builder(11).kernels(kernels)
                .add(new Dense(3, Activation.relu()))
                .add(new BatchNorm())
                .add(new Dropout(0.5f))
                .add(new Dense(2, Activation.softmax(), Initializer.glorotUniform(), false))
                .build()) {
            assertEquals(36, model.layer(0).parameterCount(true));
            assertEquals(6, model.layer(1).parameterCount(true));
            assertEquals(6, model.layer(1).parameterCount(false));
            assertEquals(6, model.layer(3).parameterCount(true));
            assertEquals(36 + 6 + 6, model.trainableParameterCount());
            assertEquals(6, model.nonTrainableParameterCount());
            String s = model.summary();
            assertTrue(s.contains("dense (Dense)"), s);
            assertTrue(s.contains("batch_normalization (BatchNormalization)  (None, 3)"), "columns stay apart: " + s);
            assertTrue(s.contains("dense_1 (Dense)"), s);
            assertTrue(s.contains("(None, 3)"), s);
            assertTrue(s.contains("Total params: 54 (216.00 B)"), s);
            assertTrue(s.contains("Trainable params: 48 (192.00 B)"), s);
            assertTrue(s.contains("Non-trainable params: 6 (24.00 B)"), s);
        }
    }

    /**
     * Loop backend (gemm then maxAbs) and simd at 1 and 2 threads (max folded into the GEMM's stores;
     * shapes large enough to split across the team): the value each Dense leaves on its kernel
     * parameter is its gradient's max |g|, read once.
     */
    @Test
    void aDenseBackwardReportsItsKernelGradientsMaxAbsOnce() {
        String[][] backends = KernelProvider.simdUnavailableReason() == null
                ? new String[][] {{"loop", "1"}, {"simd", "1"}, {"simd", "2"}} : new String[][] {{"loop", "1"}};
        for (String[] backend : backends) {
            int batch = 64, features = 300;
            try (Kernels k = Kernels.create(backend[0], Integer.parseInt(backend[1]));
                 Sequential model = Sequential.builder(features).kernels(k).seed(4)
                         .add(new Dense(128, Activation.tanh()))
                         .add(new BatchNorm())
                         .add(new Dense(37, Activation.linear()))
                         .build();
                 Matrix x = Matrix.allocate(batch, features);
                 Matrix dOut = Matrix.allocate(batch, 37)) {
                for (int r = 0; r < batch; r++) {
                    for (int c = 0; c < features; c++) x.set(r, c, (float) Math.sin(0.37 * r + 1.3 * c));
                    for (int c = 0; c < 37; c++) dOut.set(r, c, (float) Math.cos(0.11 * r * c + r));
                }
                String at = backend[0] + " " + backend[1] + "T ";
                for (Parameter p : model.parameters()) assertEquals(-1f, p.takeGradientMaxAbs(), at + p.name());
                model.forward(x, true, 0);
                model.backward(dOut);
                for (Parameter p : model.parameters()) {
                    if (!p.trainable()) continue;
                    float measured = p.takeGradientMaxAbs();
                    if (p.name().endsWith("/kernel")) {
                        assertEquals(k.maxAbs(p.gradient()), measured, at + p.name());
                        assertTrue(measured > 0f, at + p.name());
                    } else {
                        assertEquals(-1f, measured, at + p.name() + ": measured only where the backward pass folds it in");
                    }
                    assertEquals(-1f, p.takeGradientMaxAbs(), at + p.name() + ", read twice");
                }
            }
        }
    }

    @Test
    void forwardMatchesAHandComputationFromSetWeights() {
        try (Sequential model = Sequential.builder(2).kernels(kernels)
                .add(new Dense(3, Activation.relu()))
                .add(new Dense(1, Activation.sigmoid()))
                .build();
             Matrix x = Matrix.of(2, 2, 1f, 2f, -1f, 0.5f)) {
            // Kernel rows are inputs: W[i][j] connects input i to unit j.
            float[] w1 = {0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f};
            float[] b1 = {0.01f, 0.02f, 0.03f};
            float[] w2 = {1f, -1f, 0.5f};
            float[] b2 = {0.1f};
            model.setWeights(List.of(w1, b1, w2, b2));
            try (Matrix p = model.predict(x)) {
                for (int r = 0; r < 2; r++) {
                    double z2 = b2[0];
                    for (int j = 0; j < 3; j++) {
                        double z = b1[j] + x.get(r, 0) * w1[j] + x.get(r, 1) * w1[3 + j];
                        z2 += Math.max(0, z) * w2[j];
                    }
                    assertEquals(1 / (1 + Math.exp(-z2)), p.get(r, 0), 1e-6);
                }
            }
            assertArrayEquals(w1, model.layer(0).getWeights()[0]);
            assertArrayEquals(b2, model.getWeights().get(3));
        }
    }

    @Test
    void predictAppliesTheFusedOutputActivation() {
        try (Sequential model = Sequential.builder(3).kernels(kernels).seed(1)
                .add(new Dense(4, Activation.softmax())).build();
             Matrix x = Matrix.of(2, 3, 1f, 2f, 3f, -1f, 0f, 1f)) {
            float[] before = predictArray(model, x);
            model.attachLoss(Loss.categoricalCrossEntropy());
            assertTrue(model.outputIsLogits());
            float[] after = predictArray(model, x);
            assertArrayEquals(before, after);
            double rowSum = 0;
            for (int j = 0; j < 4; j++) rowSum += after[j];
            assertEquals(1.0, rowSum, 1e-6);
            int[] classes = model.predictClasses(x);
            for (int r = 0; r < 2; r++) {
                int best = 0;
                for (int j = 1; j < 4; j++) if (after[r * 4 + j] > after[r * 4 + best]) best = j;
                assertEquals(best, classes[r]);
            }
        }
    }

    private static float[] predictArray(Sequential model, Matrix x) {
        try (Matrix p = model.predict(x)) {
            return p.toArray();
        }
    }

    @Test
    void predictClassesThresholdsASingleSigmoidUnit() {
        try (Sequential model = Sequential.builder(1).kernels(kernels)
                .add(new Dense(1, Activation.sigmoid())).build();
             Matrix x = Matrix.of(4, 1, -2f, 0.5f, 3f, 0f)) {
            model.setWeights(List.of(new float[] {1f}, new float[] {0f}));
            // sigmoid(0) is exactly 0.5: class 0, as Keras's binary accuracy (p > 0.5) and Lanes' own count it.
            assertArrayEquals(new int[] {0, 1, 1, 0}, model.predictClasses(x));
        }
    }

    @Test
    void predictWorksInChunksLargerThanTheWorkspace() {
        try (Sequential model = Sequential.builder(2).kernels(kernels).add(new Dense(2)).build();
             Matrix x = Matrix.allocate(1300, 2)) {
            model.setWeights(List.of(new float[] {1f, 0f, 0f, 1f}, new float[] {0f, 0f}));
            for (int r = 0; r < x.rows(); r++) {
                x.set(r, 0, r);
                x.set(r, 1, -r);
            }
            try (Matrix p = model.predict(x)) {
                assertArrayEquals(x.toArray(), p.toArray());
            }
        }
    }

    @Test
    void sameSeedSameWeightsDifferentSeedDifferentWeights() {
        try (Sequential a = build(7); Sequential b = build(7); Sequential c = build(8)) {
            assertArrayEquals(a.getWeights().get(0), b.getWeights().get(0));
            assertTrue(!java.util.Arrays.equals(a.getWeights().get(0), c.getWeights().get(0)));
            assertArrayEquals(new float[4], a.getWeights().get(1), "Keras default: zero biases");
        }
    }

    private static Sequential build(long seed) {
        return Sequential.builder(5).kernels(kernels).seed(seed).add(new Dense(4)).build();
    }

    @Test
    void clearErrorsForShapeAndConfigurationMistakes() {
        try (Sequential model = Sequential.builder(4).kernels(kernels).add(new Dense(2)).build();
             Matrix wrong = Matrix.allocate(3, 5)) {
            var e = assertThrows(IllegalArgumentException.class, () -> model.predict(wrong));
            assertTrue(e.getMessage().contains("expects 4 input columns"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.setWeights(List.of(new float[3], new float[2])));
            assertTrue(e.getMessage().contains("dense/kernel has shape 4x2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.setWeights(List.of(new float[8])));
            assertTrue(e.getMessage().contains("2 weight arrays"), e.getMessage());
        }
        Dense shared = new Dense(2);
        try (Sequential first = Sequential.builder(3).kernels(kernels).add(shared).build()) {
            assertEquals("dense", first.layer(0).name());
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Sequential.builder(3).kernels(kernels).add(shared).build());
            assertTrue(e.getMessage().contains("already belongs to another model"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new Dense(0));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1f));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm(1.5f, 1e-3f));
        assertThrows(IllegalArgumentException.class, () -> Activation.parse("swish"));
        assertThrows(IllegalArgumentException.class, () -> Sequential.builder(3).kernels(kernels).build());
    }
}
