package dev.lanes.kernel.loop;

import dev.lanes.kernel.FusedShapes;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Losses with their gradient in one pass, as scalar loops; per-element math in double (the
 * max-shift of softmax included), sums in double. Every gradient may alias its first input: each
 * element is read before it is written.
 */
final class LoopLosses {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private LoopLosses() {}

    /**
     * Per row, with s = Σ exp(z − max): loss = Σ y·(log s − (z − max)), a sum of non-negative terms
     * for y ≥ 0, so neither log(0) nor cancellation can occur; dz = (softmax(z)·Σy − y)/m, the
     * derivative of that loss for any targets (softmax(z) − y only when the row sums to 1).
     */
    static float softmaxCrossEntropy(Matrix logits, Matrix targets, Matrix d) {
        return softmaxCrossEntropy("softmaxCrossEntropy", logits, targets, null, d);
    }

    /**
     * With {@code w} (an m×1 column, or null for none), row r's loss term and gradient times w[r],
     * still divided by m: the term in double, the gradient's 1/m scale in float, so w = 1 gives the
     * unweighted bits and w = 2 twice them.
     */
    static float softmaxCrossEntropy(String kernel, Matrix logits, Matrix targets, Matrix w, Matrix d) {
        FusedShapes.same(kernel, "logits", logits, "targets", targets);
        FusedShapes.same(kernel, "logits", logits, "dLogits", d);
        if (w != null) FusedShapes.rowWeights(kernel, w, logits.rows());
        MemorySegment zs = logits.segment(), ys = targets.segment(), ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        float invM = 1f / m;
        double total = 0;
        for (int r = 0; r < m; r++) {
            long zb = (long) r * logits.stride(), yb = (long) r * targets.stride(), db = (long) r * d.stride();
            float weight = rowWeight(w, r), scale = invM * weight;
            float max = LoopActivations.rowMax(zs, zb, n);
            double sum = 0, sy = 0, syz = 0;
            for (int c = 0; c < n; c++) {
                double shifted = (double) zs.getAtIndex(F, zb + c) - max;
                float y = ys.getAtIndex(F, yb + c);
                float e = (float) Math.exp(shifted);
                ds.setAtIndex(F, db + c, e);
                sum += e;
                sy += y;
                syz += (double) y * shifted;
            }
            total += weight * (sy * Math.log(sum) - syz);
            for (int c = 0; c < n; c++) {
                // ∂(Σy·log s)/∂z = p·Σy. Σy is exactly 1.0 for one-hot rows (a double sum of zeros
                // and one 1), and ×1.0 is exact, so their p, and their gradient, keep their bits.
                float pSy = (float) (ds.getAtIndex(F, db + c) / sum * sy);
                ds.setAtIndex(F, db + c, (pSy - ys.getAtIndex(F, yb + c)) * scale);
            }
        }
        return (float) (total / m);
    }

    /** Row r's weight, 1 without weights (×1 is exact: the unweighted bits). */
    static float rowWeight(Matrix w, int r) {
        return w == null ? 1f : w.segment().getAtIndex(F, (long) r * w.stride());
    }

    /** As {@link #softmaxCrossEntropy} with y one-hot at the class each row's label names. */
    static float sparseSoftmaxCrossEntropy(Matrix logits, Matrix labels, Matrix d) {
        return sparseSoftmaxCrossEntropy("sparseSoftmaxCrossEntropy", logits, labels, null, d);
    }

    /** With {@code w}, as {@link #softmaxCrossEntropy(String, Matrix, Matrix, Matrix, Matrix)} weighs rows. */
    static float sparseSoftmaxCrossEntropy(String kernel, Matrix logits, Matrix labels, Matrix w, Matrix d) {
        FusedShapes.labels(kernel, labels, logits.rows());
        FusedShapes.same(kernel, "logits", logits, "dLogits", d);
        if (w != null) FusedShapes.rowWeights(kernel, w, logits.rows());
        MemorySegment zs = logits.segment(), ls = labels.segment(), ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        float invM = 1f / m;
        double total = 0;
        for (int r = 0; r < m; r++) {
            long zb = (long) r * logits.stride(), db = (long) r * d.stride();
            int label = FusedShapes.classIndex(kernel, ls.getAtIndex(F, (long) r * labels.stride()), r, n);
            float weight = rowWeight(w, r), scale = invM * weight;
            float max = LoopActivations.rowMax(zs, zb, n);
            double labelShifted = (double) zs.getAtIndex(F, zb + label) - max;
            double sum = 0;
            for (int c = 0; c < n; c++) {
                float e = (float) Math.exp((double) zs.getAtIndex(F, zb + c) - max);
                ds.setAtIndex(F, db + c, e);
                sum += e;
            }
            total += weight * (Math.log(sum) - labelShifted);
            for (int c = 0; c < n; c++) {
                float p = (float) (ds.getAtIndex(F, db + c) / sum);
                ds.setAtIndex(F, db + c, (c == label ? p - 1f : p) * scale);
            }
        }
        return (float) (total / m);
    }

    /**
     * loss = max(z, 0) − z·y + log1p(exp(−|z|)), finite for every finite z; the sigmoid reuses
     * t = exp(−|z|): σ = 1/(1+t) for z ≥ 0, t/(1+t) below, so it never overflows either.
     */
    static float sigmoidBinaryCrossEntropy(Matrix logits, Matrix targets, Matrix d) {
        return sigmoidBinaryCrossEntropy("sigmoidBinaryCrossEntropy", logits, targets, null, d);
    }

    /** With {@code w}, every element of row r times w[r]; still divided by all m·n elements. */
    static float sigmoidBinaryCrossEntropy(String kernel, Matrix logits, Matrix targets, Matrix w, Matrix d) {
        FusedShapes.same(kernel, "logits", logits, "targets", targets);
        FusedShapes.same(kernel, "logits", logits, "dLogits", d);
        if (w != null) FusedShapes.rowWeights(kernel, w, logits.rows());
        MemorySegment zs = logits.segment(), ys = targets.segment(), ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        double count = (double) m * n;
        float scale = (float) (1.0 / count);
        double total = 0;
        for (int r = 0; r < m; r++) {
            long zb = (long) r * logits.stride(), yb = (long) r * targets.stride(), db = (long) r * d.stride();
            float weight = rowWeight(w, r), rowScale = scale * weight;
            for (int c = 0; c < n; c++) {
                double z = zs.getAtIndex(F, zb + c);
                double y = ys.getAtIndex(F, yb + c);
                double t = Math.exp(-Math.abs(z));
                total += weight * (Math.max(z, 0) - z * y + Math.log1p(t));
                double sigmoid = z >= 0 ? 1 / (1 + t) : t / (1 + t);
                ds.setAtIndex(F, db + c, (float) (sigmoid - y) * rowScale);
            }
        }
        return (float) (total / count);
    }

    static float meanSquaredError(Matrix p, Matrix y, Matrix d) {
        return meanSquaredError("meanSquaredError", p, y, null, d);
    }

    /** With {@code w} (m×1, or null), row r's terms and gradient times w[r]; still over all m·n elements. */
    static float meanSquaredError(String kernel, Matrix p, Matrix y, Matrix w, Matrix d) {
        checkRegression(kernel, p, y, w, d);
        MemorySegment ps = p.segment(), ys = y.segment(), ds = d.segment();
        double count = (double) p.rows() * p.cols();
        float scale = (float) (2.0 / count);
        double total = 0;
        for (int r = 0; r < p.rows(); r++) {
            long pb = (long) r * p.stride(), yb = (long) r * y.stride(), db = (long) r * d.stride();
            float weight = rowWeight(w, r), rowScale = scale * weight;
            for (int c = 0; c < p.cols(); c++) {
                float diff = ps.getAtIndex(F, pb + c) - ys.getAtIndex(F, yb + c);
                total += weight * ((double) diff * diff);
                ds.setAtIndex(F, db + c, diff * rowScale);
            }
        }
        return (float) (total / count);
    }

    static float meanAbsoluteError(Matrix p, Matrix y, Matrix d) {
        return meanAbsoluteError("meanAbsoluteError", p, y, null, d);
    }

    /** With {@code w}, as {@link #meanSquaredError(String, Matrix, Matrix, Matrix, Matrix)} weighs rows. */
    static float meanAbsoluteError(String kernel, Matrix p, Matrix y, Matrix w, Matrix d) {
        checkRegression(kernel, p, y, w, d);
        MemorySegment ps = p.segment(), ys = y.segment(), ds = d.segment();
        double count = (double) p.rows() * p.cols();
        float scale = (float) (1.0 / count);
        double total = 0;
        for (int r = 0; r < p.rows(); r++) {
            long pb = (long) r * p.stride(), yb = (long) r * y.stride(), db = (long) r * d.stride();
            float weight = rowWeight(w, r), rowScale = scale * weight;
            for (int c = 0; c < p.cols(); c++) {
                float diff = ps.getAtIndex(F, pb + c) - ys.getAtIndex(F, yb + c);
                total += weight * (double) Math.abs(diff);
                ds.setAtIndex(F, db + c, diff > 0f ? rowScale : diff < 0f ? -rowScale : 0f);
            }
        }
        return (float) (total / count);
    }

    /** ½d² for |d| ≤ δ, δ(|d| − ½δ) beyond; gradient d, or δ·sign(d) beyond, over m·n. */
    static float huber(Matrix p, Matrix y, float delta, Matrix d) {
        return huber("huber", p, y, delta, null, d);
    }

    /** With {@code w}, as {@link #meanSquaredError(String, Matrix, Matrix, Matrix, Matrix)} weighs rows. */
    static float huber(String kernel, Matrix p, Matrix y, float delta, Matrix w, Matrix d) {
        checkRegression(kernel, p, y, w, d);
        MemorySegment ps = p.segment(), ys = y.segment(), ds = d.segment();
        double count = (double) p.rows() * p.cols();
        float scale = (float) (1.0 / count);
        double total = 0;
        for (int r = 0; r < p.rows(); r++) {
            long pb = (long) r * p.stride(), yb = (long) r * y.stride(), db = (long) r * d.stride();
            float weight = rowWeight(w, r), rowScale = scale * weight;
            for (int c = 0; c < p.cols(); c++) {
                float diff = ps.getAtIndex(F, pb + c) - ys.getAtIndex(F, yb + c);
                float abs = Math.abs(diff);
                float grad;
                if (abs <= delta) {
                    total += weight * (0.5 * diff * diff);
                    grad = diff;
                } else {
                    total += weight * (delta * (abs - 0.5 * delta));
                    grad = Math.copySign(delta, diff);
                }
                ds.setAtIndex(F, db + c, grad * rowScale);
            }
        }
        return (float) (total / count);
    }

    private static void checkRegression(String kernel, Matrix p, Matrix y, Matrix w, Matrix d) {
        FusedShapes.same(kernel, "predictions", p, "targets", y);
        FusedShapes.same(kernel, "predictions", p, "dPredictions", d);
        if (w != null) FusedShapes.rowWeights(kernel, w, p.rows());
    }
}
