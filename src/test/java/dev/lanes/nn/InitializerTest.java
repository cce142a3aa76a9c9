package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.Matrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InitializerTest {
    private static final int FAN_IN = 200, FAN_OUT = 100;

    private static float[] draw(Initializer init, long seed) {
        try (Matrix w = Matrix.allocate(FAN_IN, FAN_OUT)) {
            init.initialize(w, FAN_IN, FAN_OUT, new SplittableRandom(seed));
            return w.toArray();
        }
    }

    private static double variance(float[] v) {
        double mean = 0, sq = 0;
        for (float x : v) mean += x;
        mean /= v.length;
        for (float x : v) sq += (x - mean) * (x - mean);
        return sq / v.length;
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    @Test
    void uniformVariantsRespectTheirLimitsAndVariance() {
        double glorotLimit = Math.sqrt(6.0 / (FAN_IN + FAN_OUT));
        float[] g = draw(Initializer.glorotUniform(), 1);
        assertTrue(maxAbs(g) <= glorotLimit);
        assertTrue(maxAbs(g) > 0.95 * glorotLimit);
        assertEquals(glorotLimit * glorotLimit / 3, variance(g), 0.03 * glorotLimit * glorotLimit / 3);
        double heLimit = Math.sqrt(6.0 / FAN_IN);
        float[] h = draw(Initializer.heUniform(), 1);
        assertTrue(maxAbs(h) <= heLimit && maxAbs(h) > 0.95 * heLimit);
        float[] u = draw(Initializer.uniform(0.05f), 1);
        assertTrue(maxAbs(u) <= 0.05);
    }

    @Test
    void normalVariantsHaveTheTargetVarianceAndAreTruncated() {
        assertVariance(Initializer.glorotNormal(), 2.0 / (FAN_IN + FAN_OUT), true);
        assertVariance(Initializer.heNormal(), 2.0 / FAN_IN, true);
        assertVariance(Initializer.lecunNormal(), 1.0 / FAN_IN, true);
        assertVariance(Initializer.normal(0.1f), 0.01, false);
    }

    private static void assertVariance(Initializer init, double expected, boolean truncated) {
        float[] v = draw(init, 3);
        assertEquals(expected, variance(v), 0.05 * expected, init.toString());
        if (truncated) {
            // Truncated at two stddevs of the underlying (corrected) normal.
            assertTrue(maxAbs(v) <= 2 * Math.sqrt(expected) / 0.87962566103423978 + 1e-6);
        }
    }

    @Test
    void seededAndConstant() {
        assertArrayEquals(draw(Initializer.heNormal(), 9), draw(Initializer.heNormal(), 9));
        float[] c = draw(Initializer.constant(0.25f), 0);
        for (float x : c) assertEquals(0.25f, x);
        for (float x : draw(Initializer.zeros(), 0)) assertEquals(0f, x);
    }
}
