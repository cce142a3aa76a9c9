package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.kernel.gemm.BlockSizes;
import dev.lanes.kernel.simd.SimdKernels;
import dev.lanes.tensor.Matrix;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simd GEMM against the loop GEMM and both against a double-precision reference, with the
 * error bound justified in {@link GemmProblem}.
 */
class GemmTest {
    /** Sizes that sit on or next to the edges that matter: 16 lanes, the 8×32 and 6×16 tiles, KC. */
    private static final int[] EDGE_SIZES = {1, 2, 3, 5, 6, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64,
        65, 97, 127, 128, 129, 191, 192, 193, 211, 255, 256, 257, 293, 300};
    private static final int[][] CORNER_SHAPES = {
        {1, 1, 1}, {1, 1, 300}, {1, 300, 1}, {300, 1, 1}, {1, 300, 300}, {300, 1, 300}, {300, 300, 1},
        {300, 300, 300}, {8, 32, 1}, {9, 33, 17}, {7, 31, 15}, {16, 16, 16}, {17, 17, 17}, {6, 16, 5},
        {193, 5, 193}, {2, 300, 192}, {251, 257, 3}, {64, 10, 256}};
    private static final int RANDOM_PROBLEMS = 320;
    private static final float[] OTHER_SCALARS = {-0.75f, 1.5f, 0.3f, -2f};
    private static final float[] LEAKS = {0.01f, 0.2f, -0.5f, 1.5f};

    private static Kernels simd;
    private static Kernels loop;

    @BeforeAll
    static void createKernels() {
        String why = KernelProvider.simdUnavailableReason();
        assumeTrue(why == null, () -> "simd backend unavailable: " + why);
        simd = Kernels.create("simd", 2);
        loop = Kernels.create("loop", 2);
    }

    @AfterAll
    static void closeKernels() {
        if (simd != null) simd.close();
        if (loop != null) loop.close();
    }

    /** Runs {@code p} on simd and loop; null when both match the reference and each other. */
    private static String verify(GemmProblem p, Kernels simdKernels) {
        GemmProblem.Outcome s = p.run(simdKernels);
        GemmProblem.Outcome l = p.run(loop);
        String e = p.checkAgainstReference(s);
        if (e == null) e = p.checkAgainstReference(l);
        if (e == null) e = p.checkAgreement(s, l);
        return e;
    }

    private static int size(SplittableRandom rnd) {
        // A third from the edge list, the rest skewed towards small sizes so the suite stays fast
        // while still spanning 1..300.
        if (rnd.nextInt(3) == 0) return EDGE_SIZES[rnd.nextInt(EDGE_SIZES.length)];
        double u = rnd.nextDouble();
        return 1 + (int) (299 * u * u);
    }

    private static float scalar(int cls, SplittableRandom rnd) {
        return switch (cls) {
            case 0 -> 0f;
            case 1 -> 1f;
            default -> OTHER_SCALARS[rnd.nextInt(OTHER_SCALARS.length)];
        };
    }

    /**
     * Problem {@code i}: transposes (period 4), alpha class (3) and beta class (9) cycle so every
     * combination occurs in each run of 36; the epilogue cycles through none, bias only, and each activation with and
     * without pre-activation output; shapes and layouts are random (seeded per problem).
     */
    static GemmProblem problem(int i) {
        SplittableRandom rnd = new SplittableRandom(0x5EEDL * 1_000_003 + i);
        int m, n, k;
        if (i < CORNER_SHAPES.length) {
            m = CORNER_SHAPES[i][0];
            n = CORNER_SHAPES[i][1];
            k = CORNER_SHAPES[i][2];
        } else {
            m = size(rnd);
            n = size(rnd);
            k = size(rnd);
        }
        GemmProblem p = new GemmProblem(m, n, k).seed(rnd.nextLong())
                .trans((i & 1) != 0, (i & 2) != 0)
                .scale(scalar(i % 3, rnd), scalar((i / 3) % 3, rnd))
                .strided(rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextBoolean()).stridedPre(rnd.nextBoolean());
        int variant = i % 13; // coprime with the periods above; 12 is a second plain variant
        if (variant == 1) {
            p.epilogue(Activation.IDENTITY, 0f, true, false);
        } else if (variant >= 2 && variant < 12) {
            Activation act = Activation.values()[(variant - 2) % Activation.values().length];
            boolean pre = variant >= 2 + Activation.values().length;
            p.epilogue(act, LEAKS[rnd.nextInt(LEAKS.length)], rnd.nextBoolean(), pre);
        }
        return p;
    }

    @Test
    void simdMatchesLoopAndDoubleReferenceOnRandomShapes() {
        List<String> failures = new ArrayList<>();
        TreeSet<String> covered = new TreeSet<>();
        for (int i = 0; i < RANDOM_PROBLEMS; i++) {
            GemmProblem p = problem(i);
            String e = verify(p, simd);
            if (e != null) failures.add("problem " + i + ": " + e);
            covered.add("op" + (p.transA ? "T" : "N") + (p.transB ? "T" : "N"));
            covered.add("alpha" + cls(p.alpha));
            covered.add("beta" + cls(p.beta));
            covered.add(p.activation + (p.withPre ? "+pre" : ""));
            if (p.withBias) covered.add("bias");
            if (p.withPre && p.stridedPre != p.stridedC) covered.add("preStrideDiffersFromC");
            if (p.stridedA && p.stridedB && p.stridedC) covered.add("allStrided");
            if (!p.stridedA && !p.stridedB && !p.stridedC) covered.add("allDense");
            for (int d : new int[] {p.m, p.n, p.k}) {
                if (d == 1) covered.add("dim1");
                if (d % 16 != 0 && d > 16) covered.add("notLaneMultiple");
                if (d > 192) covered.add("over192");
            }
        }
        for (String want : new String[] {"opNN", "opNT", "opTN", "opTT", "alpha0", "alpha1", "alphaOther",
            "beta0", "beta1", "betaOther", "bias", "preStrideDiffersFromC", "allStrided", "allDense", "dim1", "notLaneMultiple",
            "over192"}) {
            assertTrue(covered.contains(want), "generator no longer covers " + want + ": " + covered);
        }
        for (Activation act : Activation.values()) {
            assertTrue(covered.contains(act.name()) && covered.contains(act + "+pre"), "no " + act + " in " + covered);
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + RANDOM_PROBLEMS + " problems failed; first ones:\n"
                    + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
        }
    }

    private static String cls(float v) {
        return v == 0f ? "0" : v == 1f ? "1" : "Other";
    }

    @Test
    void longInnerDimensionsSpanSeveralKBlocks() {
        int kc = ((SimdKernels) simd).gemmBlocks().kc();
        int[][] shapes = {{17, 45, 700}, {64, 33, 1500}, {40, 70, 777}, {33, 97, 2 * kc + 1}, {9, 35, kc}, {9, 35, kc + 1}};
        int i = 0;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++, i++) {
                GemmProblem p = new GemmProblem(s[0], s[1], s[2]).seed(700 + i).trans((t & 1) != 0, (t & 2) != 0)
                        .scale(t == 3 ? 1.5f : 1f, t % 2 == 0 ? 0f : -0.75f).strided(t == 1, t == 2, t >= 2)
                        .epilogue(t == 2 ? Activation.TANH : Activation.IDENTITY, 0f, t >= 2, t == 2);
                assertNull(verify(p, simd));
            }
        }
    }

    /**
     * At most 256 rows against an op(B) too large for L2 (K·N above 2·MC·KC floats, even for each
     * thread's half of the columns): the driver packs B one strip at a time, A once per K block,
     * with K across a block boundary, every transpose combination, on 2 threads and on 1.
     */
    @Test
    void shortRowsAgainstABTooLargeForL2() {
        try (Kernels single = Kernels.create("simd", 1)) {
            BlockSizes blocks = ((SimdKernels) simd).gemmBlocks();
            int k = blocks.kc() + 77;
            int n = (int) (4L * blocks.mc() * blocks.kc() / k) + 65;
            int i = 0;
            for (int m : new int[] {200, 256, 9}) {
                for (int t = 0; t < 4; t++, i++) {
                    GemmProblem p = new GemmProblem(m, n, k).seed(1300 + i).trans((t & 1) != 0, (t & 2) != 0)
                            .scale(1f, t == 1 ? 0.5f : 0f).strided(t == 2, t == 1, t == 3)
                            .epilogue(t == 3 ? Activation.RELU : Activation.IDENTITY, 0f, t >= 2, t == 3);
                    assertNull(verify(p, simd));
                    assertNull(verify(p, single));
                }
            }
        }
    }

    /**
     * Outputs up to 16 columns wide take the narrow kernel: every width 1–16, row counts around
     * multiples of its 8-row sliver, K inside one block and across a block boundary, every
     * transpose combination.
     */
    @Test
    void narrowOutputsOfEveryWidth() {
        int kc = ((SimdKernels) simd).gemmBlocks().kc();
        Activation[] acts = Activation.values();
        List<String> failures = new ArrayList<>();
        int i = 0;
        for (int n = 1; n <= 16; n++) {
            for (int m : new int[] {1, 31, 32, 33, 70}) {
                for (int k : new int[] {1, 17, kc + 3}) {
                    for (int t = 0; t < 4; t++, i++) {
                        GemmProblem p = new GemmProblem(m, n, k).seed(900 + i).trans((t & 1) != 0, (t & 2) != 0)
                                .scale(t == 3 ? 0.5f : 1f, t == 1 ? 1f : t == 2 ? -0.25f : 0f).strided(t == 2, t == 1, t >= 2)
                                .epilogue(acts[i % acts.length], 0.1f, i % 3 != 0, i % 4 == 1);
                        String e = verify(p, simd);
                        if (e != null) failures.add(e);
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " failed, first: " + (failures.isEmpty() ? "" : failures.get(0)));
    }

    @Test
    void severalMcAndNcBlocksOnOneThread() {
        try (Kernels single = Kernels.create("simd", 1)) {
            BlockSizes blocks = ((SimdKernels) single).gemmBlocks();
            // One thread owns the whole C, so these shapes cross MC (rows) and NC (columns) boundaries.
            GemmProblem tall = new GemmProblem(blocks.mc() + 13, 40, blocks.kc() + 5).seed(11).trans(true, false)
                    .scale(1f, 0.5f).epilogue(Activation.RELU, 0f, true, true);
            GemmProblem wide = new GemmProblem(3, blocks.nc() + 7, 9).seed(12).trans(false, true)
                    .strided(true, true, true).epilogue(Activation.SIGMOID, 0f, true, false);
            assertNull(verify(tall, single));
            assertNull(verify(wide, single));
        }
    }

    @Test
    void betaZeroNeverReadsC() {
        // C starts as NaN (GemmProblem does that for beta == 0); alpha == 0 too, so the exact
        // result is the bias alone and anything read from C would show up as NaN.
        for (int t = 0; t < 4; t++) {
            GemmProblem p = new GemmProblem(37, 45, 19).seed(t).trans((t & 1) != 0, (t & 2) != 0)
                    .scale(0f, 0f).epilogue(Activation.IDENTITY, 0f, true, true).strided(t == 1, t == 1, t == 1);
            for (Kernels kernels : new Kernels[] {simd, loop}) {
                GemmProblem.Outcome o = p.run(kernels);
                assertNull(p.checkAgainstReference(o));
                for (int i = 0; i < p.m; i++) {
                    for (int j = 0; j < p.n; j++) {
                        assertEquals((float) p.exactZ(i, j), o.c()[i * p.n + j], kernels.name() + " " + p);
                    }
                }
            }
        }
    }

    @Test
    void saturatingActivationsStayFiniteAndExact() {
        // alpha = 60 pushes |z| far beyond where sigmoid and tanh round to 0/±1 in float, and
        // where a naive exp(-z) overflows; the result must still be the saturated value, not NaN.
        for (Activation act : new Activation[] {Activation.SIGMOID, Activation.TANH}) {
            GemmProblem p = new GemmProblem(20, 50, 64).seed(act.ordinal()).scale(60f, 0f).epilogue(act, 0f, true, false);
            GemmProblem.Outcome s = p.run(simd);
            assertNull(p.checkAgainstReference(s));
            assertNull(p.checkAgreement(s, p.run(loop)));
            int saturated = 0;
            for (float v : s.c()) {
                assertFalse(Float.isNaN(v));
                if (v == 0f || Math.abs(v) == 1f) saturated++;
            }
            assertTrue(saturated > 0, "the test is meant to saturate some outputs");
        }
    }

    @Test
    void theToleranceRejectsAProductMissingOneTerm() {
        // Guards the guard: a result off by a single k term must fail the check.
        GemmProblem p = new GemmProblem(30, 40, 300).seed(99);
        GemmProblem.Outcome good = p.run(simd);
        assertNull(p.checkAgainstReference(good));
        float[] c = good.c().clone();
        int i = 17, j = 23, big = 0;
        for (int q = 1; q < p.k; q++) {
            if (Math.abs(p.a()[i * p.k + q] * p.b()[q * p.n + j]) > Math.abs(p.a()[i * p.k + big] * p.b()[big * p.n + j])) {
                big = q;
            }
        }
        c[i * p.n + j] -= p.a()[i * p.k + big] * p.b()[big * p.n + j];
        GemmProblem.Outcome bad = new GemmProblem.Outcome("corrupted", good.kc(), c, null, null);
        assertNotNull(p.checkAgainstReference(bad));
        assertNotNull(p.checkAgreement(good, bad));
    }

    @Test
    void concurrentCallersShareOneInstanceSafely() throws Exception {
        // The default instance is shared by the whole JVM, so two threads may call it at once.
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Thread[] callers = new Thread[2];
        for (int t = 0; t < callers.length; t++) {
            final int offset = 1000 + 100 * t;
            callers[t] = new Thread(() -> {
                for (int i = 0; i < 15; i++) {
                    GemmProblem p = problem(offset + i);
                    for (Kernels kernels : new Kernels[] {simd, loop}) {
                        String e = p.checkAgainstReference(p.run(kernels));
                        if (e != null) failures.add(e);
                    }
                }
            });
            callers[t].start();
        }
        for (Thread c : callers) c.join();
        assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
    }

    @Test
    void matmulIsPlainNN() {
        try (Matrix a = Matrix.of(2, 3, 1, 2, 3, 4, 5, 6);
             Matrix b = Matrix.of(3, 2, 7, 8, 9, 10, 11, 12);
             Matrix c = Matrix.allocate(2, 2)) {
            for (Kernels kernels : new Kernels[] {simd, loop}) {
                c.fill(Float.NaN);
                kernels.matmul(a, b, c);
                assertEquals("Matrix 2x2 [[58.0, 64.0], [139.0, 154.0]]", c.toString(), kernels.name());
            }
        }
    }
}
