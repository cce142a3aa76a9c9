package dev.lanes.kernel;

import static dev.lanes.kernel.FusedFixtures.random;
import static dev.lanes.kernel.FusedFixtures.shapes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.kernel.FusedFixtures.Shape;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The optimizer updates report whether every weight they stored is finite: true after an ordinary
 * step, false when one element, anywhere (first, last, in a masked tail, in another thread's slice),
 * became NaN or infinite. The training loop relies on it instead of re-reading the weights.
 */
class OptimizerFiniteReportTest {
    private static Kernels loop, simd1, simd2;

    @BeforeAll
    static void open() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null);
        loop = Kernels.create("loop", 1);
        simd1 = Kernels.create("simd", 1);
        simd2 = Kernels.create("simd", 2);
    }

    @AfterAll
    static void close() {
        if (loop != null) loop.close();
        if (simd1 != null) simd1.close();
        if (simd2 != null) simd2.close();
    }

    /** One optimizer update on (w, g, s1, s2); returns what the kernel reported. */
    @FunctionalInterface
    interface Update {
        boolean run(Kernels k, Matrix w, Matrix g, Matrix s1, Matrix s2);
    }

    private static final String[] NAMES = {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"};
    private static final Update[] UPDATES = {
        (k, w, g, s1, s2) -> k.sgdUpdate(w, g, 0.1f, 0.01f),
        (k, w, g, s1, s2) -> k.momentumUpdate(w, g, s1, 0.1f, 0.9f, false, 0.001f),
        (k, w, g, s1, s2) -> k.momentumUpdate(w, g, s1, 0.1f, 0.9f, true, 0.001f),
        (k, w, g, s1, s2) -> k.adagradUpdate(w, g, s1, 0.1f, 1e-7f, 0.001f),
        (k, w, g, s1, s2) -> k.rmspropUpdate(w, g, s1, 0.01f, 0.9f, 1e-7f, 0.001f),
        (k, w, g, s1, s2) -> k.adamUpdate(w, g, s1, s2, 1e-3f, 0.9f, 0.999f, 1e-8f, 3, 0.001f, 0f),
        (k, w, g, s1, s2) -> k.adamUpdate(w, g, s1, s2, 1e-3f, 0.9f, 0.999f, 1e-8f, 3, 0f, 0.01f),
    };

    @Test
    void everyUpdateReportsANonFiniteWeightWhereverItIs() {
        List<Shape> all = new ArrayList<>(shapes());
        // Large enough for Adam to split across two threads, with the bad element in either slice.
        all.add(new Shape(784, 256, 256));
        all.add(new Shape(300, 130, 133));
        SplittableRandom rnd = new SplittableRandom(11);
        for (Shape s : all) {
            int[] positions = {0, s.rows() * s.cols() - 1, s.rows() * s.cols() / 2, rnd.nextInt(s.rows() * s.cols())};
            for (int u = 0; u < UPDATES.length; u++) {
                for (Kernels k : new Kernels[] {loop, simd1, simd2}) {
                    String what = NAMES[u] + " " + s + " on " + k;
                    assertEquals(true, run(k, UPDATES[u], s, -1, 0f, rnd), what + ", all finite");
                    for (int p : positions) {
                        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
                            assertEquals(false, run(k, UPDATES[u], s, p, bad, rnd), what + ", gradient " + bad + " at " + p);
                        }
                    }
                }
            }
        }
    }

    @Test
    void anOverflowingStepOfFiniteValuesIsReported() {
        try (Arena a = Arena.ofConfined()) {
            Shape s = new Shape(3, 37, 37);
            SplittableRandom rnd = new SplittableRandom(12);
            for (Kernels k : new Kernels[] {loop, simd1, simd2}) {
                Matrix w = random(a, s, rnd, -1, 1), g = random(a, s, rnd, -1, 1);
                w.set(2, 36, 3e38f);
                g.set(2, 36, -1e38f);
                // 3e38 − 10·(−1e38) overflows to +∞ although every input is finite.
                assertEquals(false, k.sgdUpdate(w, g, 10f, 0f), "sgd overflow on " + k);
                assertEquals(Float.POSITIVE_INFINITY, w.get(2, 36));
            }
        }
    }

    /** One update on fresh random operands, with gradient element {@code bad} at flat index {@code at} (−1: none). */
    private static boolean run(Kernels k, Update update, Shape s, int at, float bad, SplittableRandom rnd) {
        // Shared, so that the worker threads may take their slice.
        try (Arena a = Arena.ofShared()) {
            Matrix w = random(a, s, rnd, -1, 1), g = random(a, s, rnd, -1, 1);
            Matrix s1 = random(a, s, rnd, 0, 0.1), s2 = random(a, s, rnd, 0, 0.01);
            if (at >= 0) g.set(at / s.cols(), at % s.cols(), bad);
            return update.run(k, w, g, s1, s2);
        }
    }
}
