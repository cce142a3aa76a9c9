package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.lanes.tensor.Matrix;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Once the first steps have sized the workspaces, a training step allocates nothing on the heap.
 * Measured with the per-thread allocation counter on one kernel thread (so all work runs on the
 * caller); this counts bytes, not time, so it is not a benchmark. The simd backend is the one that
 * promises it; the loop oracle's GEMM allocates a capturing lambda per call (about 400 B per step
 * for this model at the time of writing), which the kernel owners know about.
 */
class SteadyStateAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static Sequential model(Kernels kernels) {
        return Sequential.builder(2).kernels(kernels).seed(1)
                .add(new Dense(16, Activation.tanh()).regularizer(Regularizer.l1l2(1e-4f, 1e-3f)))
                .add(new Dropout(0.2f)).add(new BatchNorm())
                .add(new Dense(3, Activation.softmax())).build();
    }

    @Test
    void trainBatchAllocatesNothing() {
        Matrix[] d = TestData.blobs(96, 4);
        try (Kernels kernels = Kernels.create("simd", 1);
             Sequential model = model(kernels);
             Matrix oneHot = TestData.oneHot(d[1], 3);
             Trainer t = new Trainer(model, Loss.categoricalCrossEntropy(), new Adam(0.01f).clipNorm(1f).clipValue(5f),
                     Metric.accuracy(), Metric.meanSquaredError())) {
            Matrix x = d[0].rowRange(0, 32), y = oneHot.rowRange(0, 32);
            for (int i = 0; i < 2_000; i++) t.trainBatch(x, y);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 200; i++) t.trainBatch(x, y);
            long bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertEquals(0, bytes, "bytes allocated by 200 steady-state steps");
        } finally {
            TestData.close(d);
        }
    }

    /** Inside fit: shuffled batches gathered into the preallocated buffer, a shorter last batch, callbacks. */
    @Test
    void fitStepsAllocateNothingWithinAnEpoch() {
        Matrix[] d = TestData.blobs(1000, 4);
        long[] allocated = new long[2];
        int[] measuredEpochs = new int[1];
        Callback meter = new Callback() {
            @Override
            public void onBatchEnd(int epoch, int batch, int batches, float loss) {
                if (epoch < 1) return;
                // Between the end of the first batch and the end of the last one (shorter) of each late epoch.
                if (batch == 0) allocated[0] = THREADS.getCurrentThreadAllocatedBytes();
                if (batch == batches - 1) {
                    allocated[1] += THREADS.getCurrentThreadAllocatedBytes() - allocated[0];
                    measuredEpochs[0]++;
                }
            }
        };
        try (Kernels kernels = Kernels.create("simd", 1);
             Sequential model = model(kernels);
             Trainer t = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), new Adam(0.01f), Metric.accuracy())) {
            // Until C2 has compiled the Vector API code, vectors are boxed: warm up first.
            for (int i = 0; i < 3_000; i++) t.trainBatch(d[0].rowRange(0, 48), d[1].rowRange(0, 48));
            t.fit(d[0], d[1], FitOptions.builder().epochs(5).batchSize(48).seed(3).verbose(false).callbacks(meter).build());
            assertEquals(4, measuredEpochs[0]);
            assertEquals(0, allocated[1], "bytes allocated by the steps of 4 epochs (21 batches each, the last of 40 rows)");
        } finally {
            TestData.close(d);
        }
    }
}
