package dev.lanes.train;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.Epilogue;
import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.lang.management.ManagementFactory;

/**
 * Delegating kernels that count the heap bytes the calling thread allocates inside kernel calls,
 * so a test can tell the allocations of the layers, optimizer and training loop (which must be
 * zero) from those of the kernels underneath (which their own tests answer for).
 */
final class MeteredKernels implements Kernels {
    static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final Kernels k;
    private long inside;

    MeteredKernels(Kernels delegate) { this.k = delegate; }

    /** Bytes allocated inside kernel calls so far. */
    long bytesInsideKernels() { return inside; }

    private static long begin() { return THREADS.getCurrentThreadAllocatedBytes(); }

    private void end(long start) { inside += THREADS.getCurrentThreadAllocatedBytes() - start; }

    @Override public String name() { return k.name(); }
    @Override public int threads() { return k.threads(); }

    @Override public void gemm(boolean ta, boolean tb, float alpha, Matrix a, Matrix b, float beta, Matrix c, Epilogue e) {
        long s = begin(); k.gemm(ta, tb, alpha, a, b, beta, c, e); end(s);
    }
    @Override public float gemmMaxAbs(boolean ta, boolean tb, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        long s = begin(); float v = k.gemmMaxAbs(ta, tb, alpha, a, b, beta, c); end(s); return v;
    }
    @Override public void activate(Activation g, float leak, Matrix x, Matrix out) {
        long s = begin(); k.activate(g, leak, x, out); end(s);
    }
    @Override public void activationBackward(Activation g, float leak, Matrix a, Matrix dA, Matrix dZ) {
        long s = begin(); k.activationBackward(g, leak, a, dA, dZ); end(s);
    }
    @Override public void softmaxRows(Matrix x, Matrix out) {
        long s = begin(); k.softmaxRows(x, out); end(s);
    }
    @Override public float softmaxCrossEntropy(Matrix l, Matrix t, Matrix d) {
        long s = begin(); float v = k.softmaxCrossEntropy(l, t, d); end(s); return v;
    }
    @Override public float sparseSoftmaxCrossEntropy(Matrix l, Matrix t, Matrix d) {
        long s = begin(); float v = k.sparseSoftmaxCrossEntropy(l, t, d); end(s); return v;
    }
    @Override public float weightedSoftmaxCrossEntropy(Matrix l, Matrix t, Matrix w, Matrix d) {
        long s = begin(); float v = k.weightedSoftmaxCrossEntropy(l, t, w, d); end(s); return v;
    }
    @Override public float weightedSparseSoftmaxCrossEntropy(Matrix l, Matrix t, Matrix w, Matrix d) {
        long s = begin(); float v = k.weightedSparseSoftmaxCrossEntropy(l, t, w, d); end(s); return v;
    }
    @Override public float weightedSigmoidBinaryCrossEntropy(Matrix l, Matrix t, Matrix w, Matrix d) {
        long s = begin(); float v = k.weightedSigmoidBinaryCrossEntropy(l, t, w, d); end(s); return v;
    }
    @Override public float sigmoidBinaryCrossEntropy(Matrix l, Matrix t, Matrix d) {
        long s = begin(); float v = k.sigmoidBinaryCrossEntropy(l, t, d); end(s); return v;
    }
    @Override public float weightedMeanSquaredError(Matrix p, Matrix t, Matrix w, Matrix d) {
        long s = begin(); float v = k.weightedMeanSquaredError(p, t, w, d); end(s); return v;
    }
    @Override public float weightedMeanAbsoluteError(Matrix p, Matrix t, Matrix w, Matrix d) {
        long s = begin(); float v = k.weightedMeanAbsoluteError(p, t, w, d); end(s); return v;
    }
    @Override public float weightedHuber(Matrix p, Matrix t, float delta, Matrix w, Matrix d) {
        long s = begin(); float v = k.weightedHuber(p, t, delta, w, d); end(s); return v;
    }
    @Override public float meanSquaredError(Matrix p, Matrix t, Matrix d) {
        long s = begin(); float v = k.meanSquaredError(p, t, d); end(s); return v;
    }
    @Override public float meanAbsoluteError(Matrix p, Matrix t, Matrix d) {
        long s = begin(); float v = k.meanAbsoluteError(p, t, d); end(s); return v;
    }
    @Override public float huber(Matrix p, Matrix t, float delta, Matrix d) {
        long s = begin(); float v = k.huber(p, t, delta, d); end(s); return v;
    }
    @Override public void columnSums(Matrix x, float scale, Matrix out) {
        long s = begin(); k.columnSums(x, scale, out); end(s);
    }
    @Override public void argmaxRows(Matrix x, int[] out) {
        long s = begin(); k.argmaxRows(x, out); end(s);
    }
    @Override public double sumOfSquares(Matrix x) {
        long s = begin(); double v = k.sumOfSquares(x); end(s); return v;
    }
    @Override public double sumOfAbs(Matrix x) {
        long s = begin(); double v = k.sumOfAbs(x); end(s); return v;
    }
    @Override public void gatherRows(Matrix source, int[] index, int from, Matrix out) {
        long s = begin(); k.gatherRows(source, index, from, out); end(s);
    }
    @Override public boolean allFinite(Matrix x) {
        long s = begin(); boolean v = k.allFinite(x); end(s); return v;
    }
    @Override public float maxAbs(Matrix x) {
        long s = begin(); float v = k.maxAbs(x); end(s); return v;
    }
    @Override public void axpy(float alpha, Matrix x, Matrix y) {
        long s = begin(); k.axpy(alpha, x, y); end(s);
    }
    @Override public void scale(float alpha, Matrix x) {
        long s = begin(); k.scale(alpha, x); end(s);
    }
    @Override public void copy(Matrix x, Matrix y) {
        long s = begin(); k.copy(x, y); end(s);
    }
    @Override public void fill(Matrix x, float value) {
        long s = begin(); k.fill(x, value); end(s);
    }
    @Override public void multiply(Matrix a, Matrix b, Matrix out) {
        long s = begin(); k.multiply(a, b, out); end(s);
    }
    @Override public void clamp(Matrix x, float lo, float hi) {
        long s = begin(); k.clamp(x, lo, hi); end(s);
    }
    @Override public boolean sgdUpdate(Matrix w, Matrix g, float lr, float l2) {
        long s = begin(); boolean f = k.sgdUpdate(w, g, lr, l2); end(s); return f;
    }
    @Override public boolean momentumUpdate(Matrix w, Matrix g, Matrix v, float lr, float beta, boolean nesterov, float l2) {
        long s = begin(); boolean f = k.momentumUpdate(w, g, v, lr, beta, nesterov, l2); end(s); return f;
    }
    @Override public boolean adagradUpdate(Matrix w, Matrix g, Matrix st, float lr, float eps, float l2) {
        long s = begin(); boolean f = k.adagradUpdate(w, g, st, lr, eps, l2); end(s); return f;
    }
    @Override public boolean rmspropUpdate(Matrix w, Matrix g, Matrix st, float lr, float rho, float eps, float l2) {
        long s = begin(); boolean f = k.rmspropUpdate(w, g, st, lr, rho, eps, l2); end(s); return f;
    }
    @Override public boolean adamUpdate(Matrix w, Matrix g, Matrix m, Matrix v, float lr, float b1, float b2, float eps,
                                     int t, float l2, float decay) {
        long s = begin(); boolean f = k.adamUpdate(w, g, m, v, lr, b1, b2, eps, t, l2, decay); end(s); return f;
    }
    @Override public void dropoutForward(Matrix x, Matrix mask, Matrix out, float keep, long seed, long step) {
        long s = begin(); k.dropoutForward(x, mask, out, keep, seed, step); end(s);
    }
    @Override public void batchNormForwardTrain(Matrix x, Matrix gamma, Matrix beta, Matrix rm, Matrix rv,
                                                float momentum, float eps, Matrix xhat, Matrix invStd, Matrix out) {
        long s = begin(); k.batchNormForwardTrain(x, gamma, beta, rm, rv, momentum, eps, xhat, invStd, out); end(s);
    }
    @Override public void batchNormForwardInference(Matrix x, Matrix gamma, Matrix beta, Matrix rm, Matrix rv,
                                                    float eps, Matrix out) {
        long s = begin(); k.batchNormForwardInference(x, gamma, beta, rm, rv, eps, out); end(s);
    }
    @Override public void batchNormBackward(Matrix dOut, Matrix xhat, Matrix gamma, Matrix invStd,
                                            Matrix dGamma, Matrix dBeta, Matrix dX) {
        long s = begin(); k.batchNormBackward(dOut, xhat, gamma, invStd, dGamma, dBeta, dX); end(s);
    }
    @Override public void close() { k.close(); }
}
