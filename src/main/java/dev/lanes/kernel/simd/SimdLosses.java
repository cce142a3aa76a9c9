package dev.lanes.kernel.simd;

import dev.lanes.kernel.vector.VectorMath;

import static dev.lanes.kernel.simd.Vec.L;
import static dev.lanes.kernel.simd.Vec.NATIVE;
import static dev.lanes.kernel.simd.Vec.S;
import static dev.lanes.kernel.simd.Vec.row;
import static jdk.incubator.vector.FloatVector.fromMemorySegment;

import dev.lanes.kernel.FusedShapes;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Losses with their gradient in one pass on float vectors. Loss terms are summed in a float vector
 * over blocks of {@link #BLOCK} elements (each lane adds at most 64 terms: relative error below
 * 64·2⁻²⁴ ≈ 4e-6 of the block's Σ|term|, typically √64 ulp) and the block sums in double, so the
 * error does not grow with the buffer. Every gradient may alias its first input.
 */
final class SimdLosses {
    /** Elements per float accumulation block. */
    static final int BLOCK = 64 * L;

    static final int MSE = 0, MAE = 1, HUBER = 2, BCE = 3;

    private SimdLosses() {}

    /** See {@code LoopLosses}: per row loss = Σ y·(log s − (z − max)); dz = (e·Σy/s − y)/m. */
    static float softmaxCrossEntropy(Matrix logits, Matrix targets, Matrix d) {
        return softmaxCrossEntropy("softmaxCrossEntropy", logits, targets, null, d);
    }

    /**
     * With {@code w} (an m×1 column, or null for none), row r's loss term and gradient times w[r],
     * still divided by m (Keras's class_weight): the term in double, the gradient's 1/m scale in
     * float, so w = 1 gives the unweighted bits and w = 2 twice them.
     */
    static float softmaxCrossEntropy(String kernel, Matrix logits, Matrix targets, Matrix w, Matrix d) {
        FusedShapes.same(kernel, "logits", logits, "targets", targets);
        FusedShapes.same(kernel, "logits", logits, "dLogits", d);
        if (w != null) FusedShapes.rowWeights(kernel, w, logits.rows());
        if (narrowDense(d)) return NarrowSoftmaxCrossEntropy.dense(logits, targets, w, d);
        float[] scratch = Vec.scratch();
        MemorySegment zs = logits.segment(), ys = targets.segment(), ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        float invM = 1f / m;
        double total = 0;
        for (int r = 0; r < m; r++) {
            long zo = row(logits, r), yo = row(targets, r), dOff = row(d, r);
            float weight = rowWeight(w, r);
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
            double logSum = logOfSum(ones, VectorMath.sumLanes(scratch, 0));
            sy.intoArray(scratch, 0);
            syz.intoArray(scratch, 16);
            float targetSum = VectorMath.sumLanes(scratch, 0);
            total += weight * (targetSum * logSum - VectorMath.sumLanes(scratch, 16));
            // Σy/s, not 1/s: the gradient of Σy·log s. One-hot rows sum to exactly 1f (zeros and
            // one 1), so this is the same division, 1f/s, and their gradient keeps its bits.
            probabilitiesMinusTargets(ds, dOff, ys, yo, n, targetSum / s, invM * weight);
        }
        return (float) (total / m);
    }

    /** Row r's weight, 1 without weights (×1 is exact: the unweighted bits). */
    static float rowWeight(Matrix w, int r) {
        return w == null ? 1f : w.segment().getAtIndex(Vec.FLOAT, (long) r * w.stride());
    }

    /**
     * Rows narrower than a vector (10 classes: the usual classifier head) go through
     * {@link NarrowSoftmaxCrossEntropy}, which needs the gradient's rows back to back.
     */
    static boolean narrowDense(Matrix d) {
        return d.cols() < L && d.stride() == d.cols();
    }

    /**
     * log Σ exp(z − max) in double, from the count of terms equal to 1 (the maximum and its ties,
     * at least one) and the float sum of the others: log1p((ones − 1) + rest). Taking log of the
     * float sum instead would round 1 + rest to a multiple of 2⁻²³ and lose the whole loss of a
     * confidently right row (≈ rest, often 1e-7 or less).
     *
     * <p>Not {@code Math.log1p}: it runs FdLibm's Java code, about 30 ns a row, 40 % of a 128×10
     * cross-entropy. Below 1e-4 the series to x⁴ is exact to double rounding (the next term is
     * x⁵/5); above, {@code Math.log} (an intrinsic) of 1 + x in double is off by under 1e-12
     * relative. NaN and +∞ pass through the second branch.
     */
    static double logOfSum(int ones, float rest) {
        double x = (ones - 1) + (double) rest;
        return x < 1e-4 ? x * (1 - x * (0.5 - x * (1.0 / 3 - x * 0.25))) : Math.log(1 + x);
    }

    /**
     * d = (d·scale − y)·invM, where d holds exp(z − max) and scale = Σy/s: the probabilities times
     * the row's target sum, which is the probabilities themselves for a row summing to 1.
     */
    static void probabilitiesMinusTargets(MemorySegment ds, long dOff, MemorySegment ys, long yo, int n,
                                          float scale, float invM) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            FloatVector y = fromMemorySegment(S, ys, yo + b, NATIVE);
            FloatVector e = fromMemorySegment(S, ds, dOff + b, NATIVE);
            e.mul(scale).sub(y).mul(invM).intoMemorySegment(ds, dOff + b, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> t = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            FloatVector y = fromMemorySegment(S, ys, yo + b, NATIVE, t);
            FloatVector e = fromMemorySegment(S, ds, dOff + b, NATIVE, t);
            e.mul(scale).sub(y).mul(invM).intoMemorySegment(ds, dOff + b, NATIVE, t);
        }
    }

    static float sparseSoftmaxCrossEntropy(Matrix logits, Matrix labels, Matrix d) {
        return sparseSoftmaxCrossEntropy("sparseSoftmaxCrossEntropy", logits, labels, null, d);
    }

    /** With {@code w}, as {@link #softmaxCrossEntropy(String, Matrix, Matrix, Matrix, Matrix)} weighs rows. */
    static float sparseSoftmaxCrossEntropy(String kernel, Matrix logits, Matrix labels, Matrix w, Matrix d) {
        FusedShapes.labels(kernel, labels, logits.rows());
        FusedShapes.same(kernel, "logits", logits, "dLogits", d);
        if (w != null) FusedShapes.rowWeights(kernel, w, logits.rows());
        if (narrowDense(d)) return NarrowSoftmaxCrossEntropy.sparse(kernel, logits, labels, w, d);
        float[] scratch = Vec.scratch();
        MemorySegment zs = logits.segment(), ls = labels.segment(), ds = d.segment();
        int m = logits.rows(), n = logits.cols();
        float invM = 1f / m;
        double total = 0;
        for (int r = 0; r < m; r++) {
            long zo = row(logits, r), dOff = row(d, r);
            int label = FusedShapes.classIndex(kernel, ls.getAtIndex(Vec.FLOAT, (long) r * labels.stride()), r, n);
            float weight = rowWeight(w, r), scale = invM * weight;
            float max = SimdActivations.rowMax(zs, zo, n);
            float labelShifted = zs.getAtIndex(Vec.FLOAT, zo / Float.BYTES + label) - max;
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
            total += weight * (logOfSum(ones, VectorMath.sumLanes(scratch, 0)) - labelShifted);
            float invSum = 1f / s;
            float labelP = ds.getAtIndex(Vec.FLOAT, dOff / Float.BYTES + label) * invSum;
            scaleRun(ds, dOff, n, invSum, scale);
            ds.setAtIndex(Vec.FLOAT, dOff / Float.BYTES + label, (labelP - 1f) * scale);
        }
        return (float) (total / m);
    }

    static void scaleRun(MemorySegment ds, long dOff, int n, float f1, float f2) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            long b = (long) i * Float.BYTES;
            fromMemorySegment(S, ds, dOff + b, NATIVE).mul(f1).mul(f2).intoMemorySegment(ds, dOff + b, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> t = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            fromMemorySegment(S, ds, dOff + b, NATIVE, t).mul(f1).mul(f2).intoMemorySegment(ds, dOff + b, NATIVE, t);
        }
    }

    static float sigmoidBinaryCrossEntropy(Matrix logits, Matrix targets, Matrix d) {
        FusedShapes.same("sigmoidBinaryCrossEntropy", "logits", logits, "targets", targets);
        FusedShapes.same("sigmoidBinaryCrossEntropy", "logits", logits, "dLogits", d);
        return elementwise(BCE, logits, targets, d, 0f, 1.0);
    }

    static float meanSquaredError(Matrix p, Matrix y, Matrix d) {
        FusedShapes.same("meanSquaredError", "predictions", p, "targets", y);
        FusedShapes.same("meanSquaredError", "predictions", p, "dPredictions", d);
        return elementwise(MSE, p, y, d, 0f, 2.0);
    }

    static float meanAbsoluteError(Matrix p, Matrix y, Matrix d) {
        FusedShapes.same("meanAbsoluteError", "predictions", p, "targets", y);
        FusedShapes.same("meanAbsoluteError", "predictions", p, "dPredictions", d);
        return elementwise(MAE, p, y, d, 0f, 1.0);
    }

    static float huber(Matrix p, Matrix y, float delta, Matrix d) {
        FusedShapes.same("huber", "predictions", p, "targets", y);
        FusedShapes.same("huber", "predictions", p, "dPredictions", d);
        return elementwise(HUBER, p, y, d, delta, 1.0);
    }

    /** Mean of the element-wise loss {@code kind}; the gradient is scaled by gradientNumerator/(m·n). */
    /**
     * The regression losses with row r's terms and gradient times {@code w[r]} (an m×1 column), still
     * over all m·n elements: each row one run of the unweighted loop, its gradient scale times w[r].
     * Row by row, so the sum is grouped by rows: within float rounding of the unweighted kernel at
     * w = 1, not bit for bit, where the unweighted kernel runs dense operands as one run.
     */
    static float weightedRegression(String kernel, int kind, Matrix p, Matrix y, float delta, Matrix w, Matrix d) {
        FusedShapes.same(kernel, "predictions", p, "targets", y);
        FusedShapes.same(kernel, "predictions", p, "dPredictions", d);
        FusedShapes.rowWeights(kernel, w, p.rows());
        MemorySegment ps = p.segment(), ys = y.segment(), ds = d.segment();
        double count = (double) p.rows() * p.cols();
        float scale = (float) ((kind == MSE ? 2.0 : 1.0) / count);
        double total = 0;
        for (int r = 0; r < p.rows(); r++) {
            float weight = rowWeight(w, r);
            total += weight * run(kind, ps, row(p, r), ys, row(y, r), ds, row(d, r), p.cols(), delta, scale * weight);
        }
        return (float) (total / count);
    }

    private static float elementwise(int kind, Matrix p, Matrix y, Matrix d, float delta, double gradientNumerator) {
        MemorySegment ps = p.segment(), ys = y.segment(), ds = d.segment();
        double count = (double) p.rows() * p.cols();
        float scale = (float) (gradientNumerator / count);
        double total = 0;
        int n = Vec.run(p, y, d);
        if (n >= 0) {
            total = run(kind, ps, 0, ys, 0, ds, 0, n, delta, scale);
        } else {
            for (int r = 0; r < p.rows(); r++) {
                total += run(kind, ps, row(p, r), ys, row(y, r), ds, row(d, r), p.cols(), delta, scale);
            }
        }
        return (float) (total / count);
    }

    /**
     * One run of one loss kind. Each kind has its own loop, kept small, so the vector temporaries
     * stay in registers (a shared per-vector method with a switch grew past C2's inlining limit,
     * and a vector crossing a non-inlined call is boxed on the heap).
     */
    private static double run(int kind, MemorySegment ps, long po, MemorySegment ys, long yo, MemorySegment ds,
                              long dOff, int n, float delta, float scale) {
        return switch (kind) {
            case MSE -> mseRun(ps, po, ys, yo, ds, dOff, n, delta, scale);
            case MAE -> maeRun(ps, po, ys, yo, ds, dOff, n, delta, scale);
            case HUBER -> huberRun(ps, po, ys, yo, ds, dOff, n, delta, scale);
            default -> bceRun(ps, po, ys, yo, ds, dOff, n, delta, scale);
        };
    }

    private static double mseRun(MemorySegment ps, long po, MemorySegment ys, long yo, MemorySegment ds, long dOff,
                                  int n, float delta, float scale) {
        float[] scratch = Vec.scratch();
        double total = 0;
        int i = 0;
        int bound = S.loopBound(n);
        while (i < bound) {
            int blockEnd = Math.min(bound, i + BLOCK);
            FloatVector acc = FloatVector.zero(S);
            for (; i < blockEnd; i += L) {
                long b = (long) i * Float.BYTES;
                FloatVector p = fromMemorySegment(S, ps, po + b, NATIVE);
                FloatVector y = fromMemorySegment(S, ys, yo + b, NATIVE);
                FloatVector diff = p.sub(y);
                FloatVector loss = diff.mul(diff);
                FloatVector grad = diff.mul(scale);
                grad.intoMemorySegment(ds, dOff + b, NATIVE);
                acc = acc.add(loss);
            }
            acc.intoArray(scratch, 0);
            total += VectorMath.sumLanes(scratch, 0);
        }
        if (i < n) {
            VectorMask<Float> tail = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            FloatVector p = fromMemorySegment(S, ps, po + b, NATIVE, tail);
            FloatVector y = fromMemorySegment(S, ys, yo + b, NATIVE, tail);
            FloatVector diff = p.sub(y);
            FloatVector loss = diff.mul(diff);
            FloatVector grad = diff.mul(scale);
            grad.intoMemorySegment(ds, dOff + b, NATIVE, tail);
            FloatVector.zero(S).blend(loss, tail).intoArray(scratch, 0);
            total += VectorMath.sumLanes(scratch, 0);
        }
        return total;
    }

    private static double maeRun(MemorySegment ps, long po, MemorySegment ys, long yo, MemorySegment ds, long dOff,
                                  int n, float delta, float scale) {
        float[] scratch = Vec.scratch();
        FloatVector zero = FloatVector.zero(S);
        double total = 0;
        int i = 0;
        int bound = S.loopBound(n);
        while (i < bound) {
            int blockEnd = Math.min(bound, i + BLOCK);
            FloatVector acc = FloatVector.zero(S);
            for (; i < blockEnd; i += L) {
                long b = (long) i * Float.BYTES;
                FloatVector p = fromMemorySegment(S, ps, po + b, NATIVE);
                FloatVector y = fromMemorySegment(S, ys, yo + b, NATIVE);
                FloatVector diff = p.sub(y);
                FloatVector loss = diff.abs();
                FloatVector grad = zero.blend(scale, diff.compare(VectorOperators.GT, 0f))
                        .blend(-scale, diff.compare(VectorOperators.LT, 0f));
                grad.intoMemorySegment(ds, dOff + b, NATIVE);
                acc = acc.add(loss);
            }
            acc.intoArray(scratch, 0);
            total += VectorMath.sumLanes(scratch, 0);
        }
        if (i < n) {
            VectorMask<Float> tail = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            FloatVector p = fromMemorySegment(S, ps, po + b, NATIVE, tail);
            FloatVector y = fromMemorySegment(S, ys, yo + b, NATIVE, tail);
            FloatVector diff = p.sub(y);
            FloatVector loss = diff.abs();
            FloatVector grad = zero.blend(scale, diff.compare(VectorOperators.GT, 0f))
                    .blend(-scale, diff.compare(VectorOperators.LT, 0f));
            grad.intoMemorySegment(ds, dOff + b, NATIVE, tail);
            FloatVector.zero(S).blend(loss, tail).intoArray(scratch, 0);
            total += VectorMath.sumLanes(scratch, 0);
        }
        return total;
    }

    private static double huberRun(MemorySegment ps, long po, MemorySegment ys, long yo, MemorySegment ds, long dOff,
                                  int n, float delta, float scale) {
        float[] scratch = Vec.scratch();
        double total = 0;
        int i = 0;
        int bound = S.loopBound(n);
        while (i < bound) {
            int blockEnd = Math.min(bound, i + BLOCK);
            FloatVector acc = FloatVector.zero(S);
            for (; i < blockEnd; i += L) {
                long b = (long) i * Float.BYTES;
                FloatVector p = fromMemorySegment(S, ps, po + b, NATIVE);
                FloatVector y = fromMemorySegment(S, ys, yo + b, NATIVE);
                FloatVector diff = p.sub(y);
                FloatVector abs = diff.abs();
                VectorMask<Float> inside = abs.compare(VectorOperators.LE, delta);
                FloatVector loss = abs.sub(0.5f * delta).mul(delta).blend(diff.mul(diff).mul(0.5f), inside);
                FloatVector grad = FloatVector.broadcast(S, delta).blend(-delta, diff.compare(VectorOperators.LT, 0f))
                        .blend(diff, inside).mul(scale);
                grad.intoMemorySegment(ds, dOff + b, NATIVE);
                acc = acc.add(loss);
            }
            acc.intoArray(scratch, 0);
            total += VectorMath.sumLanes(scratch, 0);
        }
        if (i < n) {
            VectorMask<Float> tail = S.indexInRange(i, n);
            long b = (long) i * Float.BYTES;
            FloatVector p = fromMemorySegment(S, ps, po + b, NATIVE, tail);
            FloatVector y = fromMemorySegment(S, ys, yo + b, NATIVE, tail);
            FloatVector diff = p.sub(y);
            FloatVector abs = diff.abs();
            VectorMask<Float> inside = abs.compare(VectorOperators.LE, delta);
            FloatVector loss = abs.sub(0.5f * delta).mul(delta).blend(diff.mul(diff).mul(0.5f), inside);
            FloatVector grad = FloatVector.broadcast(S, delta).blend(-delta, diff.compare(VectorOperators.LT, 0f))
                    .blend(diff, inside).mul(scale);
            grad.intoMemorySegment(ds, dOff + b, NATIVE, tail);
            FloatVector.zero(S).blend(loss, tail).intoArray(scratch, 0);
            total += VectorMath.sumLanes(scratch, 0);
        }
        return total;
    }

    /** One masked loop (see the note above SimdActivations#squash): exp and log1p each get one hot call site. */
    static double bceRun(MemorySegment ps, long po, MemorySegment ys, long yo, MemorySegment ds, long dOff,
                         int n, float delta, float scale) {
        float[] scratch = Vec.scratch();
        FloatVector one = FloatVector.broadcast(S, 1f);
        double total = 0;
        int i = 0;
        while (i < n) {
            int blockEnd = Math.min(n, i + BLOCK);
            FloatVector acc = FloatVector.zero(S);
            for (; i < blockEnd; i += L) {
                VectorMask<Float> m = S.indexInRange(i, n);
                long b = (long) i * Float.BYTES;
                FloatVector z = fromMemorySegment(S, ps, po + b, NATIVE, m);
                FloatVector y = fromMemorySegment(S, ys, yo + b, NATIVE, m);
                // max(z,0) − z·y + log1p(t) and σ(z) share t = exp(−|z|); σ is 1/(1+t) for z ≥ 0 and
                // t/(1+t) below, so neither overflows.
                FloatVector t = VectorMath.exp(z.abs().neg());
                // log1p(t) as VectorMath.log1p computes it (2·atanh(t/(2+t)) series), written out
                // here: a second polynomial call after exp could exceed C2's inlining node budget.
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
                FloatVector loss = z.max(0f).sub(z.mul(y)).add(log1p);
                FloatVector s = one.div(t.add(1f));
                FloatVector sigmoid = s.blend(t.mul(s), z.compare(VectorOperators.LT, 0f));
                sigmoid.sub(y).mul(scale).intoMemorySegment(ds, dOff + b, NATIVE, m);
                acc = acc.add(loss, m);
            }
            acc.intoArray(scratch, 0);
            total += VectorMath.sumLanes(scratch, 0);
        }
        return total;
    }

}
