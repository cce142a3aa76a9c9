package dev.lanes.kernel;

import dev.lanes.tensor.Matrix;
import dev.lanes.kernel.simd.SimdKernels;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One GEMM problem for the tests: shape, transposes, alpha/beta, epilogue and memory layout, with
 * seeded random inputs in [-1, 1). It lays itself out in off-heap matrices, runs on any
 * {@link Kernels}, and checks results against a double-precision reference.
 *
 * <h2>Layout traps</h2>
 * A strided operand is a view into a larger parent (two extra rows, five extra columns, offset
 * (1, 3), so its base is not 64-byte aligned and its stride is not a multiple of any vector). The
 * parent around an input view is filled with NaN: reading outside the view poisons the result. The
 * parent around C and the pre-activation is filled with a sentinel that must survive bit for bit:
 * writing outside the view is caught. With {@code beta == 0}, C itself is pre-filled with NaN (the
 * contract says C is not read then); the pre-activation is always pre-filled with NaN, so every
 * element of it must be written.
 *
 * <h2>Tolerance</h2>
 * Let z = alpha·Σ_p op(A)_ip·op(B)_pj + beta·C_ij + bias_j be the exact pre-activation, computed
 * here in double (exact to well below float resolution for K ≤ 10⁴), and let
 * S_ij = |alpha|·Σ_p |op(A)_ip|·|op(B)_pj| + |beta·C_ij| + |bias_j| be the same sum taken with
 * absolute values. The classical forward error bound for a float dot product of length k
 * evaluated in <em>any</em> order, with separate multiply-add or fused FMA (Higham, Accuracy and
 * Stability of Numerical Algorithms, §3.1), is |ẑ − z| ≤ γ_k·S with γ_r = r·u/(1 − r·u) and
 * u = 2⁻²⁴. On top of the k roundings of the dot product the kernels round the alpha scaling, the
 * beta term, its addition and the bias addition (4), and a K-blocked GEMM merges each further KC
 * block into C with up to two more roundings (alpha·acc, then the add). So each element is allowed
 * <pre>  tolZ = γ_r·S + FLT_MIN,   r = k + 2·⌈k/kc⌉ + 4</pre>
 * where kc is the backend's K block (kc = k for the loop kernels). The bound is rigorous, not a
 * fudge factor, yet sharp enough to catch real bugs: a dropped or duplicated k term changes z by
 * about |a·b| ≈ S/k, while tolZ ≈ (k+6)·6·10⁻⁸·S is orders of magnitude smaller for k ≤ 1500.
 * FLT_MIN only absorbs underflow; with the inputs used here it never matters.
 *
 * <p>The activation output g(ẑ) is allowed L·tolZ (L = the Lipschitz constant of g: 1 for identity
 * and ReLU, max(1, |leak|) for leaky ReLU, 1/4 for sigmoid, 1 for tanh) plus its own evaluation
 * error: exact for identity and ReLU, one rounding for leaky ReLU, and 8·u·|g| (four float ulps)
 * for sigmoid and tanh, whose vectorized exp/tanh are not required to be correctly rounded.
 * Two backends are compared with the sum of their two bounds (triangle inequality).
 */
public final class GemmProblem {
    static final double U = 0x1p-24;
    private static final float SENTINEL = -1234.5678f;
    private static final int PAD_ROWS = 2, PAD_COLS = 5, ROW0 = 1, COL0 = 3;

    public final int m, n, k;
    boolean transA, transB;
    float alpha = 1f, beta;
    Activation activation = Activation.IDENTITY;
    float leak;
    boolean withBias, withPre;
    boolean stridedA, stridedB, stridedC, stridedPre;
    long seed = 1;

    private float[] a, b, c0, bias;
    private double[] zRef, scale;

    public GemmProblem(int m, int n, int k) {
        this.m = m;
        this.n = n;
        this.k = k;
    }

    public GemmProblem trans(boolean transA, boolean transB) {
        this.transA = transA;
        this.transB = transB;
        return this;
    }

    public GemmProblem scale(float alpha, float beta) {
        this.alpha = alpha;
        this.beta = beta;
        return this;
    }

    public GemmProblem epilogue(Activation activation, float leak, boolean withBias, boolean withPre) {
        this.activation = activation;
        this.leak = leak;
        this.withBias = withBias;
        this.withPre = withPre;
        return this;
    }

    /** Which operands are strided views; the pre-activation follows C unless {@link #stridedPre} says otherwise. */
    public GemmProblem strided(boolean a, boolean b, boolean c) {
        this.stridedA = a;
        this.stridedB = b;
        this.stridedC = c;
        this.stridedPre = c;
        return this;
    }

    /** Lays the pre-activation out independently of C, so a kernel that mixes up their strides fails. */
    public GemmProblem stridedPre(boolean pre) {
        this.stridedPre = pre;
        return this;
    }

    public GemmProblem seed(long seed) {
        this.seed = seed;
        return this;
    }

    public boolean hasEpilogue() {
        return withBias || withPre || activation != Activation.IDENTITY;
    }

    int aRows() { return transA ? k : m; }

    int aCols() { return transA ? m : k; }

    int bRows() { return transB ? n : k; }

    int bCols() { return transB ? k : n; }

    private void generate() {
        if (a != null) return;
        SplittableRandom rnd = new SplittableRandom(seed);
        a = random(rnd, aRows() * aCols());
        b = random(rnd, bRows() * bCols());
        c0 = random(rnd, m * n);
        bias = withBias ? random(rnd, n) : null;
    }

    private static float[] random(SplittableRandom rnd, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
        return v;
    }

    /** Inputs, row-major in their stored (not transposed) shapes; {@code c0} is C before the call. */
    public float[] a() { generate(); return a; }

    public float[] b() { generate(); return b; }

    public float[] c0() { generate(); return c0; }

    /** What one backend produced for this problem. */
    public record Outcome(String backend, int kc, float[] c, float[] pre, String layoutViolation) {}

    /** Lays the problem out in fresh memory, runs it on {@code kernels} and captures the result. */
    public Outcome run(Kernels kernels) {
        int kc = kernels instanceof SimdKernels s ? s.gemmBlocks().kc() : k;
        return run(kernels.name(), kc, (ta, tb, al, am, bm, be, cm, ep) -> kernels.gemm(ta, tb, al, am, bm, be, cm, ep));
    }

    /** The kernels' gemm signature, so tests can drive a bare GEMM driver too. */
    @FunctionalInterface
    public interface Gemm {
        void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c, Epilogue ep);
    }

    /** Like {@link #run(Kernels)} for any GEMM implementation whose K block is {@code kc}. */
    public Outcome run(String backend, int kc, Gemm gemm) {
        generate();
        try (Arena arena = Arena.ofShared()) {
            Matrix am = input(arena, aRows(), aCols(), stridedA, a);
            Matrix bm = input(arena, bRows(), bCols(), stridedB, b);
            Matrix biasm = withBias ? input(arena, 1, n, stridedB, bias) : null;
            Matrix cParent = parent(arena, m, n, stridedC, SENTINEL);
            Matrix cm = view(cParent, m, n, stridedC);
            if (beta == 0f) cm.fill(Float.NaN); else cm.copyFrom(c0);
            Matrix preParent = withPre ? parent(arena, m, n, stridedPre, SENTINEL) : null;
            Matrix prem = withPre ? view(preParent, m, n, stridedPre).fill(Float.NaN) : null;
            float[] aBefore = am.toArray(), bBefore = bm.toArray();

            gemm.gemm(transA, transB, alpha, am, bm, beta, cm, new Epilogue(biasm, activation, leak, prem));

            String violation = outsideWritten(cParent, stridedC, "C");
            if (violation == null && withPre) violation = outsideWritten(preParent, stridedPre, "preActivation");
            if (violation == null && !Arrays.equals(aBefore, am.toArray())) violation = "A was modified";
            if (violation == null && !Arrays.equals(bBefore, bm.toArray())) violation = "B was modified";
            return new Outcome(backend, kc, cm.toArray(), withPre ? prem.toArray() : null, violation);
        }
    }

    private static Matrix parent(Arena arena, int rows, int cols, boolean strided, float fill) {
        Matrix p = strided ? Matrix.allocate(arena, rows + PAD_ROWS, cols + PAD_COLS)
                : Matrix.allocate(arena, rows, cols);
        return p.fill(fill);
    }

    private static Matrix view(Matrix parent, int rows, int cols, boolean strided) {
        return strided ? parent.view(ROW0, COL0, rows, cols) : parent;
    }

    private static Matrix input(Arena arena, int rows, int cols, boolean strided, float[] data) {
        return view(parent(arena, rows, cols, strided, Float.NaN), rows, cols, strided).copyFrom(data);
    }

    /** Null when every element of {@code parent} outside the view still holds the sentinel. */
    private String outsideWritten(Matrix parent, boolean strided, String what) {
        if (!strided) return null;
        for (int r = 0; r < parent.rows(); r++) {
            for (int c = 0; c < parent.cols(); c++) {
                boolean inside = r >= ROW0 && r < ROW0 + m && c >= COL0 && c < COL0 + n;
                if (!inside && Float.floatToRawIntBits(parent.get(r, c)) != Float.floatToRawIntBits(SENTINEL)) {
                    return "wrote outside the " + what + " view at parent (" + r + ", " + c + "): " + parent.get(r, c);
                }
            }
        }
        return null;
    }

    private void reference() {
        if (zRef != null) return;
        generate();
        zRef = new double[m * n];
        scale = new double[m * n];
        double[] arow = new double[k];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) arow[p] = a[transA ? p * m + i : i * k + p];
            for (int j = 0; j < n; j++) {
                double dot = 0, abs = 0;
                for (int p = 0; p < k; p++) {
                    double y = b[transB ? j * k + p : p * n + j];
                    dot += arow[p] * y;
                    abs += Math.abs(arow[p] * y);
                }
                double z = (double) alpha * dot;
                double s = Math.abs(alpha) * abs;
                if (beta != 0f) {
                    z += (double) beta * c0[i * n + j];
                    s += Math.abs((double) beta * c0[i * n + j]);
                }
                if (withBias) {
                    z += bias[j];
                    s += Math.abs(bias[j]);
                }
                zRef[i * n + j] = z;
                scale[i * n + j] = s;
            }
        }
    }

    /** The exact pre-activation z_ij (double precision). */
    public double exactZ(int i, int j) {
        reference();
        return zRef[i * n + j];
    }

    double gExact(double z) {
        return switch (activation) {
            case IDENTITY -> z;
            case RELU -> z > 0 ? z : 0;
            case LEAKY_RELU -> z > 0 ? z : leak * z;
            case SIGMOID -> 1 / (1 + Math.exp(-z));
            case TANH -> Math.tanh(z);
        };
    }

    private double lipschitz() {
        return switch (activation) {
            case IDENTITY, RELU, TANH -> 1;
            case LEAKY_RELU -> Math.max(1, Math.abs(leak));
            case SIGMOID -> 0.25;
        };
    }

    private double activationUlps() {
        return switch (activation) {
            case IDENTITY, RELU -> 0;
            case LEAKY_RELU -> 1;
            case SIGMOID, TANH -> 8;
        };
    }

    /** The bound on |ẑ_ij − z_ij| for a backend whose K block is {@code kc} (see class comment). */
    public double tolZ(int i, int j, int kc) {
        reference();
        double r = k + 2.0 * ((k + kc - 1) / kc) + 4;
        double gamma = r * U / (1 - r * U);
        return gamma * scale[i * n + j] + Float.MIN_NORMAL;
    }

    /** The bound on |g(ẑ)_ij − g(z_ij)|. */
    public double tolOut(int i, int j, int kc) {
        double l = lipschitz() * tolZ(i, j, kc);
        return (1 + activationUlps() * U) * l + activationUlps() * U * Math.abs(gExact(exactZ(i, j))) + Float.MIN_NORMAL;
    }

    /** Null when {@code o} is within the bound of the double-precision reference, else why not. */
    public String checkAgainstReference(Outcome o) {
        if (o.layoutViolation() != null) return o.backend() + ": " + o.layoutViolation() + " in " + this;
        reference();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double z = zRef[i * n + j];
                double got = o.c()[i * n + j];
                double tol = tolOut(i, j, o.kc());
                if (!(Math.abs(got - gExact(z)) <= tol)) {
                    return mismatch(o.backend() + " C vs double reference", i, j, got, gExact(z), tol);
                }
                if (withPre) {
                    double pre = o.pre()[i * n + j];
                    double tz = tolZ(i, j, o.kc());
                    if (!(Math.abs(pre - z) <= tz)) {
                        return mismatch(o.backend() + " preActivation vs double reference", i, j, pre, z, tz);
                    }
                }
            }
        }
        return null;
    }

    /** Null when two backends agree within the sum of their bounds, else why not. */
    public String checkAgreement(Outcome x, Outcome y) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double tol = tolOut(i, j, x.kc()) + tolOut(i, j, y.kc());
                float cx = x.c()[i * n + j], cy = y.c()[i * n + j];
                if (!(Math.abs((double) cx - cy) <= tol)) {
                    return mismatch(x.backend() + " vs " + y.backend() + " C", i, j, cx, cy, tol);
                }
                if (withPre) {
                    double tz = tolZ(i, j, x.kc()) + tolZ(i, j, y.kc());
                    float px = x.pre()[i * n + j], py = y.pre()[i * n + j];
                    if (!(Math.abs((double) px - py) <= tz)) {
                        return mismatch(x.backend() + " vs " + y.backend() + " preActivation", i, j, px, py, tz);
                    }
                }
            }
        }
        return null;
    }

    private String mismatch(String what, int i, int j, double got, double want, double tol) {
        return what + " at (" + i + ", " + j + "): " + got + " vs " + want + " (|diff| "
                + Math.abs(got - want) + " > tolerance " + tol + ") in " + this;
    }

    @Override
    public String toString() {
        return "GEMM m=" + m + " n=" + n + " k=" + k + " op=" + (transA ? "T" : "N") + (transB ? "T" : "N")
                + " alpha=" + alpha + " beta=" + beta + " epilogue=" + activation
                + (activation == Activation.LEAKY_RELU ? "(" + leak + ")" : "")
                + (withBias ? "+bias" : "") + (withPre ? "+pre" : "")
                + " strided=" + (stridedA ? "A" : "") + (stridedB ? "B" : "") + (stridedC ? "C" : "")
                + (withPre && stridedPre ? "P" : "")
                + " seed=" + seed;
    }
}
