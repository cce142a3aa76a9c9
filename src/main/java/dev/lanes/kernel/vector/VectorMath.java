package dev.lanes.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, log1p, tanh and sigmoid on float vectors, as short FMA polynomials (the Cephes single
 * precision approximations, about 1–2 ulp). {@code lanewise(EXP/TANH/LOG1P)} exists, but where the
 * JDK has no vector math library for the CPU (measured here on AVX-512 AMD: 4 ns per element for
 * EXP, no faster than {@code Math.exp}) it falls back to one scalar call per lane, which would make
 * every transcendental kernel scalar in disguise. These are branch-free and allocate nothing once
 * compiled. NaN in gives NaN out.
 *
 * <p>Each function calls nothing but the (force-inlined) Vector API, except that sigmoid and tanh
 * call {@link #exp} first thing: C2 stops inlining ordinary methods once a compilation grows past
 * a node budget, which one of these polynomials nearly fills, and a vector passed to a method that
 * was not inlined is boxed on the heap. Callers keep one polynomial call site per loop for the
 * same reason.
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

    private VectorMath() {}

    /** eˣ: x = n·ln2 + r with |r| ≤ ln2/2, eʳ by a degree-6 polynomial, times 2ⁿ. */
    public static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = xc.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        IntVector ni = t.reinterpretAsInts().sub(ROUND_BITS);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector scale1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scale2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(scale1).mul(scale2);
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

    /** 1/(1+e⁻ˣ) from t = e^(−|x|): 1/(1+t) for x ≥ 0, t/(1+t) below; never overflows. */
    public static FloatVector sigmoid(FloatVector x) {
        FloatVector t = exp(x.abs().neg());
        FloatVector s = FloatVector.broadcast(S, 1f).div(t.add(1f));
        return s.blend(t.mul(s), x.compare(VectorOperators.LT, 0f));
    }
}
