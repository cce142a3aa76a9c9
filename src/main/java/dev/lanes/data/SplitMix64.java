package dev.lanes.data;

/**
 * A small seeded generator (SplitMix64, Steele, Lea and Flood 2014) with a fixed, documented
 * algorithm, so a seed gives the same shuffles and splits on every JVM and release. Allocation-free.
 */
final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    /** A generator for stream {@code index} of {@code seed} (e.g. one per epoch), independent of the others. */
    static SplitMix64 forStream(long seed, long index) {
        return new SplitMix64(mix(seed ^ mix(index + 0x632BE59BD9B4E019L)));
    }

    void reseed(long seed, long index) {
        state = mix(seed ^ mix(index + 0x632BE59BD9B4E019L));
    }

    long nextLong() {
        return mix(state += 0x9E3779B97F4A7C15L);
    }

    /** Uniform in {@code [0, bound)}, without modulo bias (Lemire's multiply-and-reject). */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        long m = (nextLong() >>> 32) * bound;
        if ((m & 0xffffffffL) < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while ((m & 0xffffffffL) < threshold) {
                m = (nextLong() >>> 32) * bound;
            }
        }
        return (int) (m >>> 32);
    }

    /** Uniform in {@code [0, 1)}: the top 53 bits of the next value. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Fisher–Yates shuffle of {@code a[from..to)}. */
    void shuffle(int[] a, int from, int to) {
        for (int i = to - 1; i > from; i--) {
            int j = from + nextInt(i - from + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
