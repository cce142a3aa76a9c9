package dev.lanes.kernel.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.GemmProblem;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The GEMM driver with deliberately tiny block sizes, so problems of a few dozen rows already cross
 * many KC boundaries, and those of a few hundred many MC and NC boundaries too (up to 256 rows go
 * strip by strip, without MC or NC blocks), with thread splits in the middle of blocks, for both
 * micro-kernels — the 6×16 one is not what {@code simd} picks on an AVX-512 machine, so this is
 * where it gets tested.
 */
class GemmDriverTest {

    /** Delegates to a real micro-kernel and records which threads called it and how many columns of B it packed. */
    private static final class RecordingKernel implements MicroKernel {
        final MicroKernel inner;
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        final AtomicLong packedBColumns = new AtomicLong();

        RecordingKernel(MicroKernel inner) { this.inner = inner; }

        @Override public int mr() { return inner.mr(); }

        @Override public int nr() { return inner.nr(); }

        @Override
        public void packB(MemorySegment b, int ldb, boolean trans, int p0, int j0, int kc, int nc, float[] bp, int start) {
            packedBColumns.addAndGet(nc);
            inner.packB(b, ldb, trans, p0, j0, kc, nc, bp, start);
        }

        @Override
        public void run(int kc, float[] ap, int aOff, float[] bp, int bOff, MemorySegment c, int ldc, int row0,
                        int col0, int rows, int cols, float alpha, float beta, TileEpilogue ep, float[] tile) {
            threads.add(Thread.currentThread());
            inner.run(kc, ap, aOff, bp, bOff, c, ldc, row0, col0, rows, cols, alpha, beta, ep, tile);
        }
    }

    /** The 512-bit tile comes with its narrow kernel (outputs up to 16 wide), as in SimdKernels. */
    private static NarrowKernel narrowFor(BlockSizes blocks) {
        return blocks.nr() == 32 ? new NarrowKernel8x16() : null;
    }

    private static GemmProblem.Outcome run(GemmDriver driver, GemmProblem p, String name) {
        return p.run(name, driver.blocks().kc(), driver::gemm);
    }

    private static void randomProblemsAgreeWithReferenceAcrossThreads(Supplier<MicroKernel> kernel, BlockSizes tiny) {
        try (GemmDriver one = new GemmDriver(kernel.get(), narrowFor(tiny), tiny, new ThreadTeam(1, "t1"));
             GemmDriver three = new GemmDriver(kernel.get(), narrowFor(tiny), tiny, new ThreadTeam(3, "t3"))) {
            List<String> failures = new ArrayList<>();
            SplittableRandom rnd = new SplittableRandom(tiny.mr() * 1000L + tiny.nr());
            Activation[] acts = Activation.values();
            for (int i = 0; i < 60; i++) {
                // Large enough (most of the time) to pass the driver's threading threshold.
                int m = 1 + rnd.nextInt(90), n = 1 + rnd.nextInt(150), k = 1 + rnd.nextInt(120);
                if (i < 4) { m = 64 + i; n = 70 + 3 * i; k = 60 + i; }
                // Row blocks of up to GemmDriver.MEDIUM_M rows go strip by strip; taller ones take
                // the five-loop path across the tiny MC, KC and NC blocks.
                if (i >= 4 && i < 12) m = GemmDriver.MEDIUM_M + 1 + rnd.nextInt(3 * tiny.mc() + 5);
                GemmProblem p = new GemmProblem(m, n, k).seed(rnd.nextLong()).trans((i & 1) != 0, (i & 2) != 0)
                        .scale(i % 3 == 0 ? 1f : -1.25f, i % 5 == 0 ? 0f : 0.5f)
                        .epilogue(acts[i % acts.length], 0.05f, i % 2 == 0, i % 3 == 1)
                        .strided(rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextBoolean());
                GemmProblem.Outcome o1 = run(one, p, "driver(1 thread)");
                GemmProblem.Outcome o3 = run(three, p, "driver(3 threads)");
                String e = p.checkAgainstReference(o1);
                if (e == null && !Arrays.equals(o1.c(), o3.c())) e = "1 vs 3 threads differ: " + p;
                if (e == null && o1.pre() != null && !Arrays.equals(o1.pre(), o3.pre())) {
                    e = "preActivation differs between 1 and 3 threads: " + p;
                }
                if (e != null) failures.add("problem " + i + ": " + e);
            }
            if (!failures.isEmpty()) {
                fail(failures.size() + " failed with " + tiny + ":\n" + String.join("\n", failures.subList(0, Math.min(8, failures.size()))));
            }
        }
    }

    @Test
    void tile8x32WithTinyBlocks() {
        randomProblemsAgreeWithReferenceAcrossThreads(MicroKernel8x32::new, new BlockSizes(8, 32, 16, 24, 64));
    }

    @Test
    void narrowKernelWithOddKBlocks() {
        // The narrow kernel works on pairs of k; a KC of 13 makes every K block boundary but the
        // first odd, and every narrow width, transpose and row count meets it.
        BlockSizes odd = new BlockSizes(8, 32, 16, 13, 64);
        try (GemmDriver one = new GemmDriver(new MicroKernel8x32(), new NarrowKernel8x16(), odd, new ThreadTeam(1, "t1"));
             GemmDriver two = new GemmDriver(new MicroKernel8x32(), new NarrowKernel8x16(), odd, new ThreadTeam(2, "t2"))) {
            List<String> failures = new ArrayList<>();
            SplittableRandom rnd = new SplittableRandom(13);
            for (int i = 0; i < 64; i++) {
                int m = 1 + rnd.nextInt(70), n = 1 + i % 16, k = 1 + rnd.nextInt(90);
                GemmProblem p = new GemmProblem(m, n, k).seed(rnd.nextLong()).trans((i & 1) != 0, (i & 2) != 0)
                        .scale(1f, i % 3 == 0 ? 0f : 0.5f).strided(rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextBoolean());
                GemmProblem.Outcome o1 = run(one, p, "narrow(1 thread)");
                String e = p.checkAgainstReference(o1);
                if (e == null && !Arrays.equals(o1.c(), run(two, p, "narrow(2 threads)").c())) e = "1 vs 2 threads differ: " + p;
                if (e != null) failures.add("problem " + i + ": " + e);
            }
            assertTrue(failures.isEmpty(), failures.size() + " failed:\n" + String.join("\n", failures));
        }
    }

    @Test
    void tile6x16WithTinyBlocks() {
        randomProblemsAgreeWithReferenceAcrossThreads(MicroKernel6x16::new, new BlockSizes(6, 16, 12, 20, 48));
    }

    @Test
    void tile6x16WithItsRealBlockSizes() {
        agreesWithReferenceAtItsRealBlockSizes(new MicroKernel6x16());
    }

    @Test
    void tile4x16WithTinyBlocks() {
        randomProblemsAgreeWithReferenceAcrossThreads(MicroKernel4x16::new, new BlockSizes(4, 16, 12, 20, 48));
    }

    @Test
    void tile4x16WithItsRealBlockSizes() {
        agreesWithReferenceAtItsRealBlockSizes(new MicroKernel4x16());
    }

    private static void agreesWithReferenceAtItsRealBlockSizes(MicroKernel k) {
        String name = k.mr() + "x" + k.nr();
        try (GemmDriver driver = new GemmDriver(k, null, BlockSizes.forTile(k.mr(), k.nr()), new ThreadTeam(2, "t2"))) {
            int[][] shapes = {{1, 1, 1}, {7, 17, 300}, {13, 33, 5}, {100, 35, 257}, {6, 16, 16}, {4, 16, 64}, {5, 31, 129}};
            for (int i = 0; i < shapes.length; i++) {
                int[] s = shapes[i];
                GemmProblem p = new GemmProblem(s[0], s[1], s[2]).seed(40 + i).trans(i % 2 == 1, i % 3 == 1)
                        .scale(1f, i % 2 == 0 ? 0f : 1f).epilogue(Activation.SIGMOID, 0f, true, true).strided(true, false, true);
                assertNull(p.checkAgainstReference(run(driver, p, name)), name + " problem " + i);
            }
        }
    }

    @Test
    void bigProblemsMayUseEveryThreadAndSmallOnesOnlyTheCaller() {
        RecordingKernel rec = new RecordingKernel(new MicroKernel8x32());
        try (GemmDriver driver = new GemmDriver(rec, null, new BlockSizes(8, 32, 16, 24, 64), new ThreadTeam(3, "rec"))) {
            GemmProblem big = new GemmProblem(96, 100, 64).seed(1); // 614400 multiply-adds, 12 row tiles
            assertTrue((long) big.m * big.n * big.k >= GemmDriver.PARALLEL_MIN_TILE_STEPS * 8 * 32);
            assertNull(big.checkAgainstReference(run(driver, big, "big")));
            // Chunks are claimed by whichever members are free, so on a loaded machine fewer than 3 may run.
            assertTrue(rec.threads.size() >= 1 && rec.threads.size() <= 3, "threads that ran micro-kernels: " + rec.threads);

            rec.threads.clear();
            GemmProblem small = new GemmProblem(20, 20, 20).seed(2);
            assertNull(small.checkAgainstReference(run(driver, small, "small")));
            assertEquals(Set.of(Thread.currentThread()), rec.threads);

            rec.threads.clear();
            // Wide: split by columns; 5 column tiles of 32 over 3 threads.
            GemmProblem wide = new GemmProblem(40, 150, 60).seed(3).trans(true, true);
            assertNull(wide.checkAgainstReference(run(driver, wide, "wide")));
            assertTrue(rec.threads.size() >= 1 && rec.threads.size() <= 3, rec.threads.toString());
        }
    }

    @Test
    void rowSplitsShareOnlyLargePackedBlocksOfB() {
        // The production blocks for a 1 MiB L2: the smallest B block shared is MC×KC/2 = 65,536 floats.
        // The recording kernel does not read B in place (no supportsUnpackedB), and both shapes have
        // row blocks taller than GemmDriver.MEDIUM_M, which would pack B anyway.
        BlockSizes blocks = new BlockSizes(8, 32, 128, 1024, 4096);
        RecordingKernel rec = new RecordingKernel(new MicroKernel8x32());
        try (GemmDriver two = new GemmDriver(rec, null, blocks, new ThreadTeam(2, "share"));
             GemmDriver one = new GemmDriver(new MicroKernel8x32(), null, blocks, new ThreadTeam(1, "one"))) {
            // {m, k, n, columns of B packed}: backprop's dW = Xᵀ·dZ for 784 inputs at batch 128, whose
            // 128×256 B each of the two row blocks packs whole; and a 300×256 B, packed once and shared.
            int[][] cases = {{784, 128, 256, 2 * 256}, {600, 300, 256, 256}};
            for (int[] c : cases) {
                GemmProblem p = new GemmProblem(c[0], c[2], c[1]).seed(c[1]).trans(true, false);
                rec.packedBColumns.set(0);
                GemmProblem.Outcome o = run(two, p, "2 threads");
                assertNull(p.checkAgainstReference(o));
                assertEquals(c[3], rec.packedBColumns.get(), "columns of B packed for " + p);
                assertArrayEquals(run(one, p, "1 thread").c(), o.c(), "1 vs 2 threads: " + p);
            }
        }
    }

    @Test
    void moreThreadsThanTilesStillComputesEverything() {
        // 2 row tiles of 8 but 3 members: the third has nothing to do and must not break anything.
        try (GemmDriver driver = new GemmDriver(new MicroKernel8x32(), new NarrowKernel8x16(), new BlockSizes(8, 32, 16, 24, 64), new ThreadTeam(3, "few"));
             GemmDriver serial = new GemmDriver(new MicroKernel8x32(), new NarrowKernel8x16(), new BlockSizes(8, 32, 16, 24, 64), new ThreadTeam(1, "one"))) {
            GemmProblem p = new GemmProblem(16, 12, 3000).seed(5).scale(1f, 1f);
            assertTrue((long) p.m * p.n * p.k >= GemmDriver.PARALLEL_MIN_TILE_STEPS * 8 * 32);
            GemmProblem.Outcome o = run(driver, p, "3 threads");
            assertNull(p.checkAgainstReference(o));
            assertArrayEquals(run(serial, p, "1 thread").c(), o.c());
        }
    }
}
