package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.ActivationLayer;
import dev.lanes.nn.BatchNorm;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.Initializer;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.tensor.Matrix;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Back-propagation of every layer, activation and loss against finite differences, on both backends. */
class GradientCheckTest {
    private static final int ROWS = 6, INPUTS = 4, CLASSES = 3;
    private static Kernels loop, simd;

    @BeforeAll
    static void kernels() {
        loop = Kernels.create("loop", 1);
        simd = Kernels.create("simd", 2);
    }

    @AfterAll
    static void close() {
        loop.close();
        simd.close();
    }

    static Stream<Arguments> activations() {
        return Stream.of("linear", "relu", "leaky_relu:0.1", "sigmoid", "tanh", "softmax")
                .flatMap(a -> Stream.of(Arguments.of(a, "loop"), Arguments.of(a, "simd")));
    }

    /** Hidden activation as a Dense option and as a standalone layer, under an MSE head. */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("activations")
    void everyActivation(String activation, String backend) {
        Activation a = Activation.parse(activation);
        // A smaller step keeps the differences of the piecewise-linear ones off their kink.
        float eps = a.kind() == Activation.Kind.RELU || a.kind() == Activation.Kind.LEAKY_RELU ? 1e-3f : GradientCheck.DEFAULT_EPSILON;
        check(backend, Loss.meanSquaredError(), 2, eps, new Dense(5, a), new Dense(2));
        check(backend, Loss.meanSquaredError(), 2, eps, new Dense(5), new ActivationLayer(a), new Dense(2));
        // As the output activation of a regression loss: nothing fuses it away.
        check(backend, Loss.meanSquaredError(), 3, eps, new Dense(5, Activation.tanh()), new Dense(3, a));
    }

    static Stream<Arguments> losses() {
        return Stream.of("mse", "mae", "huber:0.5", "binary_crossentropy", "categorical_crossentropy",
                        "sparse_categorical_crossentropy")
                .flatMap(l -> Stream.of(Arguments.of(l, "loop"), Arguments.of(l, "simd")));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("losses")
    void everyLoss(String lossName, String backend) {
        Loss loss = Loss.parse(lossName);
        Activation output = switch (loss.kind()) {
            case BINARY_CROSS_ENTROPY -> Activation.sigmoid();
            case CATEGORICAL_CROSS_ENTROPY, SPARSE_CATEGORICAL_CROSS_ENTROPY -> Activation.softmax();
            default -> Activation.linear();
        };
        check(backend, loss, CLASSES, new Dense(5, Activation.tanh()), new Dense(CLASSES, output));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void softmaxAsStandaloneOutputLayerFusedWithCrossEntropy(String backend) {
        check(backend, Loss.categoricalCrossEntropy(), CLASSES, new Dense(CLASSES), new ActivationLayer(Activation.softmax()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void denseWithoutBias(String backend) {
        check(backend, Loss.meanSquaredError(), 2,
                new Dense(5, Activation.sigmoid(), Initializer.glorotNormal(), false), new Dense(2, Activation.linear(), Initializer.heUniform(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void dropout(String backend) {
        check(backend, Loss.categoricalCrossEntropy(), CLASSES, new Dense(8, Activation.tanh()), new Dropout(0.4f),
                new Dense(CLASSES, Activation.softmax()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void batchNorm(String backend) {
        check(backend, Loss.meanSquaredError(), 2, new Dense(5), new BatchNorm(0.9f, 1e-3f),
                new ActivationLayer(Activation.tanh()), new Dense(2));
    }

    /** The check must be able to fail: a step far too large for tanh's curvature gives a wrong difference quotient. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void detectsAMismatch(String backend) {
        Sequential.Builder b = Sequential.builder(INPUTS).kernels(backend.equals("loop") ? loop : simd).seed(3)
                .add(new Dense(5, Activation.tanh(), Initializer.normal(3f), true)).add(new Dense(2));
        try (Sequential model = b.build(); Matrix x = random(ROWS, INPUTS, 1); Matrix y = random(ROWS, 2, 5)) {
            GradientCheck.Result r = GradientCheck.run(model, Loss.meanSquaredError(), x, y, 2f);
            assertTrue(!r.passed(), () -> "a 2.0 step through saturated tanh units should not pass: " + r);
        }
    }

    static Stream<String> backends() {
        return Stream.of("loop", "simd");
    }

    private static void check(String backend, Loss loss, int outputs, Layer... layers) {
        check(backend, loss, outputs, GradientCheck.DEFAULT_EPSILON, layers);
    }

    private static void check(String backend, Loss loss, int outputs, float epsilon, Layer... layers) {
        Sequential.Builder b = Sequential.builder(INPUTS).kernels(backend.equals("loop") ? loop : simd).seed(3);
        for (Layer l : layers) b.add(l);
        try (Sequential model = b.build();
             Matrix x = random(ROWS, INPUTS, 1);
             Matrix y = targets(loss, outputs)) {
            GradientCheck.Result r = GradientCheck.run(model, loss, x, y, epsilon);
            assertTrue(r.passed(), () -> "gradient check failed on " + backend + " for " + model.layers() + " with " + loss + ": " + r);
            assertTrue(r.values() > 0);
        }
    }

    static Matrix random(int rows, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) random.nextDouble(-1, 1);
        return Matrix.of(rows, cols, v);
    }

    private static Matrix targets(Loss loss, int outputs) {
        SplittableRandom random = new SplittableRandom(11);
        return switch (loss.kind()) {
            case SPARSE_CATEGORICAL_CROSS_ENTROPY -> {
                float[] v = new float[ROWS];
                for (int r = 0; r < ROWS; r++) v[r] = r % outputs;
                yield Matrix.of(ROWS, 1, v);
            }
            case CATEGORICAL_CROSS_ENTROPY -> {
                float[] v = new float[ROWS * outputs];
                for (int r = 0; r < ROWS; r++) v[r * outputs + (r * 2) % outputs] = 1f;
                yield Matrix.of(ROWS, outputs, v);
            }
            case BINARY_CROSS_ENTROPY -> {
                float[] v = new float[ROWS * outputs];
                for (int i = 0; i < v.length; i++) v[i] = random.nextBoolean() ? 1f : 0f;
                yield Matrix.of(ROWS, outputs, v);
            }
            default -> random(ROWS, outputs, 5);
        };
    }
}
