package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The loop backend (the oracle the simd tests compare against) against double-precision math
 * written out here from the definitions. Errors are relative, in units of float epsilon
 * (ε = 2⁻²³ ≈ 1.19e-7); gradients that are differences (p − y) are measured normwise (relative to
 * the largest |gradient| of the matrix), since elementwise relative error is meaningless where
 * they cancel to ~0.
 *
 * <p>Largest errors found (seeded inputs below): sigmoid 0.49 ε, tanh 0.46 ε, softmax 0.99 ε,
 * cross-entropy loss 0.06 ε and gradient 0.90 ε (normwise), BCE loss 0.19 ε and gradient 1.06 ε
 * (normwise), MSE 0.23 ε, MAE 0.12 ε, Huber 0.40 ε, column sums 0.47 ε; Σx² and Σ|x| are summed
 * in double in the same order as here, so they agree exactly. Each is one or two final roundings
 * of a double result; the asserted bound is 2 ε, which any formula mistake exceeds by far.
 */
class LoopAccuracyTest {
    private static final double EPS = 0x1p-23;
    private static final double BOUND = 2 * EPS;
    private static Kernels loop;

    @BeforeAll
    static void create() {
        loop = Kernels.create("loop", 1);
    }

    @AfterAll
    static void close() {
        loop.close();
    }

    @Test
    void activationsAndSoftmax() {
        try (Arena a = Arena.ofConfined()) {
            int m = 37, n = 129;
            float[] x = values(m * n, -15, 15, 1);
            Matrix xm = Matrix.allocate(a, m, n).copyFrom(x), out = Matrix.allocate(a, m, n);
            loop.activate(Activation.SIGMOID, 0, xm, out);
            double worst = 0;
            float[] got = out.toArray();
            for (int i = 0; i < x.length; i++) worst = Math.max(worst, rel(1 / (1 + Math.exp(-x[i])), got[i]));
            check("sigmoid", worst);
            loop.activate(Activation.TANH, 0, xm, out);
            got = out.toArray();
            worst = 0;
            for (int i = 0; i < x.length; i++) worst = Math.max(worst, rel(Math.tanh(x[i]), got[i]));
            check("tanh", worst);
            loop.softmaxRows(xm, out);
            got = out.toArray();
            worst = 0;
            for (int r = 0; r < m; r++) {
                double[] p = softmax(x, r, n);
                for (int c = 0; c < n; c++) worst = Math.max(worst, rel(p[c], got[r * n + c]));
            }
            check("softmax", worst);
        }
    }

    @Test
    void crossEntropyLossAndGradient() {
        try (Arena a = Arena.ofConfined()) {
            int m = 31, n = 10;
            float[] z = values(m * n, -8, 8, 2);
            float[] y = new float[m * n];
            SplittableRandom rnd = new SplittableRandom(3);
            for (int r = 0; r < m; r++) y[r * n + rnd.nextInt(n)] = 1f;
            Matrix zm = Matrix.allocate(a, m, n).copyFrom(z), ym = Matrix.allocate(a, m, n).copyFrom(y);
            Matrix d = Matrix.allocate(a, m, n);
            float loss = loop.softmaxCrossEntropy(zm, ym, d);
            double exactLoss = 0;
            double[] exactGrad = new double[m * n];
            for (int r = 0; r < m; r++) {
                double[] p = softmax(z, r, n);
                for (int c = 0; c < n; c++) {
                    exactLoss -= y[r * n + c] * Math.log(p[c]);
                    exactGrad[r * n + c] = (p[c] - y[r * n + c]) / m;
                }
            }
            check("cross-entropy loss", rel(exactLoss / m, loss));
            check("cross-entropy gradient", normwise(exactGrad, d.toArray()));
        }
    }

    @Test
    void elementwiseLosses() {
        try (Arena a = Arena.ofConfined()) {
            int m = 23, n = 41, count = m * n;
            float[] p = values(count, -6, 6, 4), t = values(count, -6, 6, 5), bits = new float[count];
            for (int i = 0; i < count; i++) bits[i] = t[i] > 0 ? 1f : 0f;
            Matrix pm = Matrix.allocate(a, m, n).copyFrom(p), tm = Matrix.allocate(a, m, n).copyFrom(t);
            Matrix bm = Matrix.allocate(a, m, n).copyFrom(bits), d = Matrix.allocate(a, m, n);
            double bce = 0, mse = 0, mae = 0, huber = 0, delta = 1.5;
            double[] bceGrad = new double[count];
            for (int i = 0; i < count; i++) {
                double sig = 1 / (1 + Math.exp(-p[i]));
                bce -= bits[i] * Math.log(sig) + (1 - bits[i]) * Math.log(1 - sig);
                bceGrad[i] = (sig - bits[i]) / count;
                double diff = (double) p[i] - t[i];
                mse += diff * diff;
                mae += Math.abs(diff);
                huber += Math.abs(diff) <= delta ? 0.5 * diff * diff : delta * (Math.abs(diff) - 0.5 * delta);
            }
            check("bce loss", rel(bce / count, loop.sigmoidBinaryCrossEntropy(pm, bm, d)));
            check("bce gradient", normwise(bceGrad, d.toArray()));
            check("mse loss", rel(mse / count, loop.meanSquaredError(pm, tm, d)));
            check("mae loss", rel(mae / count, loop.meanAbsoluteError(pm, tm, d)));
            check("huber loss", rel(huber / count, loop.huber(pm, tm, (float) delta, d)));
        }
    }

    @Test
    void reductions() {
        try (Arena a = Arena.ofConfined()) {
            int m = 57, n = 77;
            float[] x = values(m * n, -3, 3, 6);
            Matrix xm = Matrix.allocate(a, m, n).copyFrom(x), out = Matrix.allocate(a, 1, n);
            loop.columnSums(xm, 1f / m, out);
            double worst = 0;
            for (int c = 0; c < n; c++) {
                double sum = 0;
                for (int r = 0; r < m; r++) sum += x[r * n + c];
                worst = Math.max(worst, rel(sum * (1f / m), out.get(0, c)));
            }
            check("column sums", worst);
            double squares = 0, abs = 0;
            for (float v : x) {
                squares += (double) v * v;
                abs += Math.abs(v);
            }
            check("sum of squares", rel(squares, loop.sumOfSquares(xm)));
            check("sum of abs", rel(abs, loop.sumOfAbs(xm)));
        }
    }

    private static void check(String what, double worst) {
        assertTrue(worst <= BOUND, what + ": largest relative error " + worst / EPS + " eps");
    }

    private static double rel(double exact, double got) {
        return Math.abs(exact - got) / Math.max(Math.abs(exact), 1e-35);
    }

    private static double normwise(double[] exact, float[] got) {
        double scale = 0, worst = 0;
        for (int i = 0; i < exact.length; i++) {
            scale = Math.max(scale, Math.abs(exact[i]));
            worst = Math.max(worst, Math.abs(exact[i] - got[i]));
        }
        return worst / scale;
    }

    private static double[] softmax(float[] x, int r, int n) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int c = 0; c < n; c++) max = Math.max(max, x[r * n + c]);
        double[] p = new double[n];
        for (int c = 0; c < n; c++) sum += p[c] = Math.exp(x[r * n + c] - max);
        for (int c = 0; c < n; c++) p[c] /= sum;
        return p;
    }

    private static float[] values(int count, double lo, double hi, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float) rnd.nextDouble(lo, hi);
        return v;
    }
}
