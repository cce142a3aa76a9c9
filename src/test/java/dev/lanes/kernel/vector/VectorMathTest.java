package dev.lanes.kernel.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The vector polynomials against double-precision {@code Math}, over a dense sweep of each
 * function's working range plus its edges. The error measure is |got − exact| / max(|exact|, tiny),
 * in units of float epsilon (2⁻²³ ≈ 1.19e-7). Largest errors found (AVX-512, this JDK):
 * exp 0.68 eps, log1p 1.39 eps, tanh 1.01 eps, sigmoid 1.42 eps; the asserted bound is 4 eps, which a
 * wrong coefficient or range reduction exceeds by orders of magnitude.
 */
class VectorMathTest {
    private static final double EPS = Math.ulp(1f);

    /**
     * sum adds in one fixed pairwise order, whether it runs interpreted or compiled: bit for bit the
     * same tree computed here in scalar code, and the same as sumLanes on the stored vector. Values of mixed magnitude make every order give
     * different bits, so a sequential or implementation-chosen order (reduceLanes) fails this.
     */
    @Test
    void sumAddsLanesInOneFixedPairwiseOrder() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        int n = VectorMath.S.length();
        int differsFromSequential = 0;
        for (int trial = 0; trial < 20_000; trial++) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float) (random.nextDouble(-1, 1) * Math.pow(10, random.nextInt(-3, 4)));
            float[] tree = x.clone();
            for (int h = n / 2; h >= 1; h /= 2) {
                float[] next = new float[n];
                for (int i = 0; i < n; i++) next[i] = tree[i] + tree[i ^ h];
                tree = next;
            }
            float sequential = 0;
            for (float v : x) sequential += v;
            float got = VectorMath.sum(FloatVector.fromArray(VectorMath.S, x, 0));
            assertEquals(Float.floatToRawIntBits(tree[0]), Float.floatToRawIntBits(got), "trial " + trial);
            assertEquals(Float.floatToRawIntBits(got), Float.floatToRawIntBits(VectorMath.sumLanes(x.clone(), 0)),
                    "sumLanes, trial " + trial);
            if (got != sequential) differsFromSequential++;
            boolean[] keep = new boolean[n];
            for (int i = 0; i < n; i++) keep[i] = random.nextBoolean();
            float[] masked = new float[n];
            for (int i = 0; i < n; i++) masked[i] = keep[i] ? x[i] : 0f;
            assertEquals(VectorMath.sum(FloatVector.fromArray(VectorMath.S, masked, 0)),
                    VectorMath.sum(FloatVector.fromArray(VectorMath.S, x, 0),
                            jdk.incubator.vector.VectorMask.fromArray(VectorMath.S, keep, 0)), "masked, trial " + trial);
        }
        assertTrue(differsFromSequential > 100, "the inputs must tell orders apart: " + differsFromSequential);
    }

    @Test
    void expMatchesMathExpFromUnderflowToOverflow() {
        double worst = sweep(VectorMath::exp, Math::exp, -103f, 88.7f, 1e-37);
        assertTrue(worst <= 4, "exp worst error " + worst + " eps");
        float[] edges = {-1e4f, -200f, -105f, 89f, 100f, 1e4f, 0f, -0f};
        float[] got = apply(VectorMath::exp, edges);
        assertEquals(0f, got[0]);
        assertEquals(0f, got[1]);
        assertEquals(0f, got[2]);
        assertEquals(Float.POSITIVE_INFINITY, got[3]);
        assertEquals(Float.POSITIVE_INFINITY, got[5]);
        assertEquals(1f, got[6]);
        assertEquals(1f, got[7]);
        assertTrue(Float.isNaN(apply(VectorMath::exp, new float[] {Float.NaN})[0]));
    }

    @Test
    void expInPlaceIsExpBitForBitIncludingClampsAndSpecialValues() {
        int lanes = VectorMath.S.length();
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, -200f, 200f,
            -105f, 89f, -87.3f, 88.7f, 1e-30f, -1e-30f, Float.MIN_VALUE, 1f, -1f};
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        float[] a = new float[lanes * 64];
        for (int i = 0; i < a.length; i++) {
            a[i] = i < special.length ? special[i] : (float) (random.nextDouble() * 220 - 120);
        }
        float[] expected = new float[a.length];
        for (int i = 0; i < a.length; i += lanes) {
            VectorMath.exp(FloatVector.fromArray(VectorMath.S, a, i)).intoArray(expected, i);
        }
        // Counts that are not whole vectors end in the scalar tail, which must round the same way.
        for (int count : new int[] {a.length, 1, 7, lanes - 1, lanes + 1, 3 * lanes + 5, 97, a.length - 3}) {
            float[] b = a.clone();
            VectorMath.expInPlace(b, count);
            for (int i = 0; i < a.length; i++) {
                float want = i < count ? expected[i] : a[i];
                assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(b[i]), "count " + count + ", element " + i);
            }
        }
    }

    /**
     * expInPlace is meant to be compiled on its own (see its comment): over FreqInlineSize's default
     * of 325 bytes of bytecode, C2 does not inline it into a caller however hot the call.
     */
    @Test
    void expInPlaceStaysTooLargeForC2ToInline() throws java.io.IOException {
        byte[] bytes;
        try (var in = VectorMath.class.getResourceAsStream("VectorMath.class")) {
            bytes = in.readAllBytes();
        }
        int size = java.lang.classfile.ClassFile.of().parse(bytes).methods().stream()
                .filter(m -> m.methodName().equalsString("expInPlace"))
                .mapToInt(m -> m.findAttribute(java.lang.classfile.Attributes.code()).orElseThrow().codeLength())
                .findFirst().orElseThrow();
        assertTrue(size > 325, "expInPlace is " + size + " bytes of bytecode; C2 may inline it at 325 or fewer");
    }

    @Test
    void expNonPositiveMatchesMathExpOnItsDomain() {
        double worst = sweep(VectorMath::expNonPositive, Math::exp, -103f, 0f, 1e-37);
        assertTrue(worst <= 4, "expNonPositive worst error " + worst + " eps");
        float[] got = apply(VectorMath::expNonPositive, new float[] {Float.NEGATIVE_INFINITY, -1e4f, -105f, 0f, -0f});
        assertEquals(0f, got[0]);
        assertEquals(0f, got[1]);
        assertEquals(0f, got[2]);
        assertEquals(1f, got[3]);
        assertEquals(1f, got[4]);
        assertTrue(Float.isNaN(apply(VectorMath::expNonPositive, new float[] {Float.NaN})[0]));
    }

    @Test
    void log1pIsAccurateOnItsDomainTheUnitIntervalIncludingTinyArguments() {
        double worst = sweep(VectorMath::log1p, Math::log1p, 0f, 1f, 0);
        worst = Math.max(worst, sweep(VectorMath::log1p, Math::log1p, 1e-9f, 1e-3f, 0));
        assertTrue(worst <= 4, "log1p worst error " + worst + " eps");
        assertEquals(0f, apply(VectorMath::log1p, new float[] {0f})[0]);
    }

    @Test
    void tanhIsAccurateNearZeroAndSaturatesToPlusMinusOne() {
        double worst = sweep(VectorMath::tanh, Math::tanh, -12f, 12f, 0);
        worst = Math.max(worst, sweep(VectorMath::tanh, Math::tanh, -1e-3f, 1e-3f, 0));
        assertTrue(worst <= 4, "tanh worst error " + worst + " eps");
        float[] got = apply(VectorMath::tanh, new float[] {-1e4f, 1e4f, 0f});
        assertEquals(-1f, got[0]);
        assertEquals(1f, got[1]);
        assertEquals(0f, got[2]);
    }

    @Test
    void sigmoidKeepsRelativeAccuracyOnBothTails() {
        double worst = sweep(VectorMath::sigmoid, v -> 1 / (1 + Math.exp(-v)), -80f, 30f, 1e-37);
        assertTrue(worst <= 4, "sigmoid worst error " + worst + " eps");
        float[] got = apply(VectorMath::sigmoid, new float[] {-1e4f, 1e4f, 0f});
        assertEquals(0f, got[0]);
        assertEquals(1f, got[1]);
        assertEquals(0.5f, got[2]);
    }

    /** Worst relative error, in float eps, over 200,003 points of [lo, hi]. */
    private static double sweep(UnaryOperator<FloatVector> f, DoubleUnaryOperator exact, float lo, float hi,
                                double tiny) {
        int n = 200_003;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * i / (n - 1f);
        float[] got = apply(f, x);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double e = exact.applyAsDouble(x[i]);
            double err = Math.abs(got[i] - e) / Math.max(Math.abs(e), tiny) / EPS;
            if (!(err <= worst)) worst = err;
        }
        return worst;
    }

    private static float[] apply(UnaryOperator<FloatVector> f, float[] x) {
        int len = VectorMath.S.length();
        float[] padded = java.util.Arrays.copyOf(x, (x.length + len - 1) / len * len);
        float[] out = new float[padded.length];
        for (int i = 0; i < padded.length; i += len) {
            f.apply(FloatVector.fromArray(VectorMath.S, padded, i)).intoArray(out, i);
        }
        return java.util.Arrays.copyOf(out, x.length);
    }
}
