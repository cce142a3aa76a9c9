package dev.lanes.kernel.loop;

import dev.lanes.kernel.FusedShapes;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The cross-entropies of {@link LoopLosses} with a weight per row (Keras's class_weight): each
 * row's term of the sum, and its gradient, times the row's weight; still divided by the row count.
 * The arithmetic is the unweighted kernels' with one more factor: the loss term times w in double,
 * the gradient's 1/m scale times w in float, so w = 1 gives their bits and w = 2 twice them.
 */
final class LoopWeightedLosses {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private LoopWeightedLosses() {}

    static float softmaxCrossEntropy(Matrix logits, Matrix targets, Matrix w, Matrix d) {
        FusedShapes.same("weightedSoftmaxCrossEntropy", "logits", logits, "targets", targets);
        FusedShapes.same("weightedSoftmaxCrossEntropy", "logits", logits, "dLogits", d);
        FusedShapes.rowWeights("weightedSoftmaxCrossEntropy", w, logits.rows());
        MemorySegment zs = logits.segment(), ys = targets.segment(), ws = w.segment(), ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        float invM = 1f / m;
        double total = 0;
        for (int r = 0; r < m; r++) {
            long zb = (long) r * logits.stride(), yb = (long) r * targets.stride(), db = (long) r * d.stride();
            float weight = ws.getAtIndex(F, (long) r * w.stride());
            float scale = invM * weight;
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
                float pSy = (float) (ds.getAtIndex(F, db + c) / sum * sy);
                ds.setAtIndex(F, db + c, (pSy - ys.getAtIndex(F, yb + c)) * scale);
            }
        }
        return (float) (total / m);
    }

    static float sparseSoftmaxCrossEntropy(Matrix logits, Matrix labels, Matrix w, Matrix d) {
        FusedShapes.labels("weightedSparseSoftmaxCrossEntropy", labels, logits.rows());
        FusedShapes.same("weightedSparseSoftmaxCrossEntropy", "logits", logits, "dLogits", d);
        FusedShapes.rowWeights("weightedSparseSoftmaxCrossEntropy", w, logits.rows());
        MemorySegment zs = logits.segment(), ls = labels.segment(), ws = w.segment(), ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        float invM = 1f / m;
        double total = 0;
        for (int r = 0; r < m; r++) {
            long zb = (long) r * logits.stride(), db = (long) r * d.stride();
            int label = FusedShapes.classIndex("weightedSparseSoftmaxCrossEntropy",
                    ls.getAtIndex(F, (long) r * labels.stride()), r, n);
            float weight = ws.getAtIndex(F, (long) r * w.stride());
            float scale = invM * weight;
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

    static float sigmoidBinaryCrossEntropy(Matrix logits, Matrix targets, Matrix w, Matrix d) {
        FusedShapes.same("weightedSigmoidBinaryCrossEntropy", "logits", logits, "targets", targets);
        FusedShapes.same("weightedSigmoidBinaryCrossEntropy", "logits", logits, "dLogits", d);
        FusedShapes.rowWeights("weightedSigmoidBinaryCrossEntropy", w, logits.rows());
        MemorySegment zs = logits.segment(), ys = targets.segment(), ws = w.segment(), ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        double count = (double) m * n;
        float scale = (float) (1.0 / count);
        double total = 0;
        for (int r = 0; r < m; r++) {
            long zb = (long) r * logits.stride(), yb = (long) r * targets.stride(), db = (long) r * d.stride();
            float weight = ws.getAtIndex(F, (long) r * w.stride());
            float rowScale = scale * weight;
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
}
