package dev.lanes.kernel.loop;

import dev.lanes.kernel.FusedShapes;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Reductions as scalar loops, every sum accumulated in double. */
final class LoopReductions {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private LoopReductions() {}

    static void columnSums(Matrix x, float scale, Matrix out) {
        FusedShapes.row("columnSums", "out", out, x.cols());
        MemorySegment xs = x.segment(), os = out.segment();
        for (int c = 0; c < x.cols(); c++) {
            double sum = 0;
            for (int r = 0; r < x.rows(); r++) {
                sum += xs.getAtIndex(F, (long) r * x.stride() + c);
            }
            os.setAtIndex(F, c, (float) (scale * sum));
        }
    }

    /** The first index holding the row's maximum under {@code >}; a NaN is never chosen unless first. */
    static void argmaxRows(Matrix x, int[] out) {
        FusedShapes.argmaxOut(x, out);
        MemorySegment xs = x.segment();
        for (int r = 0; r < x.rows(); r++) {
            long base = (long) r * x.stride();
            int best = 0;
            float bestValue = xs.getAtIndex(F, base);
            for (int c = 1; c < x.cols(); c++) {
                float v = xs.getAtIndex(F, base + c);
                if (v > bestValue) {
                    bestValue = v;
                    best = c;
                }
            }
            out[r] = best;
        }
    }

    static double sumOfSquares(Matrix x) {
        MemorySegment xs = x.segment();
        double sum = 0;
        for (int r = 0; r < x.rows(); r++) {
            long base = (long) r * x.stride();
            for (int c = 0; c < x.cols(); c++) {
                double v = xs.getAtIndex(F, base + c);
                sum += v * v;
            }
        }
        return sum;
    }

    static double sumOfAbs(Matrix x) {
        MemorySegment xs = x.segment();
        double sum = 0;
        for (int r = 0; r < x.rows(); r++) {
            long base = (long) r * x.stride();
            for (int c = 0; c < x.cols(); c++) {
                sum += Math.abs(xs.getAtIndex(F, base + c));
            }
        }
        return sum;
    }

    static boolean allFinite(Matrix x) {
        MemorySegment xs = x.segment();
        for (int r = 0; r < x.rows(); r++) {
            long base = (long) r * x.stride();
            for (int c = 0; c < x.cols(); c++) {
                if (!Float.isFinite(xs.getAtIndex(F, base + c))) return false;
            }
        }
        return true;
    }

    static float maxAbs(Matrix x) {
        MemorySegment xs = x.segment();
        float max = 0f;
        for (int r = 0; r < x.rows(); r++) {
            long base = (long) r * x.stride();
            for (int c = 0; c < x.cols(); c++) {
                float a = Math.abs(xs.getAtIndex(F, base + c));
                if (Float.isNaN(a)) return Float.NaN;
                if (a > max) max = a;
            }
        }
        return max;
    }
}
