package dev.lanes.kernel;

import static dev.lanes.kernel.FusedFixtures.assertBitwise;
import static dev.lanes.kernel.FusedFixtures.assertClose;
import static dev.lanes.kernel.FusedFixtures.assertGapsUntouched;
import static dev.lanes.kernel.FusedFixtures.assertNormwise;
import static dev.lanes.kernel.FusedFixtures.assertScalarClose;
import static dev.lanes.kernel.FusedFixtures.blank;
import static dev.lanes.kernel.FusedFixtures.columnShapes;
import static dev.lanes.kernel.FusedFixtures.random;
import static dev.lanes.kernel.FusedFixtures.shapes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lanes.kernel.FusedFixtures.Shape;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * simd against loop for every fused kernel, over dense runs of 30 lengths from 1 to 5000 (primes
 * and non-multiples of the 16-lane vector included) and over strided views whose row gaps must
 * stay untouched.
 *
 * <p>Tolerances, and why:
 * <ul>
 *   <li>bitwise: every kernel whose simd form performs the loop's float operations in the loop's
 *       order (ReLU/leaky/identity, all activation backwards, MSE/MAE/Huber gradients, scale, copy,
 *       fill, multiply, clamp, every optimizer, dropout);</li>
 *   <li>6e-7 relative (≈5 ulp) for sigmoid and tanh: the simd polynomials are within 1.5 ulp of the
 *       exact value (see {@code VectorMathTest}) and the loop rounds a double result once;</li>
 *   <li>2e-5 relative for softmax and cross-entropy probabilities: a row sum of up to 5000 floats
 *       in a 16-lane accumulator can be off by ~√(5000/16) ulp ≈ 2e-6, with a 10× margin; the
 *       gradients p − y cancel, so they are bounded by 2e-5/m absolute (p ≤ 1);</li>
 *   <li>1e-5 relative for losses (float terms summed in blocks, see {@code SimdLosses}) and for
 *       column sums and batch norm statistics (float sums over at most 256 rows);</li>
 *   <li>2e-6 relative for the sums of squares / absolute values (bound 1.3e-6 derived in
 *       {@code SimdReductions});</li>
 *   <li>axpy: the simd FMA rounds once where the loop rounds twice: 1 ulp of |αx| + |y|.</li>
 * </ul>
 */
class FusedKernelsTest extends LoopAndSimd {
    /** A kernel call over matrices; returns its scalar result (0 when there is none). */
    @FunctionalInterface
    interface Call {
        double run(Kernels k, Matrix[] m);
    }

    /** The scalar result and every matrix's contents after the call. */
    record Outcome(double value, float[][] arrays) {}

    /** Runs {@code call} on each backend over fresh copies of {@code inputs}; [0] loop, [1] simd. */
    static Outcome[] both(Arena arena, Matrix[] inputs, Call call, String what) {
        Outcome[] out = new Outcome[2];
        Kernels[] backends = {loop, simd};
        for (int b = 0; b < 2; b++) {
            Matrix[] copies = new Matrix[inputs.length];
            for (int i = 0; i < inputs.length; i++) copies[i] = FusedFixtures.copy(arena, inputs[i]);
            double value = call.run(backends[b], copies);
            float[][] arrays = new float[copies.length][];
            for (int i = 0; i < copies.length; i++) {
                assertGapsUntouched(copies[i], backends[b].name() + " " + what + " operand " + i);
                arrays[i] = copies[i].toArray();
            }
            out[b] = new Outcome(value, arrays);
        }
        return out;
    }

    @Test
    void activationsForwardAndBackward() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (Shape s : shapes()) {
            for (Activation act : Activation.values()) {
                String what = act + " " + s;
                try (Arena a = Arena.ofConfined()) {
                    Matrix x = random(a, s, rnd, -9, 9), out = blank(a, s);
                    Outcome[] o = both(a, new Matrix[] {x, out}, (k, m) -> {
                        k.activate(act, 0.02f, m[0], m[1]);
                        return 0;
                    }, what);
                    boolean exact = act != Activation.SIGMOID && act != Activation.TANH;
                    if (exact) {
                        assertBitwise(o[0].arrays()[1], o[1].arrays()[1], what);
                    } else {
                        assertClose(o[0].arrays()[1], o[1].arrays()[1], 6e-7, 1e-37, what);
                    }
                    Outcome[] inPlace = both(a, new Matrix[] {x}, (k, m) -> {
                        k.activate(act, 0.02f, m[0], m[0]);
                        return 0;
                    }, what + " in place");
                    assertBitwise(o[1].arrays()[1], inPlace[1].arrays()[0], what + " in place equals out of place");

                    Matrix y = FusedFixtures.copy(a, x);
                    simd.activate(act, 0.02f, x, y);
                    Matrix dA = random(a, s, rnd, -1, 1), dZ = blank(a, s);
                    Outcome[] back = both(a, new Matrix[] {y, dA, dZ}, (k, m) -> {
                        k.activationBackward(act, 0.02f, m[0], m[1], m[2]);
                        return 0;
                    }, what + " backward");
                    assertBitwise(back[0].arrays()[2], back[1].arrays()[2], what + " backward");
                }
            }
        }
    }

    @Test
    void softmaxRows() {
        SplittableRandom rnd = new SplittableRandom(2);
        for (Shape s : shapes()) {
            try (Arena a = Arena.ofConfined()) {
                Matrix x = random(a, s, rnd, -30, 30), out = blank(a, s);
                Outcome[] o = both(a, new Matrix[] {x, out}, (k, m) -> {
                    k.softmaxRows(m[0], m[1]);
                    return 0;
                }, "softmax " + s);
                assertClose(o[0].arrays()[1], o[1].arrays()[1], 2e-5, 1e-37, "softmax " + s);
            }
        }
    }

    @Test
    void softmaxCrossEntropyWithOneHotAndSoftTargets() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (Shape s : shapes()) {
            for (boolean soft : new boolean[] {false, true}) {
                String what = (soft ? "soft" : "one-hot") + " cross-entropy " + s;
                try (Arena a = Arena.ofConfined()) {
                    Matrix z = random(a, s, rnd, -20, 20), y = targets(a, s, rnd, soft), d = blank(a, s);
                    Outcome[] o = both(a, new Matrix[] {z, y, d},
                            (k, m) -> k.softmaxCrossEntropy(m[0], m[1], m[2]), what);
                    assertScalarClose(o[0].value(), o[1].value(), 1e-5, what + " loss");
                    assertClose(o[0].arrays()[2], o[1].arrays()[2], 2e-5, 2e-5 / s.rows(), what + " gradient");
                    Outcome[] aliased = both(a, new Matrix[] {z, y},
                            (k, m) -> k.softmaxCrossEntropy(m[0], m[1], m[0]), what + " aliased");
                    assertBitwise(o[1].arrays()[2], aliased[1].arrays()[0], what + " dLogits aliasing logits");
                }
            }
        }
    }

    @Test
    void sparseSoftmaxCrossEntropy() {
        SplittableRandom rnd = new SplittableRandom(4);
        for (Shape s : shapes()) {
            String what = "sparse cross-entropy " + s;
            try (Arena a = Arena.ofConfined()) {
                Matrix z = random(a, s, rnd, -20, 20), d = blank(a, s);
                Matrix labels = Matrix.allocate(a, s.rows(), 1);
                for (int r = 0; r < s.rows(); r++) labels.set(r, 0, rnd.nextInt(s.cols()));
                Outcome[] o = both(a, new Matrix[] {z, labels, d},
                        (k, m) -> k.sparseSoftmaxCrossEntropy(m[0], m[1], m[2]), what);
                assertScalarClose(o[0].value(), o[1].value(), 1e-5, what + " loss");
                assertClose(o[0].arrays()[2], o[1].arrays()[2], 2e-5, 2e-5 / s.rows(), what + " gradient");
            }
        }
    }

    @Test
    void elementwiseLosses() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (Shape s : shapes()) {
            try (Arena a = Arena.ofConfined()) {
                Matrix p = random(a, s, rnd, -3, 3), y = random(a, s, rnd, -3, 3), d = blank(a, s);
                Matrix bits = targets(a, s, rnd, false);
                double scale = 1.0 / s.rows() / s.cols();
                Outcome[] bce = both(a, new Matrix[] {p, bits, d},
                        (k, m) -> k.sigmoidBinaryCrossEntropy(m[0], m[1], m[2]), "bce " + s);
                assertScalarClose(bce[0].value(), bce[1].value(), 1e-5, "bce loss " + s);
                assertClose(bce[0].arrays()[2], bce[1].arrays()[2], 1e-6, 1e-6 * scale, "bce gradient " + s);

                Outcome[] mse = both(a, new Matrix[] {p, y, d},
                        (k, m) -> k.meanSquaredError(m[0], m[1], m[2]), "mse " + s);
                assertScalarClose(mse[0].value(), mse[1].value(), 1e-5, "mse loss " + s);
                assertBitwise(mse[0].arrays()[2], mse[1].arrays()[2], "mse gradient " + s);

                Outcome[] mae = both(a, new Matrix[] {p, y, d},
                        (k, m) -> k.meanAbsoluteError(m[0], m[1], m[2]), "mae " + s);
                assertScalarClose(mae[0].value(), mae[1].value(), 1e-5, "mae loss " + s);
                assertBitwise(mae[0].arrays()[2], mae[1].arrays()[2], "mae gradient " + s);

                Outcome[] huber = both(a, new Matrix[] {p, y, d},
                        (k, m) -> k.huber(m[0], m[1], 1.5f, m[2]), "huber " + s);
                assertScalarClose(huber[0].value(), huber[1].value(), 1e-5, "huber loss " + s);
                assertBitwise(huber[0].arrays()[2], huber[1].arrays()[2], "huber gradient " + s);
            }
        }
    }

    @Test
    void reductions() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (Shape s : shapes()) {
            try (Arena a = Arena.ofConfined()) {
                Matrix x = random(a, s, rnd, -2, 2);
                Outcome[] sq = both(a, new Matrix[] {x}, (k, m) -> k.sumOfSquares(m[0]), "sum of squares " + s);
                assertScalarClose(sq[0].value(), sq[1].value(), 2e-6, "sum of squares " + s);
                Outcome[] ab = both(a, new Matrix[] {x}, (k, m) -> k.sumOfAbs(m[0]), "sum of abs " + s);
                assertScalarClose(ab[0].value(), ab[1].value(), 2e-6, "sum of abs " + s);

                int[] loopArgmax = new int[s.rows()], simdArgmax = new int[s.rows()];
                loop.argmaxRows(x, loopArgmax);
                simd.argmaxRows(x, simdArgmax);
                assertArrayEquals(loopArgmax, simdArgmax, "argmax " + s);
            }
        }
        for (Shape s : columnShapes()) {
            try (Arena a = Arena.ofConfined()) {
                Matrix x = random(a, s, rnd, -2, 2), out = blank(a, new Shape(1, s.cols(), s.cols()));
                float scale = 1f / s.rows();
                Outcome[] o = both(a, new Matrix[] {x, out}, (k, m) -> {
                    k.columnSums(m[0], scale, m[1]);
                    return 0;
                }, "column sums " + s);
                assertClose(o[0].arrays()[1], o[1].arrays()[1], 1e-5, 2e-6, "column sums " + s);
            }
        }
    }

    @Test
    void argmaxTakesTheFirstOfTiesAndSkipsNaNLikeTheLoop() {
        try (Arena a = Arena.ofConfined()) {
            float nan = Float.NaN;
            float[][] rows = {
                {1, 5, 5, 2}, {5, 5, 5, 5}, {-1, -0f, 0f, -3}, {nan, 1, 2, 3}, {1, nan, 3, 3},
                {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, -1e30f, -1e30f}};
            int[] expected = {1, 0, 1, 0, 2, 2};
            Matrix x = Matrix.allocate(a, rows.length, 4);
            for (int r = 0; r < rows.length; r++) {
                for (int c = 0; c < 4; c++) x.set(r, c, rows[r][c]);
            }
            for (Kernels k : new Kernels[] {loop, simd}) {
                int[] got = new int[rows.length];
                k.argmaxRows(x, got);
                assertArrayEquals(expected, got, k.name());
            }
            Matrix wide = Matrix.allocate(a, 1, 1000);
            wide.set(0, 999, 7f);
            wide.set(0, 500, 7f);
            int[] got = new int[1];
            simd.argmaxRows(wide, got);
            assertArrayEquals(new int[] {500}, got);
        }
    }

    @Test
    void elementwiseHelpers() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (Shape s : shapes()) {
            try (Arena a = Arena.ofConfined()) {
                Matrix x = random(a, s, rnd, -1, 1), y = random(a, s, rnd, -1, 1), out = blank(a, s);
                Outcome[] axpy = both(a, new Matrix[] {x, y}, (k, m) -> {
                    k.axpy(0.75f, m[0], m[1]);
                    return 0;
                }, "axpy " + s);
                assertClose(axpy[0].arrays()[1], axpy[1].arrays()[1], 0, 0x1p-23 * 1.75, "axpy " + s);
                exact(a, s, new Matrix[] {x}, (k, m) -> {
                    k.scale(-1.5f, m[0]);
                    return 0;
                }, "scale", 0);
                exact(a, s, new Matrix[] {x, out}, (k, m) -> {
                    k.copy(m[0], m[1]);
                    return 0;
                }, "copy", 1);
                exact(a, s, new Matrix[] {out}, (k, m) -> {
                    k.fill(m[0], 3.25f);
                    return 0;
                }, "fill", 0);
                exact(a, s, new Matrix[] {x, y, out}, (k, m) -> {
                    k.multiply(m[0], m[1], m[2]);
                    return 0;
                }, "multiply", 2);
                exact(a, s, new Matrix[] {x}, (k, m) -> {
                    k.clamp(m[0], -0.25f, 0.5f);
                    return 0;
                }, "clamp", 0);
            }
        }
    }

    @Test
    void optimizersAreBitwiseIdenticalAcrossBackends() {
        SplittableRandom rnd = new SplittableRandom(8);
        for (Shape s : shapes()) {
            try (Arena a = Arena.ofConfined()) {
                Matrix w = random(a, s, rnd, -1, 1), g = random(a, s, rnd, -1, 1);
                Matrix s1 = random(a, s, rnd, 0, 0.1), s2 = random(a, s, rnd, 0, 0.01);
                exactAll(a, s, new Matrix[] {w, g}, (k, m) -> {
                    k.sgdUpdate(m[0], m[1], 0.1f, 0.01f);
                    return 0;
                }, "sgd");
                for (boolean nesterov : new boolean[] {false, true}) {
                    exactAll(a, s, new Matrix[] {w, g, s1}, (k, m) -> {
                        k.momentumUpdate(m[0], m[1], m[2], 0.1f, 0.9f, nesterov, 0.001f);
                        return 0;
                    }, nesterov ? "nesterov" : "momentum");
                }
                exactAll(a, s, new Matrix[] {w, g, s1}, (k, m) -> {
                    k.adagradUpdate(m[0], m[1], m[2], 0.1f, 1e-7f, 0.001f);
                    return 0;
                }, "adagrad");
                exactAll(a, s, new Matrix[] {w, g, s1}, (k, m) -> {
                    k.rmspropUpdate(m[0], m[1], m[2], 0.01f, 0.9f, 1e-7f, 0.001f);
                    return 0;
                }, "rmsprop");
                for (int t : new int[] {1, 7}) {
                    exactAll(a, s, new Matrix[] {w, g, s1, s2}, (k, m) -> {
                        k.adamUpdate(m[0], m[1], m[2], m[3], 1e-3f, 0.9f, 0.999f, 1e-8f, t, 0.001f, 0f);
                        return 0;
                    }, "adam t=" + t);
                    exactAll(a, s, new Matrix[] {w, g, s1, s2}, (k, m) -> {
                        k.adamUpdate(m[0], m[1], m[2], m[3], 1e-3f, 0.9f, 0.999f, 1e-8f, t, 0f, 0.01f);
                        return 0;
                    }, "adamw t=" + t);
                }
            }
        }
    }

    @Test
    void dropoutMaskIsBitwiseIdentical() {
        SplittableRandom rnd = new SplittableRandom(9);
        for (Shape s : shapes()) {
            try (Arena a = Arena.ofConfined()) {
                Matrix x = random(a, s, rnd, -1, 1), mask = blank(a, s), out = blank(a, s);
                for (float keep : new float[] {0.5f, 0.9f, 1f}) {
                    exactAll(a, s, new Matrix[] {x, mask, out}, (k, m) -> {
                        k.dropoutForward(m[0], m[1], m[2], keep, 42L, 3L);
                        return 0;
                    }, "dropout keep " + keep);
                }
            }
        }
    }

    @Test
    void batchNorm() {
        SplittableRandom rnd = new SplittableRandom(10);
        for (Shape s : columnShapes()) {
            Shape row = new Shape(1, s.cols(), s.cols());
            String what = "batch norm " + s;
            try (Arena a = Arena.ofConfined()) {
                Matrix x = random(a, s, rnd, -3, 5), gamma = random(a, row, rnd, 0.5, 2);
                Matrix beta = random(a, row, rnd, -1, 1), rm = random(a, row, rnd, -1, 1);
                Matrix rv = random(a, row, rnd, 0.5, 2), xhat = blank(a, s), inv = blank(a, row), out = blank(a, s);
                Outcome[] f = both(a, new Matrix[] {x, gamma, beta, rm, rv, xhat, inv, out}, (k, m) -> {
                    k.batchNormForwardTrain(m[0], m[1], m[2], m[3], m[4], 0.9f, 1e-5f, m[5], m[6], m[7]);
                    return 0;
                }, what + " train");
                for (int i : new int[] {3, 4, 6}) {
                    assertClose(f[0].arrays()[i], f[1].arrays()[i], 1e-5, 1e-6, what + " train operand " + i);
                }
                // xhat = (x − μ)·invStd inherits the float mean's error, up to (m+1) ulp of max|x|,
                // amplified by invStd (316 for a near-constant column with ε = 1e-5); out adds γ.
                float[] invStd = f[0].arrays()[6], g = gamma.toArray();
                for (int r = 0; r < s.rows(); r++) {
                    for (int c = 0; c < s.cols(); c++) {
                        int i = r * s.cols() + c;
                        double meanError = (s.rows() + 1) * 0x1p-24 * 5 * invStd[c];
                        assertClose(new float[] {f[0].arrays()[5][i]}, new float[] {f[1].arrays()[5][i]}, 1e-5,
                                meanError, what + " xhat (" + r + ", " + c + ")");
                        assertClose(new float[] {f[0].arrays()[7][i]}, new float[] {f[1].arrays()[7][i]}, 1e-5,
                                meanError * g[c] + 1e-6, what + " out (" + r + ", " + c + ")");
                    }
                }

                Outcome[] inf = both(a, new Matrix[] {x, gamma, beta, rm, rv, out}, (k, m) -> {
                    k.batchNormForwardInference(m[0], m[1], m[2], m[3], m[4], 1e-5f, m[5]);
                    return 0;
                }, what + " inference");
                assertNormwise(inf[0].arrays()[5], inf[1].arrays()[5], 1e-6, what + " inference");

                loop.batchNormForwardTrain(x, gamma, beta, rm, rv, 0.9f, 1e-5f, xhat, inv, out);
                Matrix dOut = random(a, s, rnd, -1, 1), dGamma = blank(a, row), dBeta = blank(a, row);
                Matrix dX = blank(a, s);
                Outcome[] b = both(a, new Matrix[] {dOut, xhat, gamma, inv, dGamma, dBeta, dX}, (k, m) -> {
                    k.batchNormBackward(m[0], m[1], m[2], m[3], m[4], m[5], m[6]);
                    return 0;
                }, what + " backward");
                assertClose(b[0].arrays()[4], b[1].arrays()[4], 1e-5, 1e-5, what + " dGamma");
                assertClose(b[0].arrays()[5], b[1].arrays()[5], 1e-5, 1e-5, what + " dBeta");
                // dX cancels three terms of size |γ·invStd·dOut| (exactly, for m = 2): bound the
                // difference by those terms' size rather than by the result's.
                double terms = 0;
                for (int c = 0; c < s.cols(); c++) {
                    terms = Math.max(terms, Math.abs(gamma.get(0, c) * inv.get(0, c)));
                }
                assertClose(b[0].arrays()[6], b[1].arrays()[6], 0, 3e-5 * terms, what + " dX");
            }
        }
    }

    /** Operand {@code index} must be bitwise equal after the call. */
    private static void exact(Arena a, Shape s, Matrix[] inputs, Call call, String what, int index) {
        Outcome[] o = both(a, inputs, call, what + " " + s);
        assertBitwise(o[0].arrays()[index], o[1].arrays()[index], what + " " + s);
    }

    /** Every operand must be bitwise equal after the call. */
    private static void exactAll(Arena a, Shape s, Matrix[] inputs, Call call, String what) {
        Outcome[] o = both(a, inputs, call, what + " " + s);
        for (int i = 0; i < inputs.length; i++) {
            assertBitwise(o[0].arrays()[i], o[1].arrays()[i], what + " " + s + " operand " + i);
        }
    }

    /** One-hot rows (a random class each), or soft rows (positive, summing to 1). */
    static Matrix targets(Arena a, Shape s, SplittableRandom rnd, boolean soft) {
        Matrix y = blank(a, s);
        for (int r = 0; r < s.rows(); r++) {
            if (soft) {
                double[] w = new double[s.cols()];
                double sum = 0;
                for (int c = 0; c < w.length; c++) sum += w[c] = rnd.nextDouble();
                for (int c = 0; c < w.length; c++) y.set(r, c, (float) (w[c] / sum));
            } else {
                y.set(r, rnd.nextInt(s.cols()), 1f);
            }
        }
        return y;
    }
}
