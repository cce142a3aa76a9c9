package dev.lanes.kernel.simd;

import static dev.lanes.kernel.simd.Vec.FLOAT;
import static dev.lanes.kernel.simd.Vec.L;
import static dev.lanes.kernel.simd.Vec.NATIVE;
import static dev.lanes.kernel.simd.Vec.S;
import static jdk.incubator.vector.FloatVector.fromMemorySegment;

import dev.lanes.kernel.FusedShapes;
import dev.lanes.kernel.vector.VectorMath;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.VectorMask;

/**
 * Softmax cross-entropy for rows narrower than one vector, with the gradient's rows back to back.
 * Row by row, a 10-class row fills 10 of 16 lanes, and every load, store and sum is masked and
 * reduced across lanes: 128×10 took about 6 µs, 5 ns an element. Here blocks of {@link #ROWS} rows
 * go in three passes: scalar row maxima writing z − max into the gradient, one vector exp over the
 * block's contiguous floats (160 for 10 classes: ten whole vectors), then scalar sums and scaling.
 * The exponentials are {@link VectorMath#exp}'s, as on the wide path; only the order of the row
 * sums differs. Per-row terms that the third pass needs wait in the thread's scratch array.
 */
final class NarrowSoftmaxCrossEntropy {
    /** Rows per block: the scratch array holds two floats per row. */
    static final int ROWS = 16;

    private NarrowSoftmaxCrossEntropy() {}

    /** One-hot or soft targets; see {@code SimdLosses.softmaxCrossEntropy}. */
    static float dense(Matrix logits, Matrix targets, Matrix d, float[] scratch) {
        MemorySegment zs = logits.segment(), ys = targets.segment(), ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        float invM = 1f / m;
        double total = 0;
        for (int r0 = 0; r0 < m; r0 += ROWS) {
            int rows = Math.min(ROWS, m - r0);
            for (int i = 0; i < rows; i++) {
                int r = r0 + i;
                long z = (long) r * logits.stride(), y = (long) r * targets.stride(), o = (long) r * n;
                float max = rowMax(zs, z, n);
                float sy = 0f, syz = 0f;
                for (int c = 0; c < n; c++) {
                    float shifted = zs.getAtIndex(FLOAT, z + c) - max;
                    float t = ys.getAtIndex(FLOAT, y + c);
                    sy += t;
                    syz = Math.fma(t, shifted, syz);
                    ds.setAtIndex(FLOAT, o + c, shifted);
                }
                scratch[i] = sy;
                scratch[ROWS + i] = syz;
            }
            expInPlace(ds, (long) r0 * n, rows * n);
            for (int i = 0; i < rows; i++) {
                int r = r0 + i;
                long y = (long) r * targets.stride(), o = (long) r * n;
                float s = 0f, rest = 0f;
                int ones = 0;
                for (int c = 0; c < n; c++) {
                    float e = ds.getAtIndex(FLOAT, o + c);
                    s += e;
                    if (e == 1f) ones++; else rest += e;
                }
                total += scratch[i] * SimdLosses.logOfSum(ones, rest) - scratch[ROWS + i];
                float invSum = 1f / s;
                for (int c = 0; c < n; c++) {
                    float e = ds.getAtIndex(FLOAT, o + c);
                    ds.setAtIndex(FLOAT, o + c, (e * invSum - ys.getAtIndex(FLOAT, y + c)) * invM);
                }
            }
        }
        return (float) (total / m);
    }

    /** Integer class labels, one per row; see {@code SimdLosses.sparseSoftmaxCrossEntropy}. */
    static float sparse(Matrix logits, Matrix labels, Matrix d, float[] scratch) {
        MemorySegment zs = logits.segment(), ls = labels.segment(), ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        float invM = 1f / m;
        double total = 0;
        for (int r0 = 0; r0 < m; r0 += ROWS) {
            int rows = Math.min(ROWS, m - r0);
            for (int i = 0; i < rows; i++) {
                int r = r0 + i;
                long z = (long) r * logits.stride(), o = (long) r * n;
                int label = FusedShapes.classIndex("sparseSoftmaxCrossEntropy",
                        ls.getAtIndex(FLOAT, (long) r * labels.stride()), r, n);
                float max = rowMax(zs, z, n);
                scratch[i] = zs.getAtIndex(FLOAT, z + label) - max;
                scratch[ROWS + i] = label;
                for (int c = 0; c < n; c++) {
                    ds.setAtIndex(FLOAT, o + c, zs.getAtIndex(FLOAT, z + c) - max);
                }
            }
            expInPlace(ds, (long) r0 * n, rows * n);
            for (int i = 0; i < rows; i++) {
                long o = (long) (r0 + i) * n;
                int label = (int) scratch[ROWS + i];
                float s = 0f, rest = 0f;
                int ones = 0;
                for (int c = 0; c < n; c++) {
                    float e = ds.getAtIndex(FLOAT, o + c);
                    s += e;
                    if (e == 1f) ones++; else rest += e;
                }
                total += SimdLosses.logOfSum(ones, rest) - scratch[i];
                float invSum = 1f / s;
                for (int c = 0; c < n; c++) {
                    float p = ds.getAtIndex(FLOAT, o + c) * invSum;
                    ds.setAtIndex(FLOAT, o + c, (c == label ? p - 1f : p) * invM);
                }
            }
        }
        return (float) (total / m);
    }

    /** As the vector row maximum: NaN wins, so a NaN row stays NaN. */
    private static float rowMax(MemorySegment zs, long z, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < n; c++) max = Math.max(max, zs.getAtIndex(FLOAT, z + c));
        return max;
    }

    /** x = exp(x) over {@code count} contiguous floats from float index {@code from}. */
    private static void expInPlace(MemorySegment ds, long from, int count) {
        long base = from * Float.BYTES;
        int i = 0;
        for (int bound = S.loopBound(count); i < bound; i += L) {
            long b = base + (long) i * Float.BYTES;
            VectorMath.exp(fromMemorySegment(S, ds, b, NATIVE)).intoMemorySegment(ds, b, NATIVE);
        }
        if (i < count) {
            VectorMask<Float> t = S.indexInRange(i, count);
            long b = base + (long) i * Float.BYTES;
            VectorMath.exp(fromMemorySegment(S, ds, b, NATIVE, t)).intoMemorySegment(ds, b, NATIVE, t);
        }
    }
}
