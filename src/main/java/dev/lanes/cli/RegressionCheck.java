package dev.lanes.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The verdicts of {@code lanes bench regress}, as a pure function of two sets of measurements.
 *
 * <p>Each benchmark's figure is a normalised cost (seconds per call × the reference kernel's FLOP/s
 * in the same round; lower is better), summarised over R rounds by its median and a robust spread.
 * A change is a regression only when it is beyond the threshold <em>and</em> beyond
 * {@value #NOISE_SIGMAS} standard errors of the two medians combined, so a noisy run is reported as
 * such instead of failing the build; a benchmark of the baseline that was not measured fails, so the
 * set cannot shrink unnoticed.
 */
final class RegressionCheck {
    private RegressionCheck() {}

    static final double NOISE_SIGMAS = 3;
    /** Standard deviation of a normal sample per unit of median absolute deviation. */
    private static final double MAD_TO_SIGMA = 1.4826;
    /** Standard error of a median per (σ/√n), for normal samples. */
    private static final double MEDIAN_EFFICIENCY = 1.2533;

    enum Verdict {
        OK("ok"), IMPROVED("faster"), NOISY("slower, within noise"), REGRESSION("REGRESSION"),
        MISSING("MISSING (not measured)"), NEW("new (not in baseline)");

        final String label;

        Verdict(String label) { this.label = label; }

        boolean fails() { return this == REGRESSION || this == MISSING; }
    }

    /**
     * One benchmark's result: median normalised cost, relative spread of single rounds (robust σ /
     * median) and the number of rounds.
     */
    record Measurement(double normalised, double relativeSigma, int rounds) {
        Measurement {
            if (!(normalised > 0) || !(relativeSigma >= 0) || rounds < 1) {
                throw new IllegalArgumentException("measurement needs normalised > 0, sigma >= 0, rounds >= 1; got "
                        + normalised + ", " + relativeSigma + ", " + rounds);
            }
        }

        /** Median and robust relative spread of the per-round normalised costs. */
        static Measurement of(double[] normalisedRounds) {
            double median = SettledTimer.median(normalisedRounds);
            double[] deviations = new double[normalisedRounds.length];
            for (int i = 0; i < deviations.length; i++) deviations[i] = Math.abs(normalisedRounds[i] - median);
            double sigma = MAD_TO_SIGMA * SettledTimer.median(deviations);
            return new Measurement(median, sigma / median, normalisedRounds.length);
        }

        /** Relative standard error of the median. */
        double relativeError() {
            return MEDIAN_EFFICIENCY * relativeSigma / Math.sqrt(rounds);
        }
    }

    /** One table row; {@code baseline} or {@code now} is null when that side lacks the benchmark. */
    record Row(String benchmark, Measurement baseline, Measurement now, double change, double noiseBand,
               Verdict verdict) {}

    /**
     * Compares every benchmark of either side, baseline order first, then new ones.
     *
     * @param threshold relative change that counts, e.g. 0.05 for 5%
     */
    static List<Row> compare(Map<String, Measurement> baseline, Map<String, Measurement> now, double threshold) {
        if (!(threshold >= 0)) throw new IllegalArgumentException("threshold must be >= 0, got " + threshold);
        Set<String> names = new LinkedHashSet<>(baseline.keySet());
        names.addAll(now.keySet());
        List<Row> rows = new ArrayList<>();
        for (String name : names) {
            Measurement b = baseline.get(name), n = now.get(name);
            if (n == null) {
                rows.add(new Row(name, b, null, Double.NaN, Double.NaN, Verdict.MISSING));
            } else if (b == null) {
                rows.add(new Row(name, null, n, Double.NaN, Double.NaN, Verdict.NEW));
            } else {
                double change = n.normalised() / b.normalised() - 1;
                double band = NOISE_SIGMAS * Math.hypot(b.relativeError(), n.relativeError());
                Verdict v;
                if (change > threshold) v = change > band ? Verdict.REGRESSION : Verdict.NOISY;
                else if (change < -threshold) v = Verdict.IMPROVED;
                else v = Verdict.OK;
                rows.add(new Row(name, b, n, change, band, v));
            }
        }
        return rows;
    }

    static boolean failed(List<Row> rows) {
        return rows.stream().anyMatch(r -> r.verdict().fails());
    }

    /**
     * {@code "5%"} or {@code "0.05"} → 0.05. A bare number must be a fraction below 1: "5" is far more
     * likely a forgotten % sign than a 500% threshold, which no regression could ever pass (bench/ab.sh's
     * ab_stats.py refuses it too).
     */
    static double parseThreshold(String text) {
        String t = text.trim();
        boolean percent = t.endsWith("%");
        double v;
        try {
            v = Args.decimalDouble(percent ? t.substring(0, t.length() - 1) : t);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (percent) v /= 100;
        if (!percent && v >= 1 && v < 1000) {
            throw new UsageException("--threshold '" + text.trim() + "' would be the fraction " + fmt(v) + ", i.e. "
                    + fmt(100 * v) + "%; did you mean " + fmt(v) + "%? (a fraction such as 0.05 works too)");
        }
        if (!(v >= 0 && v < 10)) {
            throw new UsageException("--threshold must be a percentage such as 5% (or a fraction such as 0.05), got '"
                    + text + "'");
        }
        return v;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
