package dev.lanes.kernel;

/**
 * The counter-based generator behind dropout masks: the uniform for element {@code i} of a call is a
 * pure function of ({@code seed}, {@code step}, {@code i}), so a mask never depends on the thread
 * count, the backend or the order elements are visited in. Both backends compute exactly these
 * bits (the simd one lane-wise with the same 32-bit operations), so their masks are bitwise equal.
 *
 * <p>The element hash is two rounds of Wellons's "lowbias32" integer finalizer (xor-shift,
 * odd multiply; each step a bijection of 32-bit ints), keyed by two 32-bit words that splitmix64
 * derives from (seed, step). It is a permutation of the index space per key, with full avalanche;
 * dropout needs uncorrelated fair coins, not cryptographic strength. Indices are the row-major
 * position {@code r·cols + c}, taken modulo 2³², so the stream repeats only past 4·10⁹ elements.
 */
public final class CounterRng {
    /** Multipliers of the lowbias32 finalizer. */
    public static final int MUL1 = 0x7feb352d;
    public static final int MUL2 = 0x846ca68b;
    /** 2⁻²⁴: the top 24 hash bits scaled to [0, 1), exactly representable as float. */
    public static final float UNIT = 0x1p-24f;

    private CounterRng() {}

    /** The per-call key: low word k0, high word k1. */
    public static long key(long seed, long step) {
        return splitmix64(seed ^ splitmix64(step ^ 0x5DEECE66DL));
    }

    public static int k0(long key) { return (int) key; }

    public static int k1(long key) { return (int) (key >>> 32); }

    /** One lowbias32 round. */
    public static int mix(int x) {
        x ^= x >>> 16;
        x *= MUL1;
        x ^= x >>> 15;
        x *= MUL2;
        x ^= x >>> 16;
        return x;
    }

    /** The 32 random bits of element {@code index}. */
    public static int bits(int k0, int k1, int index) {
        return mix(mix(index ^ k0) + k1);
    }

    /** A uniform in [0, 1) with 24 random bits: {@code (bits >>> 8)·2⁻²⁴}, exact in float. */
    public static float uniform(int k0, int k1, int index) {
        return (bits(k0, k1, index) >>> 8) * UNIT;
    }

    private static long splitmix64(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
