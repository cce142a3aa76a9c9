package dev.lanes.kernel;

import static dev.lanes.kernel.FusedFixtures.blank;
import static dev.lanes.kernel.FusedFixtures.random;
import static dev.lanes.kernel.FusedKernelsTest.targets;

import dev.lanes.kernel.FusedFixtures.Shape;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

/**
 * Child-JVM side of {@code WeightedLossKernelsTest.simdKernelsAllocateNothingOnceCompiled}: warms
 * the weighted simd kernels up, then prints "allocation-free round" after the first round of calls
 * that allocated nothing, or the bytes of every round per kernel and exits 1. One clean round
 * suffices: an allocating kernel allocates on every call, while other rounds may carry a few bytes
 * of JIT deoptimization.
 */
final class WeightedLossAllocation {
    private WeightedLossAllocation() {}

    public static void main(String[] args) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        SplittableRandom rnd = new SplittableRandom(13);
        try (Kernels simd = Kernels.create("simd", 1); Arena a = Arena.ofConfined()) {
            Shape narrow = new Shape(128, 10, 10), wide = new Shape(64, 65, 65), column = new Shape(128, 1, 1);
            Matrix zn = random(a, narrow, rnd, -5, 5), yn = targets(a, narrow, rnd, false), dn = blank(a, narrow);
            Matrix zw = random(a, wide, rnd, -5, 5), yw = targets(a, wide, rnd, false), dw = blank(a, wide);
            Matrix zc = random(a, column, rnd, -5, 5), yc = targets(a, column, rnd, false), dc = blank(a, column);
            Matrix ln = WeightedLossKernelsTest.labels(a, narrow, rnd), lw = WeightedLossKernelsTest.labels(a, wide, rnd);
            Matrix w128 = WeightedLossKernelsTest.weights(a, narrow, rnd, 0);
            Matrix w64 = WeightedLossKernelsTest.weights(a, wide, rnd, 0);
            Runnable[] calls = {
                () -> simd.weightedSoftmaxCrossEntropy(zn, yn, w128, dn),
                () -> simd.weightedSoftmaxCrossEntropy(zw, yw, w64, dw),
                () -> simd.weightedSparseSoftmaxCrossEntropy(zn, ln, w128, dn),
                () -> simd.weightedSparseSoftmaxCrossEntropy(zw, lw, w64, dw),
                () -> simd.weightedSigmoidBinaryCrossEntropy(zc, yc, w128, dc),
            };
            String[] names = {"softmax 128x10", "softmax 64x65", "sparse 128x10", "sparse 64x65", "bce 128x1"};
            for (int i = 0; i < 20_000; i++) {
                for (Runnable call : calls) call.run();
            }
            StringBuilder rounds = new StringBuilder();
            long[] bytes = new long[calls.length];
            for (int round = 0; round < 10; round++) {
                long sum = 0;
                for (int c = 0; c < calls.length; c++) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 1_000; i++) calls[c].run();
                    bytes[c] = threads.getCurrentThreadAllocatedBytes() - before;
                    sum += bytes[c];
                }
                if (sum == 0) {
                    System.out.println("allocation-free round " + round);
                    return;
                }
                for (int c = 0; c < calls.length; c++) rounds.append(names[c]).append(' ').append(bytes[c]).append(", ");
                rounds.append('\n');
            }
            System.out.println("every round of 1,000 calls per kernel allocated (bytes):\n" + rounds);
            System.exit(1);
        }
    }
}
