package dev.lanes.kernel;

import static dev.lanes.kernel.FusedFixtures.assertBitwise;
import static dev.lanes.kernel.FusedFixtures.assertClose;
import static dev.lanes.kernel.FusedFixtures.assertGapsUntouched;
import static dev.lanes.kernel.FusedFixtures.blank;
import static dev.lanes.kernel.FusedFixtures.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lanes.kernel.FusedFixtures.Shape;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Softmax cross-entropy with dense targets whose rows do not sum to 1, on both backends. The loss
 * of a row is Σy·log s − Σ y·(z − max) (s = Σ exp(z − max)) for any targets, so its gradient is
 * (p·Σy − y)/m: 0 for an all-zero row, and (p − y)/m only for rows summing to 1 (PyTorch's autograd
 * of the same loss gives the same). Shapes: 7 and 10 columns fit in one vector (the simd narrow
 * path, {@code NarrowSoftmaxCrossEntropy}, with 16 lanes; 7 with 8), 37 and 100 do not (the wide
 * path), and a strided 10-column view takes the wide path too; 1, 7 and 33 rows (33: two whole
 * 16-row blocks of the narrow path and a partial one).
 */
class CrossEntropyTargetSumTest extends LoopAndSimd {
    /** Every backend at every shape. */
    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String backend : new String[] {"loop", "simd"}) {
            for (int m : new int[] {1, 7, 33}) {
                for (int n : new int[] {7, 10, 37, 100}) cases.add(Arguments.of(backend, new Shape(m, n, n)));
                cases.add(Arguments.of(backend, new Shape(m, 10, 13)));
            }
        }
        return cases.stream();
    }

    private static Kernels kernels(String backend) {
        return backend.equals("loop") ? loop : simd;
    }

    /** A seed per test and shape, so that each case draws the same numbers however it is run. */
    private static SplittableRandom seeded(int test, Shape s) {
        return new SplittableRandom(((test * 1000L + s.rows()) * 1000 + s.cols()) * 1000 + s.stride());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void allZeroTargetRowsHaveZeroLossAndZeroGradient(String backend, Shape s) {
        SplittableRandom rnd = seeded(1, s);
        Kernels k = kernels(backend);
        String what = backend + " " + s;
        try (Arena a = Arena.ofConfined()) {
            Matrix z = random(a, s, rnd, -5, 5), d = blank(a, s);
            assertEquals(0f, k.softmaxCrossEntropy(z, blank(a, s), d), what + " loss of all-zero targets");
            assertBitwise(new float[s.rows() * s.cols()], d.toArray(), what + " gradient of all-zero targets");
            assertGapsUntouched(d, what);

            // Zero rows between one-hot rows: (p·0 − 0)/m is +0 exactly, whatever the other rows hold.
            Matrix y = blank(a, s);
            for (int r = 1; r < s.rows(); r += 2) y.set(r, rnd.nextInt(s.cols()), 1f);
            k.softmaxCrossEntropy(z, y, d);
            float[] g = d.toArray();
            for (int r = 0; r < s.rows(); r += 2) {
                assertBitwise(new float[s.cols()], Arrays.copyOfRange(g, r * s.cols(), (r + 1) * s.cols()),
                        what + " gradient of zero row " + r);
            }
        }
    }

    /**
     * Central differences of the returned loss, step h = 2⁻⁶ on logits in [−2, 2]. Their error is
     * truncation, at most h²/6·|∂³loss/∂z³| ≤ h²/6·Σy/(6√3·m) (the third derivative of log-sum-exp
     * along one coordinate is p(1−p)(1−2p), at most 1/(6√3)), plus rounding: each returned loss is
     * within ½ ulp of the kernel's value, and the kernel's float sums (simd) move only the perturbed
     * row's term, by a few ε of its size, Σy·(log s + |z − max|) ≤ Σy·(log n + 4); bounded here by
     * 16·2⁻²⁴ of it over m. The bug this guards against, (p − y)/m in place of (p·Σy − y)/m, is off
     * by p·|1 − Σy|/m, p/2m and 0.7p/m with these targets. Measured at these seeds: the fixed
     * kernels' differences reach 0.64 of the tolerance at most; the bug's exceed it at every element
     * but the least probable classes of the 100-column rows, by 29 to 1000 times at each case's
     * worst element. The gradient is also held to (p·Σy − y)/m computed in double, with
     * {@code FusedKernelsTest}'s cross-entropy tolerance.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void gradientIsTheFiniteDifferenceOfTheLossForRowsNotSummingToOne(String backend, Shape s) {
        SplittableRandom rnd = seeded(2, s);
        Kernels k = kernels(backend);
        String what = backend + " " + s;
        float h = 0x1p-6f;
        int m = s.rows(), n = s.cols();
        try (Arena a = Arena.ofConfined()) {
            Matrix z = random(a, s, rnd, -2, 2), y = nonUnitTargets(a, s, rnd), d = blank(a, s);
            float loss = k.softmaxCrossEntropy(z, y, d);
            assertGapsUntouched(d, what);
            float[] g = d.toArray();

            Matrix w = FusedFixtures.copy(a, z), scratch = blank(a, s);
            for (int r = 0; r < m; r++) {
                double sy = 0;
                for (int c = 0; c < n; c++) sy += y.get(r, c);
                double truncation = (double) h * h / 6 * sy / (6 * Math.sqrt(3) * m);
                double rowScale = sy * (Math.log(n) + 4);
                for (int c = 0; c < n; c++) {
                    float z0 = z.get(r, c), up = z0 + h, down = z0 - h;
                    w.set(r, c, up);
                    float lossUp = k.softmaxCrossEntropy(w, y, scratch);
                    w.set(r, c, down);
                    float lossDown = k.softmaxCrossEntropy(w, y, scratch);
                    w.set(r, c, z0);
                    // The step actually taken: z0 ± h rounds to a float.
                    double step = (double) up - down;
                    double fd = ((double) lossUp - lossDown) / step;
                    double rounding = (Math.ulp(lossUp) / 2 + Math.ulp(lossDown) / 2
                            + 2 * 16 * 0x1p-24 * rowScale / m) / step;
                    double tol = truncation + rounding;
                    if (!(Math.abs(fd - g[r * n + c]) <= tol)) {
                        fail(what + " (" + r + ", " + c + "), row target sum " + sy + ": gradient " + g[r * n + c]
                                + " but the central difference of the loss (" + loss + ") is " + fd
                                + " (|diff| " + Math.abs(fd - g[r * n + c]) + " > tolerance " + tol + ")");
                    }
                }
            }
            assertClose(exactGradient(z, y), g, 2e-5, 2e-5 / m, what + " gradient against (p·Σy − y)/m");
        }
    }

    /**
     * One-hot rows, in a batch that also holds all-zero and 0.3/0.2 rows, keep the gradient they
     * always had, bit for bit: the sparse kernel's at the same labels (one-hot by construction,
     * performing the same float operations on each backend), which is (p − y)/m.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void oneHotRowsKeepTheirGradientBitForBit(String backend, Shape s) {
        SplittableRandom rnd = seeded(3, s);
        Kernels k = kernels(backend);
        String what = backend + " " + s;
        int m = s.rows(), n = s.cols();
        try (Arena a = Arena.ofConfined()) {
            Matrix z = random(a, s, rnd, -20, 20), y = blank(a, s), d = blank(a, s), sparseD = blank(a, s);
            Matrix labels = Matrix.allocate(a, m, 1);
            for (int r = 0; r < m; r++) {
                int label = rnd.nextInt(n);
                labels.set(r, 0, label);
                switch (r % 3) {
                    case 0 -> y.set(r, label, 1f);
                    case 1 -> { }
                    default -> {
                        y.set(r, label, 0.3f);
                        y.set(r, (label + 1) % n, 0.2f);
                    }
                }
            }
            k.softmaxCrossEntropy(z, y, d);
            k.sparseSoftmaxCrossEntropy(z, labels, sparseD);
            float[] g = d.toArray(), expected = sparseD.toArray(), exact = exactGradient(z, y);
            for (int r = 0; r < m; r += 3) {
                float[] row = Arrays.copyOfRange(g, r * n, (r + 1) * n);
                assertBitwise(Arrays.copyOfRange(expected, r * n, (r + 1) * n), row,
                        what + " one-hot row " + r + " against the sparse kernel");
                assertClose(Arrays.copyOfRange(exact, r * n, (r + 1) * n), row, 2e-5, 2e-5 / m,
                        what + " one-hot row " + r + " against (p − y)/m");
            }
        }
    }

    /** Rows alternately 0.3 + 0.2 (sum 0.5) and 0.9 + 0.6 + 0.2 (sum 1.7) at random classes. */
    private static Matrix nonUnitTargets(Arena a, Shape s, SplittableRandom rnd) {
        Matrix y = blank(a, s);
        float[] low = {0.3f, 0.2f}, high = {0.9f, 0.6f, 0.2f};
        for (int r = 0; r < s.rows(); r++) {
            float[] w = r % 2 == 0 ? low : high;
            int c0 = rnd.nextInt(s.cols());
            for (int j = 0; j < w.length; j++) y.set(r, (c0 + j) % s.cols(), w[j]);
        }
        return y;
    }

    /** (p·Σy − y)/m per row, in double. */
    private static float[] exactGradient(Matrix z, Matrix y) {
        int m = z.rows(), n = z.cols();
        float[] g = new float[m * n];
        for (int r = 0; r < m; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0, sy = 0;
            for (int c = 0; c < n; c++) max = Math.max(max, z.get(r, c));
            for (int c = 0; c < n; c++) {
                sum += Math.exp(z.get(r, c) - max);
                sy += y.get(r, c);
            }
            for (int c = 0; c < n; c++) {
                double p = Math.exp(z.get(r, c) - max) / sum;
                g[r * n + c] = (float) ((p * sy - y.get(r, c)) / m);
            }
        }
        return g;
    }
}
