package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.BatchNorm;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Regularizer;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.tensor.Matrix;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Once the first steps have sized the workspaces, the layers, the optimizer and the training loop
 * allocate nothing on the heap per step. Measured with the per-thread allocation counter on one
 * kernel thread (so all work runs on the caller), minus what the kernels themselves allocate
 * (counted by {@link MeteredKernels}; the kernels' own tests answer for that part). This counts
 * bytes, not time, so it is not a benchmark.
 *
 * <p>Runs on the simd backend, the one training uses.
 */
class SteadyStateAllocationTest {
    /**
     * A step that allocates does so every time, so one clean round proves the compiled steady state
     * allocation-free; other rounds may carry a few bytes of JIT deoptimization (objects C2 had
     * scalar-replaced are re-materialized on the heap when a compiled frame is abandoned).
     */
    private static final int ROUNDS = 10;
    private static final int EPOCHS = 8;

    private static Sequential model(Kernels kernels) {
        return Sequential.builder(2).kernels(kernels).seed(1)
                .add(new Dense(16, Activation.tanh()).regularizer(Regularizer.l1l2(1e-4f, 1e-3f)))
                // Dense after Dense: the second applies the first's derivative in its input-gradient product.
                .add(new Dense(12, Activation.relu()))
                .add(new Dropout(0.2f)).add(new BatchNorm())
                .add(new Dense(3, Activation.softmax())).build();
    }

    @Test
    void trainBatchAllocatesNothingOutsideTheKernels() {
        String backend = "simd";
        Matrix[] d = TestData.blobs(96, 4);
        try (MeteredKernels kernels = new MeteredKernels(Kernels.create(backend, 1));
             Sequential model = model(kernels);
             Matrix oneHot = TestData.oneHot(d[1], 3);
             Trainer t = new Trainer(model, Loss.categoricalCrossEntropy(), new Adam(0.01f).clipNorm(1f).clipValue(5f),
                     Metric.accuracy(), Metric.meanSquaredError())) {
            Matrix x = d[0].rowRange(0, 32), y = oneHot.rowRange(0, 32);
            for (int i = 0; i < 2_000; i++) t.trainBatch(x, y);
            StringBuilder rounds = new StringBuilder();
            for (int round = 0; round < ROUNDS; round++) {
                long before = MeteredKernels.THREADS.getCurrentThreadAllocatedBytes(), kernelsBefore = kernels.bytesInsideKernels();
                for (int i = 0; i < 200; i++) t.trainBatch(x, y);
                long total = MeteredKernels.THREADS.getCurrentThreadAllocatedBytes() - before;
                long outside = total - (kernels.bytesInsideKernels() - kernelsBefore);
                if (outside == 0) return;
                rounds.append(outside).append(' ');
            }
            fail("every round of 200 steps allocated outside the kernels (bytes per round: " + rounds + ")");
        } finally {
            TestData.close(d);
        }
    }

    /** Inside fit: shuffled batches gathered into the preallocated buffer, a shorter last batch, callbacks. */
    @Test
    void fitStepsAllocateNothingOutsideTheKernels() {
        assertFitStepsAllocateNothing(FitOptions.builder());
    }

    /** With class weights each batch also gathers its rows' weights, into a buffer of its own, and runs the weighted loss. */
    @Test
    void classWeightedFitStepsAllocateNothingOutsideTheKernels() {
        assertFitStepsAllocateNothing(FitOptions.builder().classWeights(0.5f, 2f, 1.25f));
    }

    private static void assertFitStepsAllocateNothing(FitOptions.Builder options) {
        String backend = "simd";
        Matrix[] d = TestData.blobs(1000, 4);
        long[] outside = new long[EPOCHS];
        long[] start = new long[2];
        int[] measuredEpochs = new int[1];
        try (MeteredKernels kernels = new MeteredKernels(Kernels.create(backend, 1));
             Sequential model = model(kernels);
             Trainer t = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), new Adam(0.01f), Metric.accuracy())) {
            Callback meter = new Callback() {
                @Override
                public void onBatchEnd(int epoch, int batch, int batches, float loss) {
                    if (epoch < 1) return;
                    // From the end of the first batch to the end of the last (shorter) one of each later epoch.
                    if (batch == 0) {
                        start[0] = MeteredKernels.THREADS.getCurrentThreadAllocatedBytes();
                        start[1] = kernels.bytesInsideKernels();
                    }
                    if (batch == batches - 1) {
                        long total = MeteredKernels.THREADS.getCurrentThreadAllocatedBytes() - start[0];
                        outside[measuredEpochs[0]] = total - (kernels.bytesInsideKernels() - start[1]);
                        measuredEpochs[0]++;
                    }
                }
            };
            // Warm up so that what is measured is compiled code.
            for (int i = 0; i < 2_000; i++) t.trainBatch(d[0].rowRange(0, 48), d[1].rowRange(0, 48));
            t.fit(d[0], d[1], options.epochs(EPOCHS + 1).batchSize(48).seed(3).verbose(false).callbacks(meter).build());
            assertEquals(EPOCHS, measuredEpochs[0]);
            assertEquals(0, Arrays.stream(outside).min().orElseThrow(),
                    "bytes allocated outside the kernels by each epoch's steps: " + Arrays.toString(outside));
        } finally {
            TestData.close(d);
        }
    }

    /**
     * A prediction, as an application serving one request at a time makes it: one row, a batch, and
     * one input from a {@code float[]} into the caller's array.
     * The pool of inference workspaces once allocated a deque node per call (24 B).
     */
    @Test
    void predictAllocatesNothingOutsideTheKernels() {
        Matrix[] d = TestData.blobs(96, 4);
        try (MeteredKernels kernels = new MeteredKernels(Kernels.create("simd", 1));
             Sequential model = model(kernels);
             Matrix one = Matrix.allocate(1, 3); Matrix batch = Matrix.allocate(32, 3)) {
            Matrix x1 = d[0].rowRange(0, 1), x32 = d[0].rowRange(0, 32);
            float[] input = d[0].rowRange(1, 2).toArray(), output = new float[3];
            for (int i = 0; i < 5_000; i++) {
                model.predict(x1, one);
                model.predict(x32, batch);
                model.predict(input, output);
            }
            StringBuilder rounds = new StringBuilder();
            for (int round = 0; round < ROUNDS; round++) {
                long before = MeteredKernels.THREADS.getCurrentThreadAllocatedBytes(), kernelsBefore = kernels.bytesInsideKernels();
                for (int i = 0; i < 200; i++) {
                    model.predict(x1, one);
                    model.predict(x32, batch);
                    model.predict(input, output);
                }
                long total = MeteredKernels.THREADS.getCurrentThreadAllocatedBytes() - before;
                long outside = total - (kernels.bytesInsideKernels() - kernelsBefore);
                if (outside == 0) return;
                rounds.append(outside).append(' ');
            }
            fail("every round of 600 predictions allocated outside the kernels (bytes per round: " + rounds + ")");
        } finally {
            TestData.close(d);
        }
    }
}
