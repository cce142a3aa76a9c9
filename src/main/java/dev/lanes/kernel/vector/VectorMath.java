package dev.lanes.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, log1p, tanh and sigmoid on float vectors, as short FMA polynomials (the Cephes single
 * precision approximations, about 1–2 ulp). {@code lanewise(EXP/TANH/LOG1P)} exists, but where the
 * JDK has no vector math library for the CPU (measured here on AVX-512 AMD: 4 ns per element for
 * EXP, no faster than {@code Math.exp}) it falls back to one scalar call per lane, which would make
 * every transcendental kernel scalar in disguise. These are branch-free and allocate nothing once
 * compiled. NaN in gives NaN out.
 *
 * <p>Each function calls nothing but the (force-inlined) Vector API, except for one call into the
 * exponential (exp, expNonPositive and sigmoid into {@code expClamped}, tanh into {@link #exp}):
 * C2 stops inlining ordinary methods once a compilation grows past a node budget, which one of
 * these polynomials nearly fills, and a vector passed to a method that was not inlined is boxed on
 * the heap. Callers keep one polynomial call site per loop for the same reason.
 */
public final class VectorMath {
    /** The species every function here works on: this CPU's preferred float vector. */
    public static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that n·LN2_HI is exact for the |n| ≤ 151 used here (Cody–Waite). */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2²³: adding it rounds to an integer held in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = 0x4B400000;
    /**
     * Clamps for exp: below −105 the result rounds to 0, above 89 it overflows to +∞; both come out
     * of the arithmetic by themselves because 2ⁿ is applied in two halves, each a normal float.
     */
    private static final float EXP_LO = -105f;
    private static final float EXP_HI = 89f;
    private static final float TANH_POLY_LIMIT = 0.625f;
    private static final int SIGN_BIT = 0x80000000;

    private VectorMath() {}

    /** Lane i ↔ lane i XOR h: the stages of a fixed pairwise summation tree (null past this species). */
    private static final VectorShuffle<Float> SWAP8 = swap(8), SWAP4 = swap(4), SWAP2 = swap(2), SWAP1 = swap(1);

    private static VectorShuffle<Float> swap(int h) {
        return h < S.length() ? VectorShuffle.fromOp(S, i -> i ^ h) : null;
    }

    /**
     * The sum of the lanes in one fixed order (a pairwise tree), whether this code runs compiled or
     * not. {@code reduceLanes(ADD)} leaves the order to the implementation, and on x86 C2 does use
     * a different order than the interpreter and C1 (JDK-8337062), so the same training run gave
     * different bits depending on how far compilation had got: an early run in a JVM and a later
     * one disagreed. Adds and lane moves are exact per lane in every mode.
     */
    public static float sum(FloatVector v) {
        if (S.length() > 8) v = v.add(v.rearrange(SWAP8));
        if (S.length() > 4) v = v.add(v.rearrange(SWAP4));
        if (S.length() > 2) v = v.add(v.rearrange(SWAP2));
        if (S.length() > 1) v = v.add(v.rearrange(SWAP1));
        return v.lane(0);
    }

    /**
     * {@link #sum(FloatVector)} of a vector stored at {@code a[off]} (S.length() floats; the array
     * is used as scratch), in the same order and so with the same result. For kernels whose
     * accumulators would otherwise be passed to a method C2 may not inline: such a vector is boxed.
     */
    public static float sumLanes(float[] a, int off) {
        for (int h = S.length() / 2; h >= 1; h /= 2) {
            for (int i = 0; i < h; i++) a[off + i] += a[off + i + h];
        }
        return a[off];
    }

    /** {@link #sum(FloatVector)} of the lanes set in {@code m} (the others count as +0). */
    public static float sum(FloatVector v, VectorMask<Float> m) {
        return sum(FloatVector.zero(S).blend(v, m));
    }

    /** eˣ: x = n·ln2 + r with |r| ≤ ln2/2, eʳ by a degree-7 polynomial, times 2ⁿ. */
    public static FloatVector exp(FloatVector x) {
        // Clamped with compare and blend: max/min keep Java's NaN and −0 rules, which costs about six
        // instructions each on x86. A NaN compares false and passes through to a NaN result.
        FloatVector xc = x.blend(EXP_LO, x.compare(VectorOperators.LT, EXP_LO));
        return expClamped(xc.blend(EXP_HI, xc.compare(VectorOperators.GT, EXP_HI)));
    }

    /**
     * eˣ for x ≤ 0 or NaN (what softmax needs: x − max), which needs only the low clamp. A positive x
     * gives a wrong result, not an exception.
     */
    public static FloatVector expNonPositive(FloatVector x) {
        return expClamped(x.blend(EXP_LO, x.compare(VectorOperators.LT, EXP_LO)));
    }

    /**
     * eˣ for x in [{@link #EXP_LO}, {@link #EXP_HI}] or NaN. The polynomial is Cephes's, evaluated
     * in Estrin's order (three independent FMAs, then two levels) rather than Horner's: five FMAs
     * in a row were the longest dependency chain of sigmoid and softmax.
     */
    private static FloatVector expClamped(FloatVector x) {
        FloatVector t = x.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector r2 = r.mul(r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        FloatVector q = r.fma(8.3334519073e-3f, 4.1665795894e-2f);
        FloatVector u = r.fma(1.6666665459e-1f, 5.0000001201e-1f);
        p = p.fma(r2, q).fma(r2, u);
        FloatVector y = p.fma(r2, r).add(1f);
        // 2ⁿ as 2^h·2^(n−h), h = n >> 1, each a normal float. t's bits are ROUND_BITS + n, and
        // ROUND_BITS and ROUND_BITS/2 have zero low bits, so they drop out of the 9 bits that the
        // shift by 23 keeps: the exponent fields come straight from t's bits.
        IntVector tb = t.reinterpretAsInts();
        IntVector h = tb.lanewise(VectorOperators.ASHR, 1);
        FloatVector scale1 = h.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scale2 = tb.sub(h).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(scale1).mul(scale2);
    }

    /**
     * a[i] = eˣ⁽ⁱ⁾ for i in [0, count): {@link #exp}, bit for bit, written out in the loop, with a
     * scalar tail that repeats its float operations in the same order.
     *
     * <p>Two compile-time limits shape this method. A kernel that calls {@link #exp} from its own loop
     * depends on C2 inlining the call, and in some JVMs C2 declined it ("low call site frequency") and
     * boxed every vector crossing the call, 192 B each; so every call in the loop is a force-inlined
     * Vector API method. And the vector loop alone is about 14,000 of the 18,000 nodes C2 parses
     * before it stops inlining (NodeCountInliningCutoff): inlined into the narrow softmax
     * cross-entropy (7,000 more), the loop's last operations were inlined late, and in about one JVM
     * in four a vector they passed stayed boxed, 80 B an iteration (6.4 KB a step at batch 128). So
     * this method is meant to be compiled on its own: with the scalar tail it is over 325 bytes of
     * bytecode, C2's limit for inlining even a hot call (FreqInlineSize), and a call per block costs
     * nothing next to the loop. {@code VectorMathTest} checks the size.
     */
    public static void expInPlace(float[] a, int count) {
        int i = 0;
        for (int whole = count - count % S.length(); i < whole; i += S.length()) {
            FloatVector x = FloatVector.fromArray(S, a, i);
            x = x.blend(EXP_LO, x.compare(VectorOperators.LT, EXP_LO));
            x = x.blend(EXP_HI, x.compare(VectorOperators.GT, EXP_HI));
            FloatVector t = x.fma(LOG2E, ROUND);
            FloatVector n = t.sub(ROUND);
            FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
            r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector r2 = r.mul(r);
            FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
            FloatVector q = r.fma(8.3334519073e-3f, 4.1665795894e-2f);
            FloatVector u = r.fma(1.6666665459e-1f, 5.0000001201e-1f);
            p = p.fma(r2, q).fma(r2, u);
            FloatVector y = p.fma(r2, r).add(1f);
            IntVector tb = t.reinterpretAsInts();
            IntVector h = tb.lanewise(VectorOperators.ASHR, 1);
            FloatVector scale1 = h.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector scale2 = tb.sub(h).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            y.mul(scale1).mul(scale2).intoArray(a, i);
        }
        for (; i < count; i++) {
            float x = a[i];
            if (x < EXP_LO) x = EXP_LO;
            if (x > EXP_HI) x = EXP_HI;
            float t = Math.fma(x, LOG2E, ROUND);
            float n = t - ROUND;
            float r = Math.fma(n, -LN2_LO, Math.fma(n, -LN2_HI, x));
            float r2 = r * r;
            float p = Math.fma(r, 1.9875691500e-4f, 1.3981999507e-3f);
            float q = Math.fma(r, 8.3334519073e-3f, 4.1665795894e-2f);
            float u = Math.fma(r, 1.6666665459e-1f, 5.0000001201e-1f);
            p = Math.fma(Math.fma(p, r2, q), r2, u);
            float y = Math.fma(p, r2, r) + 1f;
            int tb = Float.floatToRawIntBits(t), h = tb >> 1;
            a[i] = y * Float.intBitsToFloat((h + 127) << 23) * Float.intBitsToFloat((tb - h + 127) << 23);
        }
    }

    /**
     * log(1 + t) for t ∈ [0, 1] (what BCE needs: t = exp(−|z|)), as 2·atanh(s) with s = t/(2 + t) ∈
     * [0, ⅓]: 2(s + s³/3 + … + s¹⁷/17), whose next term is below 2⁻²⁸ relative. Accurate for tiny t
     * too (s ≈ t/2, no 1 + t rounding), and only ~12 vector operations, with no call inside, so
     * it stays cheap to inline next to {@link #exp} (C2's inlining stops at a node budget, and
     * a vector crossing a call that was not inlined is boxed on the heap).
     */
    public static FloatVector log1p(FloatVector t) {
        FloatVector s = t.div(t.add(2f));
        FloatVector s2 = s.mul(s);
        FloatVector p = s2.fma(FloatVector.broadcast(S, 2f / 17), FloatVector.broadcast(S, 2f / 15));
        p = p.fma(s2, FloatVector.broadcast(S, 2f / 13));
        p = p.fma(s2, FloatVector.broadcast(S, 2f / 11));
        p = p.fma(s2, FloatVector.broadcast(S, 2f / 9));
        p = p.fma(s2, FloatVector.broadcast(S, 2f / 7));
        p = p.fma(s2, FloatVector.broadcast(S, 2f / 5));
        p = p.fma(s2, FloatVector.broadcast(S, 2f / 3));
        return p.mul(s2).fma(s, s.add(s));
    }

    /**
     * tanh: an odd polynomial below |x| = 0.625 (where 1 − 2/(e²ˣ+1) would cancel), that formula
     * above it, with the sign restored; ±1 for large |x| since e²ˣ overflows to +∞.
     */
    public static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector e2x = exp(ax.add(ax));
        FloatVector z = x.mul(x);
        FloatVector p = z.fma(-5.70498872745e-3f, 2.06390887954e-2f);
        p = p.fma(z, FloatVector.broadcast(S, -5.37397155531e-2f));
        p = p.fma(z, FloatVector.broadcast(S, 1.33314422036e-1f));
        p = p.fma(z, FloatVector.broadcast(S, -3.33332819422e-1f));
        FloatVector small = p.mul(z).fma(x, x);
        FloatVector large = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e2x.add(1f)));
        large = large.blend(large.neg(), x.compare(VectorOperators.LT, 0f));
        return large.blend(small, ax.compare(VectorOperators.LT, TANH_POLY_LIMIT));
    }

    /**
     * 1/(1+e⁻ˣ) from t = e^(−|x|): 1/(1+t) for x ≥ 0, t/(1+t) below (one division either way, so
     * one rounding); never overflows. −|x| is x with the sign bit set, and needs only the low clamp.
     */
    public static FloatVector sigmoid(FloatVector x) {
        FloatVector z = x.reinterpretAsInts().or(SIGN_BIT).reinterpretAsFloats();
        FloatVector t = expClamped(z.blend(EXP_LO, z.compare(VectorOperators.LT, EXP_LO)));
        FloatVector numerator = FloatVector.broadcast(S, 1f).blend(t, x.compare(VectorOperators.LT, 0f));
        return numerator.div(t.add(1f));
    }
}
