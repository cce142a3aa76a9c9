package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.tensor.Matrix;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each optimizer, on both backends, against a multi-step reference written out in double from the
 * update formulas (three steps of a fixed gradient sequence on a 1×3 buffer, so every term is
 * checked with positive, negative and zero weights). The kernels work in float, so they may differ
 * from the double reference by a few float roundings per step: the tolerance is 2e-6 relative
 * (≈ 16 ulp), far below the size of any formula mistake (a wrong β, a missing bias correction or a
 * mis-placed ε moves the result by 1e-3 or more here).
 */
class OptimizerKernelsTest extends LoopAndSimd {
    private static final float[] W0 = {0.5f, -1.25f, 0f};
    private static final float[][] GRADS = {{0.1f, -0.2f, 0.3f}, {0.05f, 0.4f, -0.1f}, {-0.3f, 0.2f, 0.25f}};
    private static final double TOL = 2e-6;


    static Stream<Kernels> backends() {
        return Stream.of(loop, simd);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void sgdWithL2(Kernels k) {
        float lr = 0.1f, l2 = 0.01f;
        double[] w = start();
        try (Matrix wm = Matrix.of(1, 3, W0.clone()); Matrix g = Matrix.allocate(1, 3)) {
            for (float[] grad : GRADS) {
                g.copyFrom(grad);
                k.sgdUpdate(wm, g, lr, l2);
                for (int i = 0; i < 3; i++) w[i] -= (double) lr * (grad[i] + (double) l2 * w[i]);
            }
            assertClose(w, wm);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void momentumAndNesterov(Kernels k) {
        for (boolean nesterov : new boolean[] {false, true}) {
            float lr = 0.05f, beta = 0.9f, l2 = 0.001f;
            double[] w = start(), v = new double[3];
            try (Matrix wm = Matrix.of(1, 3, W0.clone()); Matrix g = Matrix.allocate(1, 3);
                 Matrix vm = Matrix.allocate(1, 3)) {
                for (float[] grad : GRADS) {
                    g.copyFrom(grad);
                    k.momentumUpdate(wm, g, vm, lr, beta, nesterov, l2);
                    for (int i = 0; i < 3; i++) {
                        double gp = grad[i] + (double) l2 * w[i];
                        v[i] = beta * v[i] + gp;
                        w[i] -= lr * (nesterov ? gp + beta * v[i] : v[i]);
                    }
                }
                assertClose(w, wm);
                assertClose(v, vm);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void adagrad(Kernels k) {
        float lr = 0.1f, eps = 1e-7f, l2 = 0f;
        double[] w = start(), s = new double[3];
        try (Matrix wm = Matrix.of(1, 3, W0.clone()); Matrix g = Matrix.allocate(1, 3);
             Matrix sm = Matrix.allocate(1, 3)) {
            for (float[] grad : GRADS) {
                g.copyFrom(grad);
                k.adagradUpdate(wm, g, sm, lr, eps, l2);
                for (int i = 0; i < 3; i++) {
                    s[i] += (double) grad[i] * grad[i];
                    w[i] -= lr * grad[i] / (Math.sqrt(s[i]) + eps);
                }
            }
            assertClose(w, wm);
            assertClose(s, sm);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void rmsprop(Kernels k) {
        float lr = 0.01f, rho = 0.9f, eps = 1e-7f, l2 = 0.01f;
        double[] w = start(), s = new double[3];
        try (Matrix wm = Matrix.of(1, 3, W0.clone()); Matrix g = Matrix.allocate(1, 3);
             Matrix sm = Matrix.allocate(1, 3)) {
            for (float[] grad : GRADS) {
                g.copyFrom(grad);
                k.rmspropUpdate(wm, g, sm, lr, rho, eps, l2);
                for (int i = 0; i < 3; i++) {
                    double gp = grad[i] + (double) l2 * w[i];
                    s[i] = rho * s[i] + (1 - (double) rho) * gp * gp;
                    w[i] -= lr * gp / (Math.sqrt(s[i]) + eps);
                }
            }
            assertClose(w, wm);
            assertClose(s, sm);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void adamFirstThreeSteps(Kernels k) {
        adam(k, 0f, 0f);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void adamWithCoupledL2(Kernels k) {
        adam(k, 0.01f, 0f);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void adamWDecouplesTheDecay(Kernels k) {
        adam(k, 0f, 0.1f);
    }

    private static void adam(Kernels k, float l2, float decay) {
        float lr = 0.01f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
        double[] w = start(), m = new double[3], v = new double[3];
        try (Matrix wm = Matrix.of(1, 3, W0.clone()); Matrix g = Matrix.allocate(1, 3);
             Matrix mm = Matrix.allocate(1, 3); Matrix vm = Matrix.allocate(1, 3)) {
            for (int t = 1; t <= GRADS.length; t++) {
                float[] grad = GRADS[t - 1];
                g.copyFrom(grad);
                k.adamUpdate(wm, g, mm, vm, lr, b1, b2, eps, t, l2, decay);
                for (int i = 0; i < 3; i++) {
                    double gp = grad[i] + (double) l2 * w[i];
                    m[i] = b1 * m[i] + (1 - (double) b1) * gp;
                    v[i] = b2 * v[i] + (1 - (double) b2) * gp * gp;
                    double mHat = m[i] / (1 - Math.pow(b1, t)), vHat = v[i] / (1 - Math.pow(b2, t));
                    w[i] = w[i] - lr * mHat / (Math.sqrt(vHat) + eps) - (double) lr * decay * w[i];
                }
            }
            assertClose(w, wm);
            assertClose(m, mm);
            assertClose(v, vm);
        }
    }

    private static double[] start() {
        double[] w = new double[W0.length];
        for (int i = 0; i < w.length; i++) w[i] = W0[i];
        return w;
    }

    private static void assertClose(double[] expected, Matrix actual) {
        float[] got = actual.toArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], TOL * Math.max(1e-3, Math.abs(expected[i])),
                    "element " + i);
        }
    }
}
