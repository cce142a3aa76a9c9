package dev.lanes.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.lanes.tensor.Matrix;
import dev.lanes.train.FitOptions;
import dev.lanes.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A trained model serves predictions from many threads at once, with the single-threaded results. */
class ConcurrentPredictTest {
    private static final int THREADS = 8;
    private static final int CALLS_PER_THREAD = 10_000;
    private static final int INPUTS = 64;
    private static final int WIDTH = 12;

    @Test
    @Timeout(60)
    void eightThreadsPredictExactlyWhatOneThreadPredicts() throws Exception {
        // The scalar backend: its rounding does not depend on the JIT tier. The Vector API backend
        // can differ by 1 ulp between its interpreted fallback and its compiled intrinsics, which once
        // showed up here mid-run as a difference unrelated to threads.
        try (Kernels kernels = Kernels.create("loop", 2);
             Matrix x = randomInputs(INPUTS, WIDTH, 7);
             Matrix y = labels(INPUTS, 3);
             Sequential model = Sequential.builder(WIDTH).kernels(kernels).seed(3)
                     .add(new Dense(32, Activation.relu()))
                     .add(new BatchNorm())
                     .add(new ActivationLayer(Activation.tanh()))
                     .add(new Dropout(0.3f))
                     .add(new Dense(3, Activation.softmax()))
                     .build();
             Trainer trainer = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), new Adam(0.01f))) {
            // Training leaves the output layer emitting logits and the batch-norm statistics non-trivial.
            trainer.fit(x, y, FitOptions.quiet(3, 16));

            // Reference: single-threaded, one call per (first row, batch size) pair.
            int[] batchSizes = {1, 2, 3, 5};
            float[][][] expected = new float[batchSizes.length][INPUTS][];
            predictAll(model, x, batchSizes, expected);

            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = 100 + t;
                results.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    Matrix[] outs = new Matrix[batchSizes.length];
                    for (int b = 0; b < outs.length; b++) outs[b] = Matrix.allocate(batchSizes[b], 3);
                    try {
                        start.await();
                        int checked = 0;
                        for (int call = 0; call < CALLS_PER_THREAD; call++) {
                            int b = random.nextInt(batchSizes.length);
                            int r = random.nextInt(INPUTS - batchSizes[b] + 1);
                            Matrix in = x.rowRange(r, r + batchSizes[b]);
                            float[] got;
                            if (call % 100 == 0) {
                                try (Matrix p = model.predict(in)) { got = p.toArray(); }
                            } else {
                                model.predict(in, outs[b]);
                                got = outs[b].toArray();
                            }
                            assertBitwiseEqual(expected[b][r], got, "thread seed " + seed + ", call " + call);
                            checked++;
                        }
                        return checked;
                    } finally {
                        for (Matrix o : outs) o.close();
                    }
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : results) total += f.get(50, TimeUnit.SECONDS);
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(THREADS * CALLS_PER_THREAD, total);
        }
    }

    @Test
    void largeBatchesArePredictedInChunksWithTheSameResultAsRowByRow() {
        try (Matrix x = randomInputs(1100, WIDTH, 9);
             Sequential model = Sequential.builder(WIDTH).seed(5)
                     .add(new Dense(16, Activation.relu())).add(new Dense(4, Activation.sigmoid())).build();
             Matrix all = model.predict(x)) {
            for (int r = 0; r < x.rows(); r += 97) {
                try (Matrix one = model.predict(x.rowRange(r, r + 1))) {
                    assertBitwiseEqual(all.rowRange(r, r + 1).toArray(), one.toArray(), "row " + r);
                }
            }
        }
    }

    @Test
    void predictionsAfterCloseAreRefusedAndCloseIsIdempotent() {
        Sequential model = Sequential.builder(WIDTH).add(new Dense(2)).build();
        try (Matrix x = randomInputs(3, WIDTH, 1)) {
            model.predict(x).close();
            model.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.predict(x));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            model.close(); // idempotent
        }
    }

    private static void predictAll(Sequential model, Matrix x, int[] batchSizes, float[][][] into) {
        for (int b = 0; b < batchSizes.length; b++) {
            for (int r = 0; r + batchSizes[b] <= x.rows(); r++) {
                try (Matrix p = model.predict(x.rowRange(r, r + batchSizes[b]))) {
                    into[b][r] = p.toArray();
                }
            }
        }
    }

    @Test
    @Timeout(30)
    void closingWhilePredictionsRunNeverFreesMemoryInUse() throws Exception {
        try (Matrix x = randomInputs(200, WIDTH, 11)) {
            for (int round = 0; round < 20; round++) {
                Sequential model = Sequential.builder(WIDTH).seed(round)
                        .add(new Dense(64, Activation.relu())).add(new Dense(3, Activation.softmax())).build();
                ExecutorService pool = Executors.newFixedThreadPool(4);
                CountDownLatch running = new CountDownLatch(4);
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    results.add(pool.submit(() -> {
                        running.countDown();
                        int done = 0;
                        try (Matrix out = Matrix.allocate(x.rows(), 3)) {
                            while (true) {
                                model.predict(x, out);
                                done++;
                            }
                        } catch (IllegalStateException e) {
                            // The only acceptable failure: refused because closed, not memory freed under the call.
                            if (!e.getMessage().startsWith("this model was closed")) throw e;
                        }
                        return done;
                    }));
                }
                running.await();
                model.close();
                for (Future<Integer> f : results) f.get(10, TimeUnit.SECONDS);
                pool.shutdown();
            }
        }
    }

    static void assertBitwiseEqual(float[] expected, float[] actual, String where) {
        assertEquals(expected.length, actual.length, where);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(where + ": element " + i + " is " + actual[i] + ", single-threaded gave "
                        + expected[i]);
            }
        }
    }

    static Matrix randomInputs(int rows, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) random.nextGaussian();
        return Matrix.of(rows, cols, v);
    }

    static Matrix labels(int rows, int classes) {
        float[] v = new float[rows];
        for (int i = 0; i < rows; i++) v[i] = i % classes;
        return Matrix.of(rows, 1, v);
    }
}
