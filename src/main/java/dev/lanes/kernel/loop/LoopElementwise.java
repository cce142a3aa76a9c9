package dev.lanes.kernel.loop;

import dev.lanes.kernel.CounterRng;
import dev.lanes.kernel.FusedShapes;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Element-wise helpers and dropout as scalar loops, one row at a time. */
final class LoopElementwise {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private LoopElementwise() {}

    static void axpy(float alpha, Matrix x, Matrix y) {
        FusedShapes.same("axpy", "x", x, "y", y);
        MemorySegment xs = x.segment(), ys = y.segment();
        for (int r = 0; r < x.rows(); r++) {
            long xb = (long) r * x.stride(), yb = (long) r * y.stride();
            for (int c = 0; c < x.cols(); c++) {
                ys.setAtIndex(F, yb + c, alpha * xs.getAtIndex(F, xb + c) + ys.getAtIndex(F, yb + c));
            }
        }
    }

    static void scale(float alpha, Matrix x) {
        MemorySegment xs = x.segment();
        for (int r = 0; r < x.rows(); r++) {
            long xb = (long) r * x.stride();
            for (int c = 0; c < x.cols(); c++) {
                xs.setAtIndex(F, xb + c, alpha * xs.getAtIndex(F, xb + c));
            }
        }
    }

    static void copy(Matrix x, Matrix y) {
        FusedShapes.same("copy", "x", x, "y", y);
        MemorySegment xs = x.segment(), ys = y.segment();
        for (int r = 0; r < x.rows(); r++) {
            long xb = (long) r * x.stride(), yb = (long) r * y.stride();
            for (int c = 0; c < x.cols(); c++) {
                ys.setAtIndex(F, yb + c, xs.getAtIndex(F, xb + c));
            }
        }
    }

    static void gatherRows(Matrix source, int[] index, int from, Matrix out) {
        FusedShapes.gather("gatherRows", source, index, from, out);
        MemorySegment xs = source.segment(), ys = out.segment();
        for (int r = 0; r < out.rows(); r++) {
            long xb = (long) index[from + r] * source.stride(), yb = (long) r * out.stride();
            for (int c = 0; c < out.cols(); c++) {
                ys.setAtIndex(F, yb + c, xs.getAtIndex(F, xb + c));
            }
        }
    }

    static void fill(Matrix x, float value) {
        MemorySegment xs = x.segment();
        for (int r = 0; r < x.rows(); r++) {
            long xb = (long) r * x.stride();
            for (int c = 0; c < x.cols(); c++) {
                xs.setAtIndex(F, xb + c, value);
            }
        }
    }

    static void multiply(Matrix a, Matrix b, Matrix out) {
        FusedShapes.same("multiply", "a", a, "b", b);
        FusedShapes.same("multiply", "a", a, "out", out);
        MemorySegment as = a.segment(), bs = b.segment(), os = out.segment();
        for (int r = 0; r < a.rows(); r++) {
            long ab = (long) r * a.stride(), bb = (long) r * b.stride(), ob = (long) r * out.stride();
            for (int c = 0; c < a.cols(); c++) {
                os.setAtIndex(F, ob + c, as.getAtIndex(F, ab + c) * bs.getAtIndex(F, bb + c));
            }
        }
    }

    static void clamp(Matrix x, float lo, float hi) {
        MemorySegment xs = x.segment();
        for (int r = 0; r < x.rows(); r++) {
            long xb = (long) r * x.stride();
            for (int c = 0; c < x.cols(); c++) {
                xs.setAtIndex(F, xb + c, Math.min(Math.max(xs.getAtIndex(F, xb + c), lo), hi));
            }
        }
    }

    /**
     * mask = (u &lt; keep)/keep with u from {@link CounterRng} at the row-major index (compared as
     * 16-bit integers, {@code bits16 < threshold(keep)}); out = x·mask.
     */
    static void dropoutForward(Matrix x, Matrix mask, Matrix out, float keep, long seed, long step) {
        FusedShapes.keepProbability(keep);
        FusedShapes.same("dropoutForward", "x", x, "mask", mask);
        FusedShapes.same("dropoutForward", "x", x, "out", out);
        long key = CounterRng.key(seed, step);
        int k0 = CounterRng.k0(key), k1 = CounterRng.k1(key);
        float kept = 1f / keep;
        int threshold = CounterRng.threshold(keep);
        MemorySegment xs = x.segment(), ms = mask.segment(), os = out.segment();
        int cols = x.cols();
        for (int r = 0; r < x.rows(); r++) {
            long xb = (long) r * x.stride(), mb = (long) r * mask.stride(), ob = (long) r * out.stride();
            int index = r * cols;
            for (int c = 0; c < cols; c++) {
                float m = CounterRng.bits16(k0, k1, index + c) < threshold ? kept : 0f;
                ms.setAtIndex(F, mb + c, m);
                os.setAtIndex(F, ob + c, xs.getAtIndex(F, xb + c) * m);
            }
        }
    }
}
