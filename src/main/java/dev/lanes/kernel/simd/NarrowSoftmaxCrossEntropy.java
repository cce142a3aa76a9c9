package dev.lanes.kernel.simd;

import static dev.lanes.kernel.simd.Vec.FLOAT;
import static dev.lanes.kernel.simd.Vec.L;

import dev.lanes.kernel.FusedShapes;
import dev.lanes.kernel.vector.VectorMath;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;

/**
 * Softmax cross-entropy for rows narrower than one vector, with the gradient's rows back to back.
 * Row by row, a 10-class row fills 10 of 16 lanes, and every load, store and sum is masked and
 * reduced across lanes: 128×10 took about 6 µs, 5 ns an element. Here blocks of {@link #ROWS} rows
 * are copied into a heap array (one bulk copy per block when the logits are dense) and go through
 * three passes there: scalar row maxima and z − max, one vector exp over the block's contiguous
 * floats (160 for 10 classes: ten whole vectors), then scalar sums and scaling; one bulk copy
 * writes the block's gradient. The exponentials are {@link VectorMath#expInPlace}'s, the same as
 * {@link VectorMath#exp} on the wide path; only the order of the row sums differs. That call is
 * left to C2 to compile on its own, which it is sized for: inlined here, it passed C2's inlining
 * node budget and in some JVMs left a vector boxed every iteration.
 */
final class NarrowSoftmaxCrossEntropy {
    /** Rows per block. */
    static final int ROWS = 16;
    /** Per thread: the block (ROWS·(L−1) floats at most), its targets, and two floats per row. */
    private static final ThreadLocal<float[]> BLOCK = ThreadLocal.withInitial(() -> new float[2 * ROWS * L + 2 * ROWS]);
    private static final int TARGETS = ROWS * L, ROW_TERMS = 2 * ROWS * L;

    private NarrowSoftmaxCrossEntropy() {}

    /** One-hot or soft targets, rows weighed by {@code w} unless it is null; see {@code SimdLosses.softmaxCrossEntropy}. */
    static float dense(Matrix logits, Matrix targets, Matrix w, Matrix d) {
        float[] a = BLOCK.get();
        MemorySegment ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        float invM = 1f / m;
        double total = 0;
        for (int r0 = 0; r0 < m; r0 += ROWS) {
            int rows = Math.min(ROWS, m - r0);
            load(logits, r0, rows, a, 0);
            load(targets, r0, rows, a, TARGETS);
            for (int i = 0, o = 0; i < rows; i++, o += n) {
                float max = rowMax(a, o, n);
                float sy = 0f, syz = 0f;
                for (int c = o; c < o + n; c++) {
                    float shifted = a[c] - max, t = a[TARGETS + c];
                    sy += t;
                    syz = Math.fma(t, shifted, syz);
                    a[c] = shifted;
                }
                a[ROW_TERMS + i] = sy;
                a[ROW_TERMS + ROWS + i] = syz;
            }
            VectorMath.expInPlace(a, rows * n);
            for (int i = 0, o = 0; i < rows; i++, o += n) {
                // Σy/s, as on the wide path: the gradient of Σy·log s; 1f/s, bit for bit, for a
                // one-hot row (Σy exactly 1f).
                float weight = SimdLosses.rowWeight(w, r0 + i);
                float scale = a[ROW_TERMS + i] / rowSum(a, o, n), rowScale = invM * weight;
                total += weight * (a[ROW_TERMS + i] * logOfRowSum(a, o, n) - a[ROW_TERMS + ROWS + i]);
                for (int c = o; c < o + n; c++) a[c] = (a[c] * scale - a[TARGETS + c]) * rowScale;
            }
            MemorySegment.copy(a, 0, ds, FLOAT, (long) r0 * n * Float.BYTES, rows * n);
        }
        return (float) (total / m);
    }

    /** Integer class labels, one per row, rows weighed by {@code w} unless it is null; see {@code SimdLosses.sparseSoftmaxCrossEntropy}. */
    static float sparse(String kernel, Matrix logits, Matrix labels, Matrix w, Matrix d) {
        float[] a = BLOCK.get();
        MemorySegment ls = labels.segment(), ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        float invM = 1f / m;
        double total = 0;
        for (int r0 = 0; r0 < m; r0 += ROWS) {
            int rows = Math.min(ROWS, m - r0);
            load(logits, r0, rows, a, 0);
            for (int i = 0, o = 0; i < rows; i++, o += n) {
                int r = r0 + i;
                int label = FusedShapes.classIndex(kernel, ls.getAtIndex(FLOAT, (long) r * labels.stride()), r, n);
                float max = rowMax(a, o, n);
                a[ROW_TERMS + i] = a[o + label] - max;
                a[ROW_TERMS + ROWS + i] = label;
                for (int c = o; c < o + n; c++) a[c] -= max;
            }
            VectorMath.expInPlace(a, rows * n);
            for (int i = 0, o = 0; i < rows; i++, o += n) {
                int label = (int) a[ROW_TERMS + ROWS + i];
                float weight = SimdLosses.rowWeight(w, r0 + i);
                float invSum = 1f / rowSum(a, o, n), rowScale = invM * weight;
                total += weight * (logOfRowSum(a, o, n) - a[ROW_TERMS + i]);
                float labelP = a[o + label] * invSum;
                for (int c = o; c < o + n; c++) a[c] = a[c] * invSum * rowScale;
                a[o + label] = (labelP - 1f) * rowScale;
            }
            MemorySegment.copy(a, 0, ds, FLOAT, (long) r0 * n * Float.BYTES, rows * n);
        }
        return (float) (total / m);
    }

    /** Rows [r0, r0 + rows) of {@code x} into {@code a} from {@code at}, back to back. */
    private static void load(Matrix x, int r0, int rows, float[] a, int at) {
        int n = x.cols();
        if (x.stride() == n) {
            MemorySegment.copy(x.segment(), FLOAT, (long) r0 * n * Float.BYTES, a, at, rows * n);
        } else {
            for (int i = 0; i < rows; i++) {
                MemorySegment.copy(x.segment(), FLOAT, (long) (r0 + i) * x.stride() * Float.BYTES, a, at + i * n, n);
            }
        }
    }

    /** As the vector row maximum: NaN wins, so a NaN row stays NaN. */
    private static float rowMax(float[] a, int o, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = o; c < o + n; c++) max = Math.max(max, a[c]);
        return max;
    }

    private static float rowSum(float[] a, int o, int n) {
        float s = 0f;
        for (int c = o; c < o + n; c++) s += a[c];
        return s;
    }

    /** log Σ of a row of exponentials, from its ones (the maximum and ties) and the rest: see SimdLosses.logOfSum. */
    private static double logOfRowSum(float[] a, int o, int n) {
        float rest = 0f;
        int ones = 0;
        for (int c = o; c < o + n; c++) {
            float e = a[c];
            if (e == 1f) ones++; else rest += e;
        }
        return SimdLosses.logOfSum(ones, rest);
    }
}
