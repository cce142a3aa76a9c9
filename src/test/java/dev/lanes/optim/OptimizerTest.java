package dev.lanes.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Initializer;
import dev.lanes.nn.Parameter;
import dev.lanes.nn.Regularizer;
import dev.lanes.nn.Sequential;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The base-class bookkeeping (clipping, penalties, state) and each update rule on hand-set gradients. */
class OptimizerTest {
    private static Kernels kernels;

    @BeforeAll
    static void open() { kernels = Kernels.create("loop", 1); }

    @AfterAll
    static void close() { kernels.close(); }

    /** A 1×2 kernel and a bias of one unit, weights and gradients set by hand. */
    private static Sequential model(Regularizer regularizer, float w0, float w1) {
        Sequential m = Sequential.builder(2).kernels(kernels)
                .add(new Dense(1, Activation.linear(), Initializer.zeros(), true).regularizer(regularizer)).build();
        m.setWeights(List.of(new float[] {w0, w1}, new float[] {0.5f}));
        return m;
    }

    private static void setGradients(Sequential m, float g0, float g1, float gb) {
        List<Parameter> ps = m.parameters();
        ps.get(0).gradient().copyFrom(new float[] {g0, g1});
        ps.get(1).gradient().copyFrom(new float[] {gb});
    }

    private static float[] kernel(Sequential m) { return m.getWeights().get(0); }

    private static float bias(Sequential m) { return m.getWeights().get(1)[0]; }

    @Test
    void sgdStepsAgainstTheGradient() {
        try (Sequential m = model(Regularizer.NONE, 1f, 2f); Sgd sgd = new Sgd(0.1f)) {
            sgd.bind(m.parameters(), kernels);
            setGradients(m, 1f, -2f, 3f);
            sgd.step(4);
            assertArrayEquals(new float[] {0.9f, 2.2f}, kernel(m), 1e-6f);
            assertEquals(0.5f - 0.3f, bias(m), 1e-6f);
            assertEquals(1, sgd.iterations());
        }
    }

    @Test
    void clipByGlobalNormRescalesAllGradientsTogether() {
        try (Sequential m = model(Regularizer.NONE, 0f, 0f); Sgd sgd = new Sgd(1f)) {
            sgd.clipNorm(1f).bind(m.parameters(), kernels);
            setGradients(m, 3f, 0f, 4f);
            sgd.step(1);
            assertArrayEquals(new float[] {-0.6f, 0f}, kernel(m), 1e-6f);
            assertEquals(0.5f - 0.8f, bias(m), 1e-6f);
        }
    }

    @Test
    void clipByValueClampsEachElement() {
        try (Sequential m = model(Regularizer.NONE, 0f, 0f); Sgd sgd = new Sgd(1f)) {
            sgd.clipValue(0.5f).bind(m.parameters(), kernels);
            setGradients(m, 3f, -0.25f, -4f);
            sgd.step(1);
            assertArrayEquals(new float[] {-0.5f, 0.25f}, kernel(m), 1e-6f);
            assertEquals(1f, bias(m), 1e-6f);
        }
    }

    @Test
    void l2DecaysTheKernelButNotTheBias() {
        // λ/(2m)·‖W‖² has gradient (λ/m)·W: with λ = 0.4, m = 2, lr = 0.5 each weight shrinks by 10%.
        try (Sequential m = model(Regularizer.l2(0.4f), 1f, -2f); Sgd sgd = new Sgd(0.5f)) {
            sgd.bind(m.parameters(), kernels);
            setGradients(m, 0f, 0f, 0f);
            sgd.step(2);
            assertArrayEquals(new float[] {0.9f, -1.8f}, kernel(m), 1e-6f);
            assertEquals(0.5f, bias(m), 0f);
        }
    }

    @Test
    void l1PullsEachWeightTowardZeroByAConstant() {
        try (Sequential m = model(Regularizer.l1(0.4f), 1f, -2f); Sgd sgd = new Sgd(0.5f)) {
            sgd.bind(m.parameters(), kernels);
            setGradients(m, 0f, 0f, 0f);
            sgd.step(2);
            assertArrayEquals(new float[] {0.9f, -1.9f}, kernel(m), 1e-6f);
        }
    }

    @Test
    void adamFirstStepHasTheLearningRateAsItsSize() {
        try (Sequential m = model(Regularizer.NONE, 0f, 0f); Adam adam = new Adam(0.01f)) {
            adam.bind(m.parameters(), kernels);
            setGradients(m, 5f, -0.001f, 0f);
            adam.step(1);
            // Bias correction makes m̂/√v̂ = sign(g) on the first step.
            assertArrayEquals(new float[] {-0.01f, 0.01f}, kernel(m), 1e-5f);
        }
    }

    @Test
    void adamWDecaysKernelsButNotBiases() {
        try (Sequential m = model(Regularizer.NONE, 1f, 1f); AdamW adamW = new AdamW(0.1f, 0.5f)) {
            adamW.bind(m.parameters(), kernels);
            setGradients(m, 0f, 0f, 0f);
            adamW.step(1);
            assertArrayEquals(new float[] {0.95f, 0.95f}, kernel(m), 1e-6f);
            assertEquals(0.5f, bias(m), 0f);
        }
    }

    @Test
    void momentumAccumulatesVelocity() {
        try (Sequential m = model(Regularizer.NONE, 0f, 0f); Sgd sgd = Sgd.momentum(1f, 0.5f)) {
            sgd.bind(m.parameters(), kernels);
            setGradients(m, 1f, 0f, 0f);
            sgd.step(1);
            sgd.step(1);
            // v = 1, then 1.5: w = −1 − 1.5
            assertEquals(-2.5f, kernel(m)[0], 1e-6f);
        }
    }

    @Test
    void resetClearsState() {
        try (Sequential m = model(Regularizer.NONE, 0f, 0f); Adam adam = new Adam(0.01f)) {
            adam.bind(m.parameters(), kernels);
            setGradients(m, 1f, 1f, 1f);
            adam.step(1);
            adam.reset();
            assertEquals(0, adam.iterations());
        }
    }

    @Test
    void schedules() {
        assertEquals(0.1f, LearningRateSchedule.constant(0.1f).rate(7));
        LearningRateSchedule inv = LearningRateSchedule.inverseTimeDecay(1f, 0.5f);
        assertEquals(1f, inv.rate(0));
        assertEquals(0.5f, inv.rate(2), 1e-7f);
        LearningRateSchedule exp = LearningRateSchedule.exponential(0.2f, 0.5f);
        assertEquals(0.2f, exp.rate(0));
        assertEquals(0.025f, exp.rate(3), 1e-7f);
        LearningRateSchedule sqrt = LearningRateSchedule.inverseSqrt(0.3f, 2f);
        assertEquals(0.6f, sqrt.rate(0), 1e-7f);
        assertEquals(0.3f, sqrt.rate(3), 1e-7f);
        LearningRateSchedule stairs = LearningRateSchedule.step(1f, 0.1f, 3);
        assertEquals(1f, stairs.rate(2));
        assertEquals(0.1f, stairs.rate(3), 1e-7f);
        assertEquals(0.01f, stairs.rate(6), 1e-7f);
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.step(1f, 0.5f, 0));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.constant(-1f));

        try (Sgd sgd = new Sgd(LearningRateSchedule.exponential(0.2f, 0.5f))) {
            assertEquals(0.2f, sgd.learningRate());
            sgd.beginEpoch(2);
            assertEquals(0.05f, sgd.learningRate(), 1e-7f);
        }
    }

    @Test
    void stepBeforeBindIsAClearError() {
        try (Adam adam = new Adam(0.001f)) {
            var e = assertThrows(IllegalStateException.class, () -> adam.step(1));
            assertTrue(e.getMessage().contains("not bound"));
        }
    }

    static Stream<Arguments> everyOptimizer() {
        return Stream.<Supplier<Optimizer>>of(
                () -> new Sgd(0.05f), () -> Sgd.momentum(0.02f, 0.9f), () -> Sgd.nesterov(0.02f, 0.9f),
                () -> new Adagrad(0.5f), () -> new RmsProp(0.02f), () -> new Adam(0.05f), () -> new AdamW(0.05f, 0.001f))
                .map(s -> Arguments.of(s.get().toString(), s));
    }

    /** Each optimizer drives the convex f(w) = ½‖w − w*‖² (gradient w − w*) well below where it started. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOptimizer")
    void everyOptimizerLowersAConvexLoss(String name, Supplier<Optimizer> factory) {
        float[] target = {3f, -2f};
        float targetBias = 1f;
        try (Sequential m = model(Regularizer.NONE, 0f, 0f); Optimizer opt = factory.get()) {
            opt.bind(m.parameters(), kernels);
            double initial = convexLoss(m, target, targetBias);
            for (int i = 0; i < 300; i++) {
                float[] w = kernel(m);
                setGradients(m, w[0] - target[0], w[1] - target[1], bias(m) - targetBias);
                opt.step(1);
            }
            double last = convexLoss(m, target, targetBias);
            assertTrue(last < 0.01 * initial, name + ": loss went from " + initial + " to " + last);
        }
    }

    private static double convexLoss(Sequential m, float[] target, float targetBias) {
        float[] w = kernel(m);
        double b = bias(m) - targetBias;
        return 0.5 * ((w[0] - target[0]) * (w[0] - target[0]) + (w[1] - target[1]) * (w[1] - target[1]) + b * b);
    }
}
