package dev.lanes.cli;

import java.util.Arrays;

/**
 * Times one repeatable piece of work after the JIT has settled. Vector API code runs orders of
 * magnitude slower until C2 has compiled it, and on a loaded machine that takes seconds, so a fixed
 * warm-up count is either wasteful or wrong: {@link #warmUp} runs the work in short rounds until
 * the per-call time stops improving, then {@link #median} times batches sized from that settled
 * per-call time. Same rules as {@code lanes bench gemm}.
 */
final class SettledTimer {
    /** Warm-up and timing budget. */
    record Budget(double minWarmUpSeconds, double maxWarmUpSeconds, double quietSeconds, double batchSeconds,
                  int repeats) {
        static final Budget FULL = new Budget(2, 20, 1, 0.2, 5);
        /**
         * For smoke runs: shorter, but not so short that a C1-compiled plateau, which under load can
         * last a second before C2's code arrives, passes for the settled time.
         */
        static final Budget QUICK = new Budget(1.5, 6, 0.6, 0.05, 3);
    }

    private static final long ROUND_NANOS = 100_000_000L;
    /** A round has to beat the best so far by this factor to count as still improving. */
    private static final double IMPROVEMENT = 0.97;

    private SettledTimer() {}

    /**
     * Runs {@code work} in rounds of ~100 ms (at least 2 calls) until at least the minimum time has
     * passed and no round has improved on the best by 3% for {@code quietSeconds}, or the maximum
     * time is up.
     *
     * @return the best per-call time seen, in seconds
     */
    static double warmUp(Runnable work, Budget budget) {
        long start = System.nanoTime();
        long lastImprovement = start;
        double best = Double.MAX_VALUE;
        while (true) {
            long t0 = System.nanoTime();
            int calls = 0;
            while (System.nanoTime() - t0 < ROUND_NANOS || calls < 2) {
                work.run();
                calls++;
            }
            long now = System.nanoTime();
            double perCall = (now - t0) / 1e9 / calls;
            if (perCall < best * IMPROVEMENT) lastImprovement = now;
            best = Math.min(best, perCall);
            double elapsed = (now - start) / 1e9;
            if ((elapsed >= budget.minWarmUpSeconds() && (now - lastImprovement) / 1e9 >= budget.quietSeconds())
                    || elapsed >= budget.maxWarmUpSeconds()) {
                return best;
            }
        }
    }

    /**
     * Times {@code budget.repeats()} batches of calls, each about {@code budget.batchSeconds()} long
     * given the settled {@code perCallSeconds} (at least one call).
     *
     * @return seconds per call of each batch, in measurement order
     */
    static double[] time(Runnable work, double perCallSeconds, Budget budget) {
        int calls = callsPerBatch(perCallSeconds, budget);
        double[] seconds = new double[budget.repeats()];
        for (int r = 0; r < seconds.length; r++) seconds[r] = timeBatch(work, calls);
        return seconds;
    }

    /** Calls that make a batch about {@code budget.batchSeconds()} long, at least one. */
    static int callsPerBatch(double perCallSeconds, Budget budget) {
        return (int) Math.max(1, Math.min(1 << 30, Math.ceil(budget.batchSeconds() / perCallSeconds)));
    }

    /** Runs {@code calls} calls; returns seconds per call. */
    static double timeBatch(Runnable work, int calls) {
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) work.run();
        return (System.nanoTime() - t0) / 1e9 / calls;
    }

    /** Warm-up then the median seconds per call. */
    static double settledMedian(Runnable work, Budget budget) {
        return median(time(work, warmUp(work, budget), budget));
    }

    /** The median (the mean of the middle two for an even count); the input is not modified. */
    static double median(double[] values) {
        if (values.length == 0) throw new IllegalArgumentException("median of no values");
        double[] s = values.clone();
        Arrays.sort(s);
        int h = s.length / 2;
        return s.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2;
    }
}
