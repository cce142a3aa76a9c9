package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.optim.Adam;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.Trainer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Predicting from {@code float[]} inputs, as an application holding its data in arrays does. */
class ArrayPredictTest {
    private static float[][] inputs(int rows, int cols, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] x = new float[rows][cols];
        for (float[] row : x) for (int c = 0; c < cols; c++) row[c] = (float) (rnd.nextDouble() * 4 - 2);
        return x;
    }

    /** Each array's prediction is bitwise its row of the batch's, with the softmax applied by predict or fused into a loss. */
    @Test
    void anArrayPredictsItsRowOfTheBatch() {
        for (boolean compiled : new boolean[] {false, true}) {
            for (String backend : new String[] {"loop", "simd"}) {
                try (Kernels k = Kernels.create(backend, 1);
                     Sequential model = Sequential.builder(7).kernels(k).seed(5).add(new Dense(33, Activation.relu()))
                             .add(new Dense(4, Activation.softmax())).build();
                     Trainer trainer = compiled ? new Trainer(model, Loss.sparseCategoricalCrossEntropy(), new Adam(1e-3f)) : null;
                     Matrix x = Matrix.ofRows(inputs(9, 7, 1))) {
                    assertEquals(compiled, model.outputIsLogits());
                    float[][] batch;
                    int[] classes = model.predictClasses(x);
                    try (Matrix p = model.predict(x)) {
                        batch = p.toRows();
                    }
                    float[][] rows = x.toRows();
                    float[] out = new float[4];
                    for (int r = 0; r < rows.length; r++) {
                        model.predict(rows[r], out);
                        assertArrayEquals(batch[r], out, backend + " row " + r);
                        assertArrayEquals(batch[r], model.predict(rows[r]), backend + " row " + r);
                        assertEquals(classes[r], model.predictClass(rows[r]), backend + " row " + r);
                    }
                }
            }
        }
    }

    @Test
    void aBinaryModelsClassIsItsProbabilityAboveOneHalf() {
        try (Kernels k = Kernels.create("loop", 1);
             Sequential model = Sequential.builder(3).kernels(k).seed(2).add(new Dense(1, Activation.sigmoid())).build();
             Matrix x = Matrix.ofRows(inputs(20, 3, 3))) {
            int[] classes = model.predictClasses(x);
            float[][] rows = x.toRows();
            for (int r = 0; r < rows.length; r++) assertEquals(classes[r], model.predictClass(rows[r]), "row " + r);
        }
    }

    @Test
    void arraysOfTheWrongLengthNameBothLengths() {
        try (Sequential model = Sequential.builder(5).add(new Dense(3, Activation.softmax())).build()) {
            IllegalArgumentException in = assertThrows(IllegalArgumentException.class, () -> model.predict(new float[4]));
            assertTrue(in.getMessage().contains("expects 5 inputs, got an array of 4"), in.getMessage());
            IllegalArgumentException out = assertThrows(IllegalArgumentException.class,
                    () -> model.predict(new float[5], new float[2]));
            assertTrue(out.getMessage().contains("has 3 outputs, got an array of 2"), out.getMessage());
        }
    }

    @Test
    void matricesFromAndToRows() {
        float[][] rows = inputs(3, 5, 7);
        try (Matrix m = Matrix.ofRows(rows)) {
            assertEquals("3x5", m.shape());
            assertArrayEquals(rows, m.toRows());
            float[] flat = new float[15];
            m.copyTo(flat);
            for (int r = 0; r < 3; r++) for (int c = 0; c < 5; c++) assertEquals(rows[r][c], flat[r * 5 + c]);
            assertThrows(IllegalArgumentException.class, () -> m.copyTo(new float[14]));
            try (Matrix view = m.view(1, 1, 2, 3)) {
                assertArrayEquals(new float[][] {{rows[1][1], rows[1][2], rows[1][3]}, {rows[2][1], rows[2][2], rows[2][3]}},
                        view.toRows());
            }
        }
        IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class,
                () -> Matrix.ofRows(new float[][] {{1, 2}, {3}}));
        assertTrue(ragged.getMessage().contains("row 1 has 1 values, row 0 has 2"), ragged.getMessage());
    }
}
