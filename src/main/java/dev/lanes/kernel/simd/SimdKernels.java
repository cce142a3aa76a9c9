package dev.lanes.kernel.simd;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.Epilogue;
import dev.lanes.kernel.GemmShapes;
import dev.lanes.kernel.Kernels;
import dev.lanes.kernel.gemm.BlockSizes;
import dev.lanes.kernel.gemm.GemmDriver;
import dev.lanes.kernel.gemm.MicroKernel;
import dev.lanes.kernel.gemm.MicroKernel256;
import dev.lanes.kernel.gemm.MicroKernel8x32;
import dev.lanes.kernel.gemm.NarrowKernel;
import dev.lanes.kernel.gemm.NarrowKernel8x16;
import dev.lanes.kernel.gemm.ThreadTeam;
import dev.lanes.tensor.Matrix;
import jdk.incubator.vector.FloatVector;

/**
 * The Vector API backend. Create through {@link Kernels#create} or {@link Kernels#get()}.
 *
 * <p>The fused kernels live in small package-private classes by family ({@code SimdActivations},
 * {@code SimdLosses}, {@code SimdReductions}, {@code SimdElementwise}, {@code SimdOptimizers},
 * {@code SimdBatchNorm}, with {@code VectorMath} for exp/log1p/tanh/sigmoid); each walks its
 * operands as one dense run or row by row ({@code Vec}), vector by vector with a masked tail.
 * Optimizers, activation backwards, MSE/MAE/Huber gradients, dropout and the element-wise helpers
 * other than axpy are bitwise equal to the loop backend; the rest agree within the tolerances
 * stated in the tests.
 */
public final class SimdKernels implements Kernels {
    private final ThreadTeam team;
    private final GemmDriver gemm;
    private final boolean shared;
    private final ParallelAdam parallelAdam;
    private final ParallelSweeps sweeps;

    public SimdKernels(int threads, boolean shared) {
        this.team = new ThreadTeam(threads, "lanes-simd");
        boolean wide = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
        MicroKernel mk = wide ? new MicroKernel8x32() : MicroKernel256.forThisJvm();
        NarrowKernel narrow = wide ? new NarrowKernel8x16() : null;
        this.gemm = new GemmDriver(mk, narrow, BlockSizes.forTile(mk.mr(), mk.nr()), team);
        this.shared = shared;
        this.parallelAdam = new ParallelAdam(team);
        this.sweeps = new ParallelSweeps(team);
    }

    @Override public String name() { return "simd"; }

    @Override public int threads() { return team.size(); }

    @Override public String gemmTile() { return gemm.blocks().mr() + "x" + gemm.blocks().nr(); }

    /** The GEMM block sizes in use (for reports). */
    public BlockSizes gemmBlocks() { return gemm.blocks(); }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c,
                     Epilogue epilogue) {
        GemmShapes.check(transA, transB, a, b, c, epilogue);
        Activation act = epilogue.activation();
        if (epilogue.activationOutput() != null) {
            if (gemm.foldsActivationGradient()) {
                gemm.gemm(transA, transB, alpha, a, b, beta, c, epilogue);
            } else {
                gemm.gemm(transA, transB, alpha, a, b, beta, c, Epilogue.NONE);
                SimdActivations.backward(act, epilogue.leak(), epilogue.activationOutput(), c, c);
            }
            return;
        }
        if (act == Activation.SIGMOID || act == Activation.TANH) {
            // Applied after the product, by the activation kernel, not inside the tile store: there the
            // polynomial shared a compilation with the micro-kernel, past C2's inlining budget, and its
            // vectors were boxed, 300 KB a step for a 100-64(tanh)-48(sigmoid)-20 network at batch 128.
            gemm.gemm(transA, transB, alpha, a, b, beta, c, epilogue, true);
            sweeps.activateInPlace(act, c);
            return;
        }
        gemm.gemm(transA, transB, alpha, a, b, beta, c, epilogue);
    }

    @Override
    public float gemmMaxAbs(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        GemmShapes.check(transA, transB, a, b, c, Epilogue.NONE);
        if (gemm.foldsMaxAbs()) {
            return gemm.gemmMaxAbs(transA, transB, alpha, a, b, beta, c);
        }
        gemm.gemm(transA, transB, alpha, a, b, beta, c, Epilogue.NONE);
        return sweeps.maxAbs(c);
    }

    // ---------------------------------------------------------------- fused kernels: Vector API, on the calling thread

    @Override
    public void activate(Activation activation, float leak, Matrix x, Matrix out) {
        SimdActivations.activate(activation, leak, x, out);
    }

    @Override
    public void activationBackward(Activation activation, float leak, Matrix a, Matrix dA, Matrix dZ) {
        SimdActivations.backward(activation, leak, a, dA, dZ);
    }

    @Override
    public void softmaxRows(Matrix x, Matrix out) {
        SimdActivations.softmaxRows(x, out);
    }

    @Override
    public float softmaxCrossEntropy(Matrix logits, Matrix targets, Matrix dLogits) {
        return SimdLosses.softmaxCrossEntropy(logits, targets, dLogits);
    }

    @Override
    public float sparseSoftmaxCrossEntropy(Matrix logits, Matrix labels, Matrix dLogits) {
        return SimdLosses.sparseSoftmaxCrossEntropy(logits, labels, dLogits);
    }

    @Override
    public float sigmoidBinaryCrossEntropy(Matrix logits, Matrix targets, Matrix dLogits) {
        return SimdLosses.sigmoidBinaryCrossEntropy(logits, targets, dLogits);
    }

    @Override
    public float weightedSoftmaxCrossEntropy(Matrix logits, Matrix targets, Matrix rowWeights, Matrix dLogits) {
        return SimdLosses.softmaxCrossEntropy("weightedSoftmaxCrossEntropy", logits, targets, rowWeights, dLogits);
    }

    @Override
    public float weightedSparseSoftmaxCrossEntropy(Matrix logits, Matrix labels, Matrix rowWeights, Matrix dLogits) {
        return SimdLosses.sparseSoftmaxCrossEntropy("weightedSparseSoftmaxCrossEntropy", logits, labels, rowWeights, dLogits);
    }

    @Override
    public float weightedSigmoidBinaryCrossEntropy(Matrix logits, Matrix targets, Matrix rowWeights, Matrix dLogits) {
        return SimdWeightedLosses.sigmoidBinaryCrossEntropy(logits, targets, rowWeights, dLogits);
    }

    @Override
    public float weightedMeanSquaredError(Matrix predictions, Matrix targets, Matrix rowWeights, Matrix dPredictions) {
        return SimdLosses.weightedRegression("weightedMeanSquaredError", SimdLosses.MSE, predictions, targets, 0f,
                rowWeights, dPredictions);
    }

    @Override
    public float weightedMeanAbsoluteError(Matrix predictions, Matrix targets, Matrix rowWeights, Matrix dPredictions) {
        return SimdLosses.weightedRegression("weightedMeanAbsoluteError", SimdLosses.MAE, predictions, targets, 0f,
                rowWeights, dPredictions);
    }

    @Override
    public float weightedHuber(Matrix predictions, Matrix targets, float delta, Matrix rowWeights, Matrix dPredictions) {
        return SimdLosses.weightedRegression("weightedHuber", SimdLosses.HUBER, predictions, targets, delta, rowWeights,
                dPredictions);
    }

    @Override
    public float meanSquaredError(Matrix predictions, Matrix targets, Matrix dPredictions) {
        return SimdLosses.meanSquaredError(predictions, targets, dPredictions);
    }

    @Override
    public float meanAbsoluteError(Matrix predictions, Matrix targets, Matrix dPredictions) {
        return SimdLosses.meanAbsoluteError(predictions, targets, dPredictions);
    }

    @Override
    public float huber(Matrix predictions, Matrix targets, float delta, Matrix dPredictions) {
        return SimdLosses.huber(predictions, targets, delta, dPredictions);
    }

    @Override
    public void columnSums(Matrix x, float scale, Matrix out) {
        SimdReductions.columnSums(x, scale, out);
    }

    @Override
    public void argmaxRows(Matrix x, int[] out) {
        SimdReductions.argmaxRows(x, out);
    }

    @Override
    public double sumOfSquares(Matrix x) {
        return SimdReductions.sumOfSquares(x);
    }

    @Override
    public double sumOfAbs(Matrix x) {
        return SimdReductions.sumOfAbs(x);
    }

    @Override
    public boolean allFinite(Matrix x) {
        return sweeps.allFinite(x);
    }

    @Override
    public float maxAbs(Matrix x) {
        return sweeps.maxAbs(x);
    }

    @Override
    public void axpy(float alpha, Matrix x, Matrix y) {
        SimdElementwise.axpy(alpha, x, y);
    }

    @Override
    public void scale(float alpha, Matrix x) {
        SimdElementwise.scale(alpha, x);
    }

    @Override
    public void copy(Matrix x, Matrix y) {
        sweeps.copy(x, y);
    }

    @Override
    public void gatherRows(Matrix source, int[] index, int from, Matrix out) {
        sweeps.gatherRows(source, index, from, out);
    }

    /** Scalar, on the calling thread: one load a row, nothing to vectorise or split. */
    @Override
    public void prefetchRows(Matrix source, int[] index, int from, int to) {
        dev.lanes.kernel.RowPrefetch.prefetchRows(source, index, from, to);
    }

    @Override
    public void fill(Matrix x, float value) {
        SimdElementwise.fill(x, value);
    }

    @Override
    public void multiply(Matrix a, Matrix b, Matrix out) {
        SimdElementwise.multiply(a, b, out);
    }

    @Override
    public void clamp(Matrix x, float lo, float hi) {
        SimdElementwise.clamp(x, lo, hi);
    }

    @Override
    public boolean sgdUpdate(Matrix w, Matrix g, float lr, float l2) {
        return SimdOptimizers.sgd(w, g, lr, l2);
    }

    @Override
    public boolean momentumUpdate(Matrix w, Matrix g, Matrix v, float lr, float beta, boolean nesterov, float l2) {
        return SimdOptimizers.momentum(w, g, v, lr, beta, nesterov, l2);
    }

    @Override
    public boolean adagradUpdate(Matrix w, Matrix g, Matrix s, float lr, float eps, float l2) {
        return SimdOptimizers.adagrad(w, g, s, lr, eps, l2);
    }

    @Override
    public boolean rmspropUpdate(Matrix w, Matrix g, Matrix s, float lr, float rho, float eps, float l2) {
        return SimdOptimizers.rmsprop(w, g, s, lr, rho, eps, l2);
    }

    @Override
    public boolean adamUpdate(Matrix w, Matrix g, Matrix m, Matrix v, float lr, float beta1, float beta2, float eps,
                           int t, float l2, float decoupledDecay) {
        if (parallelAdam.canRun(w, g, m, v, t)) {
            return parallelAdam.run(w, g, m, v, lr, beta1, beta2, eps, t, l2, decoupledDecay);
        }
        return SimdOptimizers.adam(w, g, m, v, lr, beta1, beta2, eps, t, l2, decoupledDecay);
    }

    @Override
    public void dropoutForward(Matrix x, Matrix mask, Matrix out, float keep, long seed, long step) {
        SimdElementwise.dropoutForward(x, mask, out, keep, seed, step);
    }

    @Override
    public void batchNormForwardTrain(Matrix x, Matrix gamma, Matrix beta, Matrix runningMean, Matrix runningVar,
                                      float momentum, float eps, Matrix xhat, Matrix invStd, Matrix out) {
        SimdBatchNorm.forwardTrain(x, gamma, beta, runningMean, runningVar, momentum, eps, xhat, invStd, out);
    }

    @Override
    public void batchNormForwardInference(Matrix x, Matrix gamma, Matrix beta, Matrix runningMean,
                                          Matrix runningVar, float eps, Matrix out) {
        SimdBatchNorm.forwardInference(x, gamma, beta, runningMean, runningVar, eps, out);
    }

    @Override
    public void batchNormBackward(Matrix dOut, Matrix xhat, Matrix gamma, Matrix invStd,
                                  Matrix dGamma, Matrix dBeta, Matrix dX) {
        SimdBatchNorm.backward(dOut, xhat, gamma, invStd, dGamma, dBeta, dX);
    }

    @Override
    public void close() {
        if (!shared) team.close();
    }

    @Override
    public String toString() {
        return "simd kernels (" + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors, "
                + threads() + " threads, GEMM " + gemm.blocks() + ")";
    }
}
