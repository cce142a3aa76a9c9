package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import org.junit.jupiter.api.Test;

/**
 * The variance-scaling initializers as Keras defines them (keras.initializers.VarianceScaling), drawn
 * through a Dense layer of 400 inputs and 50 units, so that the layer hands over fan_in = 400 and
 * fan_out = 50 the right way round. Keras: uniform limit √(3·scale/n); normal variants truncated at
 * two standard deviations with stddev √(scale/n)/0.87962566103423978. (torch's xavier_normal_ and
 * kaiming_normal_ are not truncated, and kaiming's default mode is also fan_in.)
 *
 * <p>Reference numbers (Python): {@code math.sqrt(6/450) = 0.11547005383792516},
 * {@code math.sqrt(6/400) = 0.1224744871391589}, target stddevs {@code math.sqrt(2/450) = 0.0666…},
 * {@code math.sqrt(2/400) = 0.07071067811865475}, {@code math.sqrt(1/400) = 0.05}; and the stddev of a
 * unit normal truncated to [−2, 2], {@code math.sqrt(1 - 2*a*phi(a)/erf(a/sqrt(2)))} at a = 2, is
 * {@code 0.8796256610342398}.
 */
class InitializerParityTest {
    private static final int FAN_IN = 400, FAN_OUT = 50;

    private static float[] draw(Initializer init) {
        try (Kernels k = Kernels.create("loop", 1);
             Sequential m = Sequential.builder(FAN_IN).kernels(k).seed(3)
                     .add(new Dense(FAN_OUT, Activation.linear(), init, false)).build()) {
            return m.getWeights().get(0);
        }
    }

    private static double maxAbs(float[] w) {
        double max = 0;
        for (float x : w) max = Math.max(max, Math.abs(x));
        return max;
    }

    private static double std(float[] w) {
        double s = 0, s2 = 0;
        for (float x : w) { s += x; s2 += (double) x * x; }
        double mean = s / w.length;
        return Math.sqrt(s2 / w.length - mean * mean);
    }

    private static void uniform(Initializer init, double limit) {
        float[] w = draw(init);
        assertTrue(maxAbs(w) <= limit && maxAbs(w) > 0.99 * limit, init + ": max |w| " + maxAbs(w) + ", limit " + limit);
        assertEquals(limit / Math.sqrt(3), std(w), 0.02 * limit / Math.sqrt(3), init + " stddev");
    }

    private static void truncatedNormal(Initializer init, double targetStd) {
        float[] w = draw(init);
        double cut = 2 * targetStd / 0.8796256610342398;
        assertTrue(maxAbs(w) <= cut + 1e-6 && maxAbs(w) > 0.97 * cut, init + ": max |w| " + maxAbs(w) + ", cut " + cut);
        assertEquals(targetStd, std(w), 0.02 * targetStd, init + " stddev");
    }

    @Test
    void glorotAndHeFollowKerasWithFanInFromTheLayerInputs() {
        uniform(Initializer.glorotUniform(), 0.11547005383792516);
        uniform(Initializer.heUniform(), 0.1224744871391589);
        truncatedNormal(Initializer.glorotNormal(), Math.sqrt(2.0 / 450));
        truncatedNormal(Initializer.heNormal(), 0.07071067811865475);
        truncatedNormal(Initializer.lecunNormal(), 0.05);
    }
}
