package dev.lanes.kernel.simd;

import static dev.lanes.kernel.simd.Vec.FLOAT;
import static dev.lanes.kernel.simd.Vec.L;
import static dev.lanes.kernel.simd.Vec.NATIVE;
import static dev.lanes.kernel.simd.Vec.S;
import static dev.lanes.kernel.simd.Vec.row;
import static jdk.incubator.vector.FloatVector.fromMemorySegment;

import dev.lanes.kernel.FusedShapes;
import dev.lanes.kernel.vector.VectorMath;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The cross-entropies of {@link SimdLosses} with a weight per row (Keras's class_weight). Each is
 * its unweighted twin with one more factor, applied where the unweighted kernel applies 1/m: the
 * row's loss term times w (in double), the gradient's scale times w (in float). So a weight of 1
 * gives the unweighted bits and a weight of 2 exactly twice them, and the summation order, hence
 * the agreement with the loop backend, is the unweighted kernel's.
 */
final class SimdWeightedLosses {
    private SimdWeightedLosses() {}

    static float softmaxCrossEntropy(Matrix logits, Matrix targets, Matrix w, Matrix d) {
        FusedShapes.same("weightedSoftmaxCrossEntropy", "logits", logits, "targets", targets);
        FusedShapes.same("weightedSoftmaxCrossEntropy", "logits", logits, "dLogits", d);
        FusedShapes.rowWeights("weightedSoftmaxCrossEntropy", w, logits.rows());
        if (SimdLosses.narrowDense(d)) return NarrowSoftmaxCrossEntropy.denseWeighted(logits, targets, w, d);
        float[] scratch = Vec.scratch();
        MemorySegment zs = logits.segment(), ys = targets.segment(), ws = w.segment(), ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        float invM = 1f / m;
        double total = 0;
        for (int r = 0; r < m; r++) {
            long zo = row(logits, r), yo = row(targets, r), dOff = row(d, r);
            float weight = ws.getAtIndex(FLOAT, (long) r * w.stride());
            float max = SimdActivations.rowMax(zs, zo, n);
            FloatVector sum = FloatVector.zero(S), rest = sum, sy = sum, syz = sum;
            int ones = 0;
            for (int i = 0; i < n; i += L) {
                VectorMask<Float> t = S.indexInRange(i, n);
                long b = (long) i * Float.BYTES;
                FloatVector shifted = fromMemorySegment(S, zs, zo + b, NATIVE, t).sub(max);
                FloatVector y = fromMemorySegment(S, ys, yo + b, NATIVE, t);
                FloatVector e = VectorMath.exp(shifted);
                e.intoMemorySegment(ds, dOff + b, NATIVE, t);
                sum = sum.add(e, t);
                VectorMask<Float> one = e.compare(VectorOperators.EQ, 1f).and(t);
                rest = rest.add(e, one.not().and(t));
                ones += one.trueCount();
                sy = sy.add(y);
                syz = y.fma(shifted, syz);
            }
            sum.intoArray(scratch, 0);
            float s = VectorMath.sumLanes(scratch, 0);
            rest.intoArray(scratch, 0);
            double logSum = SimdLosses.logOfSum(ones, VectorMath.sumLanes(scratch, 0));
            sy.intoArray(scratch, 0);
            syz.intoArray(scratch, 16);
            float targetSum = VectorMath.sumLanes(scratch, 0);
            total += weight * (targetSum * logSum - VectorMath.sumLanes(scratch, 16));
            SimdLosses.probabilitiesMinusTargets(ds, dOff, ys, yo, n, targetSum / s, invM * weight);
        }
        return (float) (total / m);
    }

    static float sparseSoftmaxCrossEntropy(Matrix logits, Matrix labels, Matrix w, Matrix d) {
        FusedShapes.labels("weightedSparseSoftmaxCrossEntropy", labels, logits.rows());
        FusedShapes.same("weightedSparseSoftmaxCrossEntropy", "logits", logits, "dLogits", d);
        FusedShapes.rowWeights("weightedSparseSoftmaxCrossEntropy", w, logits.rows());
        if (SimdLosses.narrowDense(d)) return NarrowSoftmaxCrossEntropy.sparseWeighted(logits, labels, w, d);
        float[] scratch = Vec.scratch();
        MemorySegment zs = logits.segment(), ls = labels.segment(), ws = w.segment(), ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        float invM = 1f / m;
        double total = 0;
        for (int r = 0; r < m; r++) {
            long zo = row(logits, r), dOff = row(d, r);
            int label = FusedShapes.classIndex("weightedSparseSoftmaxCrossEntropy",
                    ls.getAtIndex(FLOAT, (long) r * labels.stride()), r, n);
            float weight = ws.getAtIndex(FLOAT, (long) r * w.stride());
            float scale = invM * weight;
            float max = SimdActivations.rowMax(zs, zo, n);
            float labelShifted = zs.getAtIndex(FLOAT, zo / Float.BYTES + label) - max;
            FloatVector sum = FloatVector.zero(S), rest = sum;
            int ones = 0;
            for (int i = 0; i < n; i += L) {
                VectorMask<Float> t = S.indexInRange(i, n);
                long b = (long) i * Float.BYTES;
                FloatVector e = VectorMath.exp(fromMemorySegment(S, zs, zo + b, NATIVE, t).sub(max));
                e.intoMemorySegment(ds, dOff + b, NATIVE, t);
                sum = sum.add(e, t);
                VectorMask<Float> one = e.compare(VectorOperators.EQ, 1f).and(t);
                rest = rest.add(e, one.not().and(t));
                ones += one.trueCount();
            }
            sum.intoArray(scratch, 0);
            float s = VectorMath.sumLanes(scratch, 0);
            rest.intoArray(scratch, 0);
            total += weight * (SimdLosses.logOfSum(ones, VectorMath.sumLanes(scratch, 0)) - labelShifted);
            float invSum = 1f / s;
            float labelP = ds.getAtIndex(FLOAT, dOff / Float.BYTES + label) * invSum;
            SimdLosses.scaleRun(ds, dOff, n, invSum, scale);
            ds.setAtIndex(FLOAT, dOff / Float.BYTES + label, (labelP - 1f) * scale);
        }
        return (float) (total / m);
    }

    /**
     * With one output per row (one sigmoid unit, the binary classifier) and dense operands, the
     * weights line up with the logits and go through one vector loop; otherwise row by row, each
     * row's run of the unweighted loop scaled by its weight.
     */
    static float sigmoidBinaryCrossEntropy(Matrix logits, Matrix targets, Matrix w, Matrix d) {
        FusedShapes.same("weightedSigmoidBinaryCrossEntropy", "logits", logits, "targets", targets);
        FusedShapes.same("weightedSigmoidBinaryCrossEntropy", "logits", logits, "dLogits", d);
        FusedShapes.rowWeights("weightedSigmoidBinaryCrossEntropy", w, logits.rows());
        MemorySegment zs = logits.segment(), ys = targets.segment(), ws = w.segment(), ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        double count = (double) m * n;
        float scale = (float) (1.0 / count);
        int run = n == 1 ? Vec.run(logits, targets, w, d) : -1;
        if (run >= 0) return (float) (bceRun(zs, ys, ws, ds, run, scale) / count);
        double total = 0;
        for (int r = 0; r < m; r++) {
            float weight = ws.getAtIndex(FLOAT, (long) r * w.stride());
            total += weight * SimdLosses.bceRun(zs, row(logits, r), ys, row(targets, r), ds, row(d, r), n, 0f,
                    scale * weight);
        }
        return (float) (total / count);
    }

    /**
     * {@code SimdLosses.bceRun} over one dense run with a weight per element: loss terms times w,
     * gradient (σ − y)·(scale·w). The log1p series is written out again for the reason given there.
     */
    private static double bceRun(MemorySegment zs, MemorySegment ys, MemorySegment ws, MemorySegment ds, int n,
                                 float scale) {
        float[] scratch = Vec.scratch();
        FloatVector one = FloatVector.broadcast(S, 1f);
        double total = 0;
        int i = 0;
        while (i < n) {
            int blockEnd = Math.min(n, i + SimdLosses.BLOCK);
            FloatVector acc = FloatVector.zero(S);
            for (; i < blockEnd; i += L) {
                VectorMask<Float> m = S.indexInRange(i, n);
                long b = (long) i * Float.BYTES;
                FloatVector z = fromMemorySegment(S, zs, b, NATIVE, m);
                FloatVector y = fromMemorySegment(S, ys, b, NATIVE, m);
                FloatVector weight = fromMemorySegment(S, ws, b, NATIVE, m);
                FloatVector t = VectorMath.exp(z.abs().neg());
                FloatVector q = t.div(t.add(2f));
                FloatVector q2 = q.mul(q);
                FloatVector series = q2.fma(FloatVector.broadcast(S, 2f / 17), FloatVector.broadcast(S, 2f / 15));
                series = series.fma(q2, FloatVector.broadcast(S, 2f / 13));
                series = series.fma(q2, FloatVector.broadcast(S, 2f / 11));
                series = series.fma(q2, FloatVector.broadcast(S, 2f / 9));
                series = series.fma(q2, FloatVector.broadcast(S, 2f / 7));
                series = series.fma(q2, FloatVector.broadcast(S, 2f / 5));
                series = series.fma(q2, FloatVector.broadcast(S, 2f / 3));
                FloatVector log1p = series.mul(q2).fma(q, q.add(q));
                FloatVector loss = z.max(0f).sub(z.mul(y)).add(log1p).mul(weight);
                FloatVector s = one.div(t.add(1f));
                FloatVector sigmoid = s.blend(t.mul(s), z.compare(VectorOperators.LT, 0f));
                sigmoid.sub(y).mul(weight.mul(scale)).intoMemorySegment(ds, b, NATIVE, m);
                acc = acc.add(loss, m);
            }
            acc.intoArray(scratch, 0);
            total += VectorMath.sumLanes(scratch, 0);
        }
        return total;
    }
}
