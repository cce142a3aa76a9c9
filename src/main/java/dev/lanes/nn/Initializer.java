package dev.lanes.nn;

import dev.lanes.tensor.Matrix;
import java.util.SplittableRandom;

/**
 * Fills a weight matrix given the layer's fan-in and fan-out, from a seeded generator so that a
 * model's initial weights depend only on its seed. The variance-scaling family follows Keras:
 * uniform variants draw from U(−limit, limit) with limit = √(3·scale/n), normal variants from a
 * normal truncated at two standard deviations whose stddev is corrected (÷ 0.8796) so that the
 * variance is still scale/n.
 *
 * <pre>{@code new Dense(64, Activation.relu(), Initializer.heUniform(), true) }</pre>
 */
@FunctionalInterface
public interface Initializer {

    /** Writes every element of {@code w}. */
    void initialize(Matrix w, int fanIn, int fanOut, SplittableRandom random);

    static Initializer zeros() { return constant(0f); }

    static Initializer ones() { return constant(1f); }

    static Initializer constant(float value) {
        return (w, fanIn, fanOut, random) -> w.fill(value);
    }

    /** N(0, stddev²), not truncated. */
    static Initializer normal(float stddev) {
        requirePositive(stddev, "stddev");
        return (w, fanIn, fanOut, random) -> fill(w, () -> (float) (random.nextGaussian() * stddev));
    }

    /** U(−scale, scale). */
    static Initializer uniform(float scale) {
        requirePositive(scale, "scale");
        return (w, fanIn, fanOut, random) -> fill(w, () -> (float) random.nextDouble(-scale, scale));
    }

    /** Glorot/Xavier uniform: limit √(6/(fan_in+fan_out)). The Keras default for weights. */
    static Initializer glorotUniform() { return varianceScaling(1.0, FanMode.AVERAGE, false); }

    /** Glorot/Xavier normal: variance 2/(fan_in+fan_out), truncated. */
    static Initializer glorotNormal() { return varianceScaling(1.0, FanMode.AVERAGE, true); }

    /** He uniform: limit √(6/fan_in). For ReLU layers. */
    static Initializer heUniform() { return varianceScaling(2.0, FanMode.IN, false); }

    /** He normal: variance 2/fan_in, truncated. */
    static Initializer heNormal() { return varianceScaling(2.0, FanMode.IN, true); }

    /** LeCun normal: variance 1/fan_in, truncated. */
    static Initializer lecunNormal() { return varianceScaling(1.0, FanMode.IN, true); }

    /** Which fan the variance is divided by. */
    enum FanMode { IN, OUT, AVERAGE }

    /** Variance {@code scale/n} with n the chosen fan; truncated normal or uniform. */
    static Initializer varianceScaling(double scale, FanMode mode, boolean normal) {
        return (w, fanIn, fanOut, random) -> {
            double n = switch (mode) {
                case IN -> fanIn;
                case OUT -> fanOut;
                case AVERAGE -> (fanIn + fanOut) / 2.0;
            };
            double variance = scale / Math.max(1.0, n);
            if (normal) {
                // 0.8796... is the stddev of a unit normal truncated to [-2, 2].
                double stddev = Math.sqrt(variance) / 0.87962566103423978;
                fill(w, () -> (float) (truncatedGaussian(random) * stddev));
            } else {
                double limit = Math.sqrt(3.0 * variance);
                fill(w, () -> (float) random.nextDouble(-limit, limit));
            }
        };
    }

    private static double truncatedGaussian(SplittableRandom random) {
        double g;
        do {
            g = random.nextGaussian();
        } while (Math.abs(g) > 2.0);
        return g;
    }

    private static void fill(Matrix w, FloatSource source) {
        float[] values = new float[w.rows() * w.cols()];
        for (int i = 0; i < values.length; i++) {
            values[i] = source.next();
        }
        w.copyFrom(values);
    }

    private static void requirePositive(float v, String what) {
        if (!(v > 0f) || Float.isInfinite(v)) {
            throw new IllegalArgumentException(what + " must be finite and > 0, got " + v);
        }
    }

    /** Draws one value; keeps the fill loop free of boxing. */
    @FunctionalInterface
    interface FloatSource {
        float next();
    }
}
