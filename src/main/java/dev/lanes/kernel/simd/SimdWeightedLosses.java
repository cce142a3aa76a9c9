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
 * Sigmoid binary cross-entropy with a weight per row (Keras's class_weight), where one output per
 * row lets the weights run through the vector loop beside the logits. The softmax cross-entropies
 * take their weights in {@link SimdLosses} itself (one factor per row there). Each weight is one more
 * factor where the unweighted kernel applies 1/(m·n): the loss term times w, the gradient's scale
 * times w, so a weight of 1 gives the unweighted bits and a weight of 2 exactly twice them.
 */
final class SimdWeightedLosses {
    private SimdWeightedLosses() {}

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
