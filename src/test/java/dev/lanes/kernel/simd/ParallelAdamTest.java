package dev.lanes.kernel.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.kernel.KernelProvider;
import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Adam split across the thread team gives bitwise the same parameters and state as one thread and as loop. */
class ParallelAdamTest {
    @Test
    void splitAdamMatchesOneThreadAndLoopBitForBit() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null);
        // Sizes around the split threshold and odd tails (not multiples of the 16 lanes or of 2 slices).
        int[][] shapes = {{784, 256}, {257, 129}, {1, ParallelAdam.MIN_ELEMENTS + 17}, {3, 11}};
        try (Kernels one = Kernels.create("simd", 1); Kernels two = Kernels.create("simd", 2);
             Kernels three = Kernels.create("simd", 3); Kernels loop = Kernels.create("loop", 1)) {
            for (int[] s : shapes) {
                float[][] results = null;
                for (Kernels k : new Kernels[] {one, two, three, loop}) {
                    float[][] r = runSteps(k, s[0], s[1]);
                    if (results == null) {
                        results = r;
                    } else {
                        for (int i = 0; i < r.length; i++) {
                            assertArrayEquals(results[i], r[i], k + " differs for " + s[0] + "x" + s[1] + " buffer " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void confinedArenaBuffersStayOnTheCaller() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null);
        try (Kernels two = Kernels.create("simd", 2); Arena arena = Arena.ofConfined()) {
            Matrix w = Matrix.allocate(arena, 300, 300).fill(1f);
            Matrix g = Matrix.allocate(arena, 300, 300).fill(0.5f);
            Matrix m = Matrix.allocate(arena, 300, 300);
            Matrix v = Matrix.allocate(arena, 300, 300);
            two.adamUpdate(w, g, m, v, 0.1f, 0.9f, 0.999f, 1e-8f, 1, 0f, 0f);
            assertArrayEquals(new float[] {0.9f}, new float[] {w.get(299, 299)}, 1e-6f);
        }
    }

    private static float[][] runSteps(Kernels k, int rows, int cols) {
        try (Matrix w = Matrix.allocate(rows, cols); Matrix g = Matrix.allocate(rows, cols);
             Matrix m = Matrix.allocate(rows, cols); Matrix v = Matrix.allocate(rows, cols)) {
            SplittableRandom rnd = new SplittableRandom(rows * 31L + cols);
            float[] init = new float[rows * cols];
            for (int i = 0; i < init.length; i++) init[i] = (float) rnd.nextGaussian();
            w.copyFrom(init);
            for (int t = 1; t <= 3; t++) {
                float[] grad = new float[rows * cols];
                for (int i = 0; i < grad.length; i++) grad[i] = (float) rnd.nextGaussian() * 0.1f;
                g.copyFrom(grad);
                k.adamUpdate(w, g, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, t, 1e-4f, t == 3 ? 0.01f : 0f);
            }
            return new float[][] {w.toArray(), m.toArray(), v.toArray()};
        }
    }
}
