package dev.lanes.kernel.loop;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.Epilogue;
import dev.lanes.kernel.GemmShapes;
import dev.lanes.kernel.Kernels;
import dev.lanes.kernel.gemm.ThreadTeam;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Plain scalar Java loops in textbook order, no Vector API: the correctness oracle for the simd
 * kernels and the "loop" side of loop-versus-vectorized comparisons. Work is split over rows of the
 * output across the same kind of thread team the simd backend uses, so thread counts compare.
 *
 * <p>The fused kernels (activations, losses, reductions, helpers, optimizers, dropout, batch norm)
 * are in {@code LoopActivations}, {@code LoopLosses}, {@code LoopReductions},
 * {@code LoopElementwise}, {@code LoopOptimizers} and {@code LoopBatchNorm}, and run on the calling
 * thread. Transcendentals and sums are computed in double, so as an oracle they are within one or
 * two float roundings of the exact result ({@code LoopAccuracyTest}).
 */
public final class LoopKernels implements Kernels {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final ThreadTeam team;
    private final boolean shared;

    public LoopKernels(int threads, boolean shared) {
        this.team = new ThreadTeam(threads, "lanes-loop");
        this.shared = shared;
    }

    @Override public String name() { return "loop"; }

    @Override public int threads() { return team.size(); }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c,
                     Epilogue ep) {
        GemmShapes.check(transA, transB, a, b, c, ep);
        MemorySegment as = a.segment(), bs = b.segment(), cs = c.segment();
        MemorySegment bias = ep.bias() == null ? null : ep.bias().segment();
        MemorySegment pre = ep.preActivation() == null ? null : ep.preActivation().segment();
        MemorySegment out = ep.activationOutput() == null ? null : ep.activationOutput().segment();
        int lda = a.stride(), ldb = b.stride(), ldc = c.stride();
        int ldp = ep.preActivation() == null ? 0 : ep.preActivation().stride();
        int ldo = ep.activationOutput() == null ? 0 : ep.activationOutput().stride();
        int m = c.rows(), n = c.cols(), k = transA ? a.rows() : a.cols();
        Activation act = ep.activation();
        float leak = ep.leak();
        boolean callerOnly = !(team.workersCanAccess(as) && team.workersCanAccess(bs) && team.workersCanAccess(cs)
                && team.workersCanAccess(bias) && team.workersCanAccess(pre) && team.workersCanAccess(out));
        team.run((member, members) -> {
            int from = (int) ((long) m * member / members), to = (int) ((long) m * (member + 1) / members);
            for (int i = from; i < to; i++) {
                for (int j = 0; j < n; j++) {
                    float sum = 0f;
                    for (int p = 0; p < k; p++) {
                        float x = as.getAtIndex(F, transA ? (long) p * lda + i : (long) i * lda + p);
                        float y = bs.getAtIndex(F, transB ? (long) j * ldb + p : (long) p * ldb + j);
                        sum += x * y;
                    }
                    long ci = (long) i * ldc + j;
                    float z = alpha * sum;
                    if (beta != 0f) z += beta * cs.getAtIndex(F, ci);
                    if (bias != null) z += bias.getAtIndex(F, j);
                    if (pre != null) pre.setAtIndex(F, (long) i * ldp + j, z);
                    cs.setAtIndex(F, ci, out == null ? act.apply(z, leak)
                            : act.derivativeTimes(z, out.getAtIndex(F, (long) i * ldo + j), leak));
                }
            }
        }, callerOnly);
    }

    // ---------------------------------------------------------------- fused kernels: run on the calling thread

    @Override
    public void activate(Activation activation, float leak, Matrix x, Matrix out) {
        LoopActivations.activate(activation, leak, x, out);
    }

    @Override
    public void activationBackward(Activation activation, float leak, Matrix a, Matrix dA, Matrix dZ) {
        LoopActivations.backward(activation, leak, a, dA, dZ);
    }

    @Override
    public void softmaxRows(Matrix x, Matrix out) {
        LoopActivations.softmaxRows(x, out);
    }

    @Override
    public float softmaxCrossEntropy(Matrix logits, Matrix targets, Matrix dLogits) {
        return LoopLosses.softmaxCrossEntropy(logits, targets, dLogits);
    }

    @Override
    public float sparseSoftmaxCrossEntropy(Matrix logits, Matrix labels, Matrix dLogits) {
        return LoopLosses.sparseSoftmaxCrossEntropy(logits, labels, dLogits);
    }

    @Override
    public float sigmoidBinaryCrossEntropy(Matrix logits, Matrix targets, Matrix dLogits) {
        return LoopLosses.sigmoidBinaryCrossEntropy(logits, targets, dLogits);
    }

    @Override
    public float weightedSoftmaxCrossEntropy(Matrix logits, Matrix targets, Matrix rowWeights, Matrix dLogits) {
        return LoopLosses.softmaxCrossEntropy("weightedSoftmaxCrossEntropy", logits, targets, rowWeights, dLogits);
    }

    @Override
    public float weightedSparseSoftmaxCrossEntropy(Matrix logits, Matrix labels, Matrix rowWeights, Matrix dLogits) {
        return LoopLosses.sparseSoftmaxCrossEntropy("weightedSparseSoftmaxCrossEntropy", logits, labels, rowWeights, dLogits);
    }

    @Override
    public float weightedSigmoidBinaryCrossEntropy(Matrix logits, Matrix targets, Matrix rowWeights, Matrix dLogits) {
        return LoopLosses.sigmoidBinaryCrossEntropy("weightedSigmoidBinaryCrossEntropy", logits, targets, rowWeights, dLogits);
    }

    @Override
    public float weightedMeanSquaredError(Matrix predictions, Matrix targets, Matrix rowWeights, Matrix dPredictions) {
        return LoopLosses.meanSquaredError("weightedMeanSquaredError", predictions, targets, rowWeights, dPredictions);
    }

    @Override
    public float weightedMeanAbsoluteError(Matrix predictions, Matrix targets, Matrix rowWeights, Matrix dPredictions) {
        return LoopLosses.meanAbsoluteError("weightedMeanAbsoluteError", predictions, targets, rowWeights, dPredictions);
    }

    @Override
    public float weightedHuber(Matrix predictions, Matrix targets, float delta, Matrix rowWeights, Matrix dPredictions) {
        return LoopLosses.huber("weightedHuber", predictions, targets, delta, rowWeights, dPredictions);
    }

    @Override
    public float meanSquaredError(Matrix predictions, Matrix targets, Matrix dPredictions) {
        return LoopLosses.meanSquaredError(predictions, targets, dPredictions);
    }

    @Override
    public float meanAbsoluteError(Matrix predictions, Matrix targets, Matrix dPredictions) {
        return LoopLosses.meanAbsoluteError(predictions, targets, dPredictions);
    }

    @Override
    public float huber(Matrix predictions, Matrix targets, float delta, Matrix dPredictions) {
        return LoopLosses.huber(predictions, targets, delta, dPredictions);
    }

    @Override
    public void columnSums(Matrix x, float scale, Matrix out) {
        LoopReductions.columnSums(x, scale, out);
    }

    @Override
    public void argmaxRows(Matrix x, int[] out) {
        LoopReductions.argmaxRows(x, out);
    }

    @Override
    public double sumOfSquares(Matrix x) {
        return LoopReductions.sumOfSquares(x);
    }

    @Override
    public double sumOfAbs(Matrix x) {
        return LoopReductions.sumOfAbs(x);
    }

    @Override
    public boolean allFinite(Matrix x) {
        return LoopReductions.allFinite(x);
    }

    @Override
    public float maxAbs(Matrix x) {
        return LoopReductions.maxAbs(x);
    }

    @Override
    public void axpy(float alpha, Matrix x, Matrix y) {
        LoopElementwise.axpy(alpha, x, y);
    }

    @Override
    public void scale(float alpha, Matrix x) {
        LoopElementwise.scale(alpha, x);
    }

    @Override
    public void copy(Matrix x, Matrix y) {
        LoopElementwise.copy(x, y);
    }

    @Override
    public void gatherRows(Matrix source, int[] index, int from, Matrix out) {
        LoopElementwise.gatherRows(source, index, from, out);
    }

    @Override
    public void prefetchRows(Matrix source, int[] index, int from, int to) {
        dev.lanes.kernel.RowPrefetch.prefetchRows(source, index, from, to);
    }

    @Override
    public void fill(Matrix x, float value) {
        LoopElementwise.fill(x, value);
    }

    @Override
    public void multiply(Matrix a, Matrix b, Matrix out) {
        LoopElementwise.multiply(a, b, out);
    }

    @Override
    public void clamp(Matrix x, float lo, float hi) {
        LoopElementwise.clamp(x, lo, hi);
    }

    @Override
    public boolean sgdUpdate(Matrix w, Matrix g, float lr, float l2) {
        return LoopOptimizers.sgd(w, g, lr, l2);
    }

    @Override
    public boolean momentumUpdate(Matrix w, Matrix g, Matrix v, float lr, float beta, boolean nesterov, float l2) {
        return LoopOptimizers.momentum(w, g, v, lr, beta, nesterov, l2);
    }

    @Override
    public boolean adagradUpdate(Matrix w, Matrix g, Matrix s, float lr, float eps, float l2) {
        return LoopOptimizers.adagrad(w, g, s, lr, eps, l2);
    }

    @Override
    public boolean rmspropUpdate(Matrix w, Matrix g, Matrix s, float lr, float rho, float eps, float l2) {
        return LoopOptimizers.rmsprop(w, g, s, lr, rho, eps, l2);
    }

    @Override
    public boolean adamUpdate(Matrix w, Matrix g, Matrix m, Matrix v, float lr, float beta1, float beta2, float eps,
                           int t, float l2, float decoupledDecay) {
        return LoopOptimizers.adam(w, g, m, v, lr, beta1, beta2, eps, t, l2, decoupledDecay);
    }

    @Override
    public void dropoutForward(Matrix x, Matrix mask, Matrix out, float keep, long seed, long step) {
        LoopElementwise.dropoutForward(x, mask, out, keep, seed, step);
    }

    @Override
    public void batchNormForwardTrain(Matrix x, Matrix gamma, Matrix beta, Matrix runningMean, Matrix runningVar,
                                      float momentum, float eps, Matrix xhat, Matrix invStd, Matrix out) {
        LoopBatchNorm.forwardTrain(x, gamma, beta, runningMean, runningVar, momentum, eps, xhat, invStd, out);
    }

    @Override
    public void batchNormForwardInference(Matrix x, Matrix gamma, Matrix beta, Matrix runningMean,
                                          Matrix runningVar, float eps, Matrix out) {
        LoopBatchNorm.forwardInference(x, gamma, beta, runningMean, runningVar, eps, out);
    }

    @Override
    public void batchNormBackward(Matrix dOut, Matrix xhat, Matrix gamma, Matrix invStd,
                                  Matrix dGamma, Matrix dBeta, Matrix dX) {
        LoopBatchNorm.backward(dOut, xhat, gamma, invStd, dGamma, dBeta, dX);
    }

    @Override
    public void close() {
        if (!shared) team.close();
    }

    @Override
    public String toString() {
        return "loop kernels (" + threads() + " threads)";
    }
}
