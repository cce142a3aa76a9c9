package dev.lanes.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.KernelProvider;
import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Initializer;
import dev.lanes.nn.Parameter;
import dev.lanes.nn.Regularizer;
import dev.lanes.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Optimizer#cannotOverflow}: the training loop skips its copy of the weights when this says
 * yes, so a yes must be true. Adam's bound is checked against the real update kernels over gradient
 * sequences whose scale jumps by up to 60 orders of magnitude, and every no-case is pinned.
 */
class StepBoundTest {
    private static final int UNITS = 37;

    /** A 3×37 kernel and a bias: 148 weights, a masked tail in every row. */
    private static Sequential model(Kernels k, Regularizer r) {
        return Sequential.builder(3).kernels(k)
                .add(new Dense(UNITS, Activation.linear(), Initializer.glorotUniform(), true).regularizer(r)).build();
    }

    /** The bound each optimizer claims, from this step's largest gradient and the largest ever. */
    private interface Bound {
        double of(double gradientNow, double gradientEver);
    }

    @Test
    void noOptimizerMovesAWeightFartherThanItsBoundWhateverTheGradientsScale() {
        List<Kernels> backends = new ArrayList<>(List.of(Kernels.create("loop", 1)));
        if (KernelProvider.simdUnavailableReason() == null) backends.add(Kernels.create("simd", 1));
        float lr = 0.01f;
        try {
            for (Kernels k : backends) {
                float[][] betas = {{0.9f, 0.999f}, {0.5f, 0.9f}, {0f, 0.5f}, {0.99f, 0.9999f}, {0.9f, 0.82f}};
                for (float[] b : betas) {
                    double c = lr / Math.sqrt((1 - b[1]) * (1 - (double) b[0] * b[0] / b[1]));
                    check(k, () -> new Adam(LearningRateSchedule.constant(lr), b[0], b[1], 1e-8f), (now, ever) -> c,
                            "Adam " + b[0] + "/" + b[1]);
                }
                check(k, () -> new Sgd(lr), (now, ever) -> lr * now, "SGD");
                for (float mu : new float[] {0.5f, 0.9f, 0.99f}) {
                    check(k, () -> Sgd.momentum(lr, mu), (now, ever) -> lr * ever / (1 - mu), "momentum " + mu);
                    check(k, () -> Sgd.nesterov(lr, mu), (now, ever) -> lr * ever / (1 - mu), "Nesterov " + mu);
                }
                check(k, () -> new Adagrad(lr), (now, ever) -> lr, "Adagrad");
                for (float rho : new float[] {0.5f, 0.9f, 0.999f}) {
                    check(k, () -> new RmsProp(LearningRateSchedule.constant(lr), rho, 1e-7f),
                            (now, ever) -> lr / Math.sqrt(1 - rho), "RMSProp " + rho);
                }
            }
        } finally {
            backends.forEach(Kernels::close);
        }
    }

    private static void check(Kernels k, java.util.function.Supplier<Optimizer> make, Bound bound, String what) {
        for (long seed = 1; seed <= 3; seed++) {
            double worst = worstStep(k, make.get(), bound, seed);
            assertTrue(worst <= 1.0 + 1e-6, k.name() + " " + what + " seed " + seed
                    + ": a weight moved " + worst + " times its bound");
        }
    }

    /**
     * The largest (|Δw| − one ulp of w) / bound over 300 steps of random gradients, asserting cannotOverflow
     * before each (the gradients stay far below overflow).
     */
    private static double worstStep(Kernels k, Optimizer opt, Bound bound, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Sequential m = model(k, Regularizer.NONE); opt) {
            List<Parameter> ps = m.parameters();
            opt.bind(ps, k);
            double worst = 0, ever = 0;
            for (int step = 0; step < 300; step++) {
                // Scale jumps between 1e-30 and 1e25; some steps are all zeros, some one spike.
                double scale = Math.pow(10, rnd.nextInt(-30, 26));
                int kind = rnd.nextInt(10);
                float largest = 0f;
                for (Parameter p : ps) {
                    float[] g = new float[p.gradient().rows() * p.gradient().cols()];
                    for (int i = 0; i < g.length; i++) {
                        double v = kind == 0 ? 0 : kind == 1 ? (i == 5 ? scale : 0) : scale * rnd.nextGaussian();
                        g[i] = (float) v;
                        largest = Math.max(largest, Math.abs(g[i]));
                    }
                    p.gradient().copyFrom(g);
                }
                ever = Math.max(ever, largest);
                assertTrue(opt.cannotOverflow(largest, 1), opt + " step " + step + ", gradients up to " + largest);
                List<float[]> before = m.getWeights();
                assertTrue(opt.step(1, largest));
                List<float[]> after = m.getWeights();
                double b = bound.of(largest, ever);
                for (int i = 0; i < before.size(); i++) {
                    for (int j = 0; j < before.get(i).length; j++) {
                        double moved = Math.abs((double) after.get(i)[j] - before.get(i)[j]);
                        // Storing the weight rounds it by up to an ulp beyond the step itself.
                        double resolution = Math.ulp(Math.max(Math.abs(after.get(i)[j]), Math.abs(before.get(i)[j])));
                        if (moved > resolution) worst = Math.max(worst, (moved - resolution) / b);
                    }
                }
            }
            return worst;
        }
    }

    @Test
    void everyCaseWithoutAProofAnswersNo() {
        try (Kernels k = Kernels.create("loop", 1)) {
            assertTrue(bound(k, new Sgd(0.01f), 1e30f));
            assertFalse(bound(k, new Sgd(1f), 1e32f), "SGD moves a weight by lr·|g|: past 2^100");
            assertFalse(bound(k, new Sgd(10f), 3e38f), "lr·g itself overflows");
            assertTrue(bound(k, Sgd.momentum(0.01f, 0.9f), 1e30f));
            assertFalse(bound(k, Sgd.momentum(0.01f, 0.99f), 1e37f), "the velocity can reach g/(1−β) = 1e39");
            assertTrue(bound(k, new RmsProp(0.01f), 1e37f), "scale-free while lr·g is finite");
            assertTrue(bound(k, new RmsProp(1e29f), 1f), "3.2e29 at ρ = 0.9");
            assertFalse(bound(k, new RmsProp(1e30f), 1f));
            assertTrue(bound(k, new Adagrad(0.01f), 1e37f));
            assertFalse(bound(k, new Adagrad(10f), 1e38f), "lr·g overflows before the division");
            assertTrue(bound(k, new Adam(0.01f), 1f));
            assertTrue(bound(k, new Adam(0.01f), 1e30f), "scale-free while nothing overflows");
            assertFalse(bound(k, new Adam(0.01f), 1e37f), "m̂ = m/(1−β1) can overflow");
            assertFalse(bound(k, new Adam(0.01f), Float.POSITIVE_INFINITY));
            assertFalse(bound(k, new Adam(0.01f), Float.NaN));
            assertFalse(bound(k, new Sgd(0.01f), Float.NaN));
            assertFalse(bound(k, new Adam(1e29f), 1f), "73·lr reaches 2^100");
            assertFalse(bound(k, new Adam(LearningRateSchedule.constant(0.01f), 0.99f, 0.9f, 1e-8f), 1f), "β1² ≥ β2");
            assertTrue(bound(k, new Adam(LearningRateSchedule.constant(1e5f), 0.9f, 0.999f, 1e-8f), 1f));
            assertFalse(bound(k, new Adam(LearningRateSchedule.constant(1e5f), 0.9f, 0.999f, 1e-45f), 1f),
                    "ε so small that an underflowed v could let m̂/ε grow");
            assertTrue(bound(k, new AdamW(0.01f, 0.004f), 1f));
            assertFalse(bound(k, new AdamW(0.5f, 3f), 1f), "lr·decay > 1 can grow a weight");
        }
    }

    @Test
    void theAnswerTurnsAtTheRateWhoseBoundReachesTheSafeStep() {
        // For each optimizer, the rate at which its proven step (gradients of magnitude 1) reaches 2^100.
        double adam = 0x1p100 / (1.01 / Math.sqrt((1 - 0.999) * (1 - 0.81 / 0.999)));
        double rmsProp = 0x1p100 / (1.01 / Math.sqrt(1 - 0.9));
        double plain = 0x1p100 / 1.01;
        double momentum = 0x1p100 * (1 - 0.9) / 1.01;
        try (Kernels k = Kernels.create("loop", 1)) {
            for (double[] f : new double[][] {{0.95, 1}, {1.05, 0}}) {
                boolean below = f[1] == 1;
                assertEquals(below, bound(k, new Adam((float) (f[0] * adam)), 1f), "Adam at " + f[0]);
                assertEquals(below, bound(k, new RmsProp(LearningRateSchedule.constant((float) (f[0] * rmsProp)), 0.9f, 1e-7f), 1f),
                        "RMSProp at " + f[0]);
                assertEquals(below, bound(k, new Adagrad((float) (f[0] * plain)), 1f), "Adagrad at " + f[0]);
                assertEquals(below, bound(k, new Sgd((float) (f[0] * plain)), 1f), "SGD at " + f[0]);
                assertEquals(below, bound(k, Sgd.momentum((float) (f[0] * momentum), 0.9f), 1f), "momentum at " + f[0]);
                assertEquals(below, bound(k, Sgd.nesterov((float) (f[0] * momentum), 0.9f), 1f), "Nesterov at " + f[0]);
            }
        }
    }

    private static boolean bound(Kernels k, Optimizer opt, float gradient) {
        try (Sequential m = model(k, Regularizer.NONE); opt) {
            opt.bind(m.parameters(), k);
            return opt.cannotOverflow(gradient, 1);
        }
    }

    @Test
    void aHugeGradientOnceKeepsTheAnswerNoUntilTheStateIsReset() {
        try (Kernels k = Kernels.create("loop", 1); Sequential m = model(k, Regularizer.NONE); Adam adam = new Adam(0.01f)) {
            adam.bind(m.parameters(), k);
            // 1e37 is safe from step 3 on (1/(1−β1^t) < 4.2) but not at step 1 (10) or 2 (5.3).
            for (Parameter p : m.parameters()) p.gradient().fill(3e37f);
            assertFalse(adam.cannotOverflow(3e37f, 1));
            assertTrue(adam.step(1, 3e37f));
            // The first moment still holds 3e36: small gradients now do not make step 2 safe.
            for (Parameter p : m.parameters()) p.gradient().fill(1f);
            assertFalse(adam.cannotOverflow(1f, 1));
            assertTrue(adam.step(1));
            assertFalse(adam.cannotOverflow(1f, 1), "a step without a gradient bound leaves it unknown");
            adam.reset();
            assertTrue(adam.cannotOverflow(1f, 1));
        }
    }

    @Test
    void restoredStateIsMeasured() {
        try (Kernels k = Kernels.create("loop", 1); Sequential m = model(k, Regularizer.NONE); Adam adam = new Adam(0.01f)) {
            adam.bind(m.parameters(), k);
            adam.stateOf(0).get(0).fill(0.5f);
            adam.setIterations(10);
            assertTrue(adam.cannotOverflow(1f, 1));
            adam.stateOf(1).get(0).set(0, 0, -1e37f);
            adam.setIterations(10);
            assertTrue(adam.cannotOverflow(1f, 1), "1e37 · 1/(1−0.9^11) is still far from overflow");
            adam.stateOf(1).get(0).set(0, 0, -1e38f);
            adam.setIterations(10);
            assertFalse(adam.cannotOverflow(1f, 1), "a first moment of 1e38 from a checkpoint");
            adam.stateOf(1).get(0).set(0, 0, Float.NaN);
            adam.setIterations(10);
            assertFalse(adam.cannotOverflow(1f, 1));
        }
    }

    @Test
    void theL2TermCountsAsGradient() {
        try (Kernels k = Kernels.create("loop", 1)) {
            // l2·w with |w| up to Float.MAX_VALUE: 1e-4 over a batch of 128 is about 3e32, still safe.
            try (Sequential m = model(k, Regularizer.l2(1e-4f)); Adam adam = new Adam(0.01f)) {
                adam.bind(m.parameters(), k);
                assertTrue(adam.cannotOverflow(1f, 128));
            }
            // 0.5 over a batch of 1 could put 1.7e38 into m.
            try (Sequential m = model(k, Regularizer.l2(0.5f)); Adam adam = new Adam(0.01f)) {
                adam.bind(m.parameters(), k);
                assertFalse(adam.cannotOverflow(1f, 1));
            }
        }
    }
}
