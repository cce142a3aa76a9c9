package dev.lanes.kernel.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.GemmProblem;
import dev.lanes.kernel.KernelProvider;
import dev.lanes.kernel.Kernels;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Results must be bitwise identical for 1, 2 and 3 threads (K is never split, so every element
 * sees the same FMAs in the same order). Every shape here is above the driver's single-thread
 * threshold, so the team really splits the work; the shapes cover both split directions (rows
 * when M ≥ N, columns otherwise), splits that do not fall on MC/NC boundaries, uneven tile
 * counts (3 threads over a number of tiles not divisible by 3), and row splits whose B blocks the
 * team packs together (several K blocks, both layouts of B).
 */
class GemmDeterminismTest {
    private static final int[] THREADS = {1, 2, 3};

    private static GemmProblem[] problems() {
        return new GemmProblem[] {
            new GemmProblem(256, 256, 256).seed(1),
            new GemmProblem(300, 97, 211).seed(2).trans(true, false).scale(1f, 0.5f)
                    .epilogue(Activation.TANH, 0f, true, true).strided(true, true, true),
            new GemmProblem(61, 517, 130).seed(3).trans(false, true).scale(-0.75f, 1f)
                    .epilogue(Activation.LEAKY_RELU, 0.1f, true, false),
            new GemmProblem(129, 129, 300).seed(4).trans(true, true).epilogue(Activation.RELU, 0f, false, true),
            new GemmProblem(1000, 24, 40).seed(5).epilogue(Activation.SIGMOID, 0f, true, true).strided(false, true, true),
            new GemmProblem(16, 2000, 30).seed(6).trans(false, true).scale(1f, 1f),
            // Rows split with B packed once for the whole team, over several K blocks.
            new GemmProblem(600, 130, 1500).seed(7).scale(0.5f, 1f).epilogue(Activation.RELU, 0f, true, true),
            new GemmProblem(520, 200, 1300).seed(8).trans(true, true).strided(true, true, true),
            // Dense C past the sweep threshold: sigmoid and tanh run after the product, split across the team.
            new GemmProblem(300, 130, 70).seed(9).epilogue(Activation.SIGMOID, 0f, true, true),
            new GemmProblem(257, 200, 33).seed(10).trans(true, false).epilogue(Activation.TANH, 0f, false, false),
            // The three products of a 10-wide output layer at batch 128 (640 steps of the 8×32 tile,
            // split since the threshold is 512): forward and weight gradient on the narrow kernel,
            // input gradient with K = 10 on the wide one.
            new GemmProblem(128, 10, 128).seed(11).epilogue(Activation.IDENTITY, 0f, true, false),
            new GemmProblem(128, 10, 128).seed(12).trans(true, false),
            new GemmProblem(128, 128, 10).seed(13).trans(false, true),
        };
    }

    private static void assertSameBits(Supplier<Kernels> factory1, Supplier<Kernels> factory2,
                                       Supplier<Kernels> factory3, GemmProblem[] problems) {
        Kernels[] kernels = {factory1.get(), factory2.get(), factory3.get()};
        try {
            for (GemmProblem p : problems) {
                // The widest tile (8×32) has the highest threshold.
                assertTrue((long) p.m * p.n * p.k >= GemmDriver.PARALLEL_MIN_TILE_STEPS * 8 * 32, "too small to use threads: " + p);
                GemmProblem.Outcome first = p.run(kernels[0]);
                assertNull(p.checkAgainstReference(first));
                for (int t = 0; t < kernels.length; t++) {
                    // Twice per team, so reused packing buffers are exercised as well.
                    for (int rep = 0; rep < 2; rep++) {
                        GemmProblem.Outcome o = p.run(kernels[t]);
                        String what = kernels[t].name() + " threads=" + THREADS[t] + " vs 1, rep " + rep + ": " + p;
                        assertArrayEquals(bits(first.c()), bits(o.c()), what);
                        if (first.pre() != null) assertArrayEquals(bits(first.pre()), bits(o.pre()), what);
                    }
                }
            }
        } finally {
            for (Kernels k : kernels) k.close();
        }
    }

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Float.floatToRawIntBits(v[i]);
        return out;
    }

    @Test
    void simdIsBitwiseIdenticalForOneTwoAndThreeThreads() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null, KernelProvider::simdUnavailableReason);
        assertSameBits(() -> Kernels.create("simd", 1), () -> Kernels.create("simd", 2),
                () -> Kernels.create("simd", 3), problems());
    }

    @Test
    void loopIsBitwiseIdenticalForOneTwoAndThreeThreads() {
        GemmProblem[] all = problems();
        assertSameBits(() -> Kernels.create("loop", 1), () -> Kernels.create("loop", 2),
                () -> Kernels.create("loop", 3), new GemmProblem[] {all[1], all[2], all[4]});
    }
}
