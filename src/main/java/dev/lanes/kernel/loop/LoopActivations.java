package dev.lanes.kernel.loop;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.FusedShapes;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Activations forward and backward, and row softmax, as scalar loops (one row at a time). */
final class LoopActivations {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private LoopActivations() {}

    /** {@code out = g(x)}, agreeing with {@link Activation#apply} element for element. */
    static void activate(Activation act, float leak, Matrix x, Matrix out) {
        FusedShapes.same("activate", "x", x, "out", out);
        MemorySegment xs = x.segment(), os = out.segment();
        int cols = x.cols();
        for (int r = 0; r < x.rows(); r++) {
            long xb = (long) r * x.stride(), ob = (long) r * out.stride();
            switch (act) {
                case IDENTITY -> {
                    for (int c = 0; c < cols; c++) os.setAtIndex(F, ob + c, xs.getAtIndex(F, xb + c));
                }
                case RELU -> {
                    for (int c = 0; c < cols; c++) {
                        float v = xs.getAtIndex(F, xb + c);
                        os.setAtIndex(F, ob + c, v <= 0f ? 0f : v); // Activation.apply's ReLU: NaN passes through
                    }
                }
                case LEAKY_RELU -> {
                    for (int c = 0; c < cols; c++) {
                        float v = xs.getAtIndex(F, xb + c);
                        os.setAtIndex(F, ob + c, v > 0f ? v : leak * v);
                    }
                }
                case SIGMOID -> {
                    for (int c = 0; c < cols; c++) {
                        float v = xs.getAtIndex(F, xb + c);
                        os.setAtIndex(F, ob + c, (float) (1.0 / (1.0 + Math.exp(-v))));
                    }
                }
                case TANH -> {
                    for (int c = 0; c < cols; c++) {
                        os.setAtIndex(F, ob + c, (float) Math.tanh(xs.getAtIndex(F, xb + c)));
                    }
                }
            }
        }
    }

    /** {@code dZ = dA ⊙ g′(a)} with g′ from the cached output a. */
    static void backward(Activation act, float leak, Matrix a, Matrix dA, Matrix dZ) {
        FusedShapes.same("activationBackward", "a", a, "dA", dA);
        FusedShapes.same("activationBackward", "a", a, "dZ", dZ);
        MemorySegment as = a.segment(), gs = dA.segment(), zs = dZ.segment();
        int cols = a.cols();
        for (int r = 0; r < a.rows(); r++) {
            long ab = (long) r * a.stride(), gb = (long) r * dA.stride(), zb = (long) r * dZ.stride();
            for (int c = 0; c < cols; c++) {
                zs.setAtIndex(F, zb + c, act.derivativeTimes(gs.getAtIndex(F, gb + c), as.getAtIndex(F, ab + c), leak));
            }
        }
    }

    /**
     * Row softmax: subtract the row maximum (in double: a float difference would be rounded, which
     * costs |x − max|·2⁻²⁴ of relative error in the exponential), exponentiate, divide by the
     * double row sum.
     */
    static void softmaxRows(Matrix x, Matrix out) {
        FusedShapes.same("softmaxRows", "x", x, "out", out);
        MemorySegment xs = x.segment(), os = out.segment();
        int cols = x.cols();
        for (int r = 0; r < x.rows(); r++) {
            long xb = (long) r * x.stride(), ob = (long) r * out.stride();
            float max = rowMax(xs, xb, cols);
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                float e = (float) Math.exp((double) xs.getAtIndex(F, xb + c) - max);
                os.setAtIndex(F, ob + c, e);
                sum += e;
            }
            for (int c = 0; c < cols; c++) {
                os.setAtIndex(F, ob + c, (float) (os.getAtIndex(F, ob + c) / sum));
            }
        }
    }

    static float rowMax(MemorySegment s, long base, int cols) {
        float max = s.getAtIndex(F, base);
        for (int c = 1; c < cols; c++) {
            max = Math.max(max, s.getAtIndex(F, base + c));
        }
        return max;
    }
}
