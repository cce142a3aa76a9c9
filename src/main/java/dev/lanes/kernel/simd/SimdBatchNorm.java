package dev.lanes.kernel.simd;

import static dev.lanes.kernel.simd.Vec.L;
import static dev.lanes.kernel.simd.Vec.S;
import static dev.lanes.kernel.simd.Vec.load;
import static dev.lanes.kernel.simd.Vec.row;
import static dev.lanes.kernel.simd.Vec.store;

import dev.lanes.kernel.FusedShapes;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Batch normalization over rows on float vectors. The unit of work is a block of L columns (the
 * last one masked): its per-column statistics live in one register while the rows are walked, so
 * nothing needs scratch memory. Each row visit touches one cache line per block, a constant-stride
 * walk the hardware prefetcher follows. The two-pass variance (mean first) avoids the cancellation
 * of E[x²] − E[x]²; sums over the m rows are float, good to ~√m ulp (m is the batch size).
 */
final class SimdBatchNorm {
    private SimdBatchNorm() {}

    static void forwardTrain(Matrix x, Matrix gamma, Matrix beta, Matrix runningMean, Matrix runningVar,
                             float momentum, float eps, Matrix xhat, Matrix invStd, Matrix out) {
        int m = x.rows(), n = x.cols();
        checkParameters("batchNormForwardTrain", n, gamma, beta, runningMean, runningVar);
        FusedShapes.row("batchNormForwardTrain", "invStd", invStd, n);
        FusedShapes.same("batchNormForwardTrain", "x", x, "xhat", xhat);
        FusedShapes.same("batchNormForwardTrain", "x", x, "out", out);
        MemorySegment xs = x.segment(), hs = xhat.segment(), os = out.segment();
        MemorySegment gs = gamma.segment(), bs = beta.segment(), rms = runningMean.segment();
        MemorySegment rvs = runningVar.segment(), is = invStd.segment();
        float invM = 1f / m, keep = 1f - momentum;
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> cols = S.indexInRange(j, n);
            long c = (long) j * Float.BYTES;
            FloatVector sum = FloatVector.zero(S);
            for (int r = 0; r < m; r++) sum = sum.add(load(xs, row(x, r) + c, cols));
            FloatVector mean = sum.mul(invM);
            FloatVector squares = FloatVector.zero(S);
            for (int r = 0; r < m; r++) {
                FloatVector dev = load(xs, row(x, r) + c, cols).sub(mean);
                squares = dev.fma(dev, squares);
            }
            FloatVector inv = FloatVector.broadcast(S, 1f).div(squares.mul(invM).add(eps).sqrt());
            store(inv, is, c, cols);
            FloatVector g = load(gs, c, cols), b = load(bs, c, cols);
            for (int r = 0; r < m; r++) {
                FloatVector h = load(xs, row(x, r) + c, cols).sub(mean).mul(inv);
                store(h, hs, row(xhat, r) + c, cols);
                store(g.fma(h, b), os, row(out, r) + c, cols);
            }
            store(load(rms, c, cols).mul(momentum).add(mean.mul(keep)), rms, c, cols);
            if (m > 1) {
                FloatVector unbiased = squares.mul(1f / (m - 1));
                store(load(rvs, c, cols).mul(momentum).add(unbiased.mul(keep)), rvs, c, cols);
            }
        }
    }

    /** out = x·scale + shift with scale = γ/√(var+ε) and shift = β − mean·scale, per column block. */
    static void forwardInference(Matrix x, Matrix gamma, Matrix beta, Matrix runningMean, Matrix runningVar,
                                 float eps, Matrix out) {
        int m = x.rows(), n = x.cols();
        checkParameters("batchNormForwardInference", n, gamma, beta, runningMean, runningVar);
        FusedShapes.same("batchNormForwardInference", "x", x, "out", out);
        MemorySegment xs = x.segment(), os = out.segment();
        MemorySegment gs = gamma.segment(), bs = beta.segment(), rms = runningMean.segment();
        MemorySegment rvs = runningVar.segment();
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> cols = S.indexInRange(j, n);
            long c = (long) j * Float.BYTES;
            FloatVector scale = load(gs, c, cols).div(load(rvs, c, cols).add(eps).sqrt());
            FloatVector shift = load(bs, c, cols).sub(load(rms, c, cols).mul(scale));
            for (int r = 0; r < m; r++) {
                store(load(xs, row(x, r) + c, cols).fma(scale, shift), os, row(out, r) + c, cols);
            }
        }
    }

    /** dX = (γ·invStd/m)·(m·dOut − dβ − xhat·dγ), after both column sums of the block are done. */
    static void backward(Matrix dOut, Matrix xhat, Matrix gamma, Matrix invStd,
                         Matrix dGamma, Matrix dBeta, Matrix dX) {
        int m = dOut.rows(), n = dOut.cols();
        FusedShapes.same("batchNormBackward", "dOut", dOut, "xhat", xhat);
        FusedShapes.same("batchNormBackward", "dOut", dOut, "dX", dX);
        FusedShapes.row("batchNormBackward", "gamma", gamma, n);
        FusedShapes.row("batchNormBackward", "invStd", invStd, n);
        FusedShapes.row("batchNormBackward", "dGamma", dGamma, n);
        FusedShapes.row("batchNormBackward", "dBeta", dBeta, n);
        MemorySegment ds = dOut.segment(), hs = xhat.segment(), xs = dX.segment();
        float fm = m;
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> cols = S.indexInRange(j, n);
            long c = (long) j * Float.BYTES;
            FloatVector sumD = FloatVector.zero(S), sumDH = FloatVector.zero(S);
            for (int r = 0; r < m; r++) {
                FloatVector d = load(ds, row(dOut, r) + c, cols);
                sumD = sumD.add(d);
                sumDH = d.fma(load(hs, row(xhat, r) + c, cols), sumDH);
            }
            store(sumD, dBeta.segment(), c, cols);
            store(sumDH, dGamma.segment(), c, cols);
            FloatVector k = load(gamma.segment(), c, cols).mul(load(invStd.segment(), c, cols)).mul(1f / m);
            for (int r = 0; r < m; r++) {
                FloatVector d = load(ds, row(dOut, r) + c, cols);
                FloatVector h = load(hs, row(xhat, r) + c, cols);
                store(d.mul(fm).sub(sumD).sub(h.mul(sumDH)).mul(k), xs, row(dX, r) + c, cols);
            }
        }
    }

    private static void checkParameters(String kernel, int n, Matrix gamma, Matrix beta, Matrix runningMean,
                                        Matrix runningVar) {
        FusedShapes.row(kernel, "gamma", gamma, n);
        FusedShapes.row(kernel, "beta", beta, n);
        FusedShapes.row(kernel, "runningMean", runningMean, n);
        FusedShapes.row(kernel, "runningVar", runningVar, n);
    }
}
