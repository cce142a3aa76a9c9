package dev.lanes.kernel;

/**
 * The counter-based generator behind dropout masks: the random bits of element {@code i} of a call
 * are a pure function of ({@code seed}, {@code step}, {@code i}), so a mask never depends on the
 * thread count, the backend or the order elements are visited in. Both backends compute exactly
 * these bits (the simd one lane-wise with the same 32-bit operations), so their masks are bitwise
 * equal.
 *
 * <p>Hash {@code j} is two rounds of Wellons's "lowbias32" integer finalizer (xor-shift, odd
 * multiply; each step a bijection of 32-bit ints), keyed by two 32-bit words that splitmix64
 * derives from (seed, step). It is a permutation of the counter space per key, with full
 * avalanche; dropout needs uncorrelated fair coins, not cryptographic strength. Elements {@code 2j}
 * and {@code 2j+1} take the low and the high 16 bits of hash {@code j}: 16 bits decide a coin to
 * within 2⁻¹⁶ of its probability, and sharing one hash between two elements halves the multiplies,
 * which bounded the simd kernel (four 32-bit vector multiplies per 16 elements held it to a third
 * of copy bandwidth at 1M elements). The halves of a full-avalanche hash are as independent as two
 * hashes (checked in {@code DropoutKernelsTest}). Indices are the row-major position
 * {@code r·cols + c}, taken modulo 2³², so the stream repeats only past 4·10⁹ elements.
 */
public final class CounterRng {
    /** Multipliers of the lowbias32 finalizer. */
    public static final int MUL1 = 0x7feb352d;
    public static final int MUL2 = 0x846ca68b;

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

    /** The 32 random bits of hash {@code j}, shared by elements 2j and 2j + 1. */
    public static int bits(int k0, int k1, int j) {
        return mix(mix(j ^ k0) + k1);
    }

    /** The 16 random bits of element {@code index}: half {@code index & 1} of hash {@code index >>> 1}. */
    public static int bits16(int k0, int k1, int index) {
        return (bits(k0, k1, index >>> 1) >>> ((index & 1) << 4)) & 0xFFFF;
    }

    /**
     * The coin with probability p (in (0, 1]) comes up when {@code bits16 < threshold(p)}, that is
     * when the uniform {@code bits16·2⁻¹⁶} is below p: its probability is p rounded up to a multiple
     * of 2⁻¹⁶.
     */
    public static int threshold(float p) {
        return (int) Math.ceil(p * 65536.0);
    }

    /** A uniform in [0, 1) with 16 random bits: {@code bits16·2⁻¹⁶}, exact in float. */
    public static float uniform(int k0, int k1, int index) {
        return bits16(k0, k1, index) * 0x1p-16f;
    }

    private static long splitmix64(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
