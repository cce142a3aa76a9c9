package dev.lanes.kernel.simd;

import static dev.lanes.kernel.simd.Vec.L;
import static dev.lanes.kernel.simd.Vec.NATIVE;
import static dev.lanes.kernel.simd.Vec.S;
import static jdk.incubator.vector.FloatVector.fromMemorySegment;

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
 *
 * <p>The methods are long and call the Vector API directly, not the {@link Vec} shorthands: past
 * C2's per-compilation node budget ordinary methods are no longer inlined, and a vector passed to
 * one that is not is boxed on the heap (measured: 140 KB per call through the shorthands).
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
        long ldx = bytes(x), ldh = bytes(xhat), ldo = bytes(out);
        for (int j = 0; j < n; j += L) {
            statisticsBlock(xs, ldx, rms, rvs, is, m, j, n, momentum, eps);
            normalizeBlock(xs, ldx, hs, ldh, os, ldo, gs, bs, is, m, j, n);
        }
    }

    /**
     * Columns [j, j+L): batch mean and variance, invStd, and the running averages. The training pass
     * is split in two methods per block, {@link #normalizeBlock} recomputing the mean (the same float
     * sum, so bitwise the same value) rather than receiving it: a single method made C1 run out of
     * virtual registers and give up, leaving the kernel in code that boxes every vector until C2
     * compiled it, and a vector cannot be handed between methods without risking a box either.
     */
    private static void statisticsBlock(MemorySegment xs, long ldx, MemorySegment rms, MemorySegment rvs,
                                        MemorySegment is, int m, int j, int n, float momentum, float eps) {
        VectorMask<Float> cols = S.indexInRange(j, n);
        long c = (long) j * Float.BYTES;
        float invM = 1f / m, keep = 1f - momentum;
        FloatVector mean = columnMean(xs, ldx, m, c, cols, invM);
        FloatVector squares = FloatVector.zero(S);
        for (int r = 0; r < m; r++) {
            FloatVector dev = fromMemorySegment(S, xs, r * ldx + c, NATIVE, cols).sub(mean);
            squares = dev.fma(dev, squares);
        }
        FloatVector inv = FloatVector.broadcast(S, 1f).div(squares.mul(invM).add(eps).sqrt());
        inv.intoMemorySegment(is, c, NATIVE, cols);
        FloatVector runMean = fromMemorySegment(S, rms, c, NATIVE, cols);
        runMean.mul(momentum).add(mean.mul(keep)).intoMemorySegment(rms, c, NATIVE, cols);
        if (m > 1) {
            FloatVector unbiased = squares.mul(1f / (m - 1));
            FloatVector runVar = fromMemorySegment(S, rvs, c, NATIVE, cols);
            runVar.mul(momentum).add(unbiased.mul(keep)).intoMemorySegment(rvs, c, NATIVE, cols);
        }
    }

    /** Columns [j, j+L): xhat = (x − mean)·invStd and out = γ·xhat + β. */
    private static void normalizeBlock(MemorySegment xs, long ldx, MemorySegment hs, long ldh, MemorySegment os,
                                       long ldo, MemorySegment gs, MemorySegment bs, MemorySegment is, int m, int j,
                                       int n) {
        VectorMask<Float> cols = S.indexInRange(j, n);
        long c = (long) j * Float.BYTES;
        FloatVector mean = columnMean(xs, ldx, m, c, cols, 1f / m);
        FloatVector inv = fromMemorySegment(S, is, c, NATIVE, cols);
        FloatVector g = fromMemorySegment(S, gs, c, NATIVE, cols);
        FloatVector b = fromMemorySegment(S, bs, c, NATIVE, cols);
        for (int r = 0; r < m; r++) {
            FloatVector h = fromMemorySegment(S, xs, r * ldx + c, NATIVE, cols).sub(mean).mul(inv);
            h.intoMemorySegment(hs, r * ldh + c, NATIVE, cols);
            g.fma(h, b).intoMemorySegment(os, r * ldo + c, NATIVE, cols);
        }
    }

    /**
     * The mean of m rows of one column block. Returns a vector, so it must be inlined to stay in a
     * register; it is small and called once per method, before anything else heavy is parsed.
     */
    private static FloatVector columnMean(MemorySegment xs, long ldx, int m, long c, VectorMask<Float> cols,
                                          float invM) {
        FloatVector sum = FloatVector.zero(S);
        for (int r = 0; r < m; r++) {
            sum = sum.add(fromMemorySegment(S, xs, r * ldx + c, NATIVE, cols));
        }
        return sum.mul(invM);
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
        long ldx = bytes(x), ldo = bytes(out);
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> cols = S.indexInRange(j, n);
            long c = (long) j * Float.BYTES;
            FloatVector std = fromMemorySegment(S, rvs, c, NATIVE, cols).add(eps).sqrt();
            FloatVector scale = fromMemorySegment(S, gs, c, NATIVE, cols).div(std);
            FloatVector shift = fromMemorySegment(S, bs, c, NATIVE, cols)
                    .sub(fromMemorySegment(S, rms, c, NATIVE, cols).mul(scale));
            for (int r = 0; r < m; r++) {
                FloatVector v = fromMemorySegment(S, xs, r * ldx + c, NATIVE, cols);
                v.fma(scale, shift).intoMemorySegment(os, r * ldo + c, NATIVE, cols);
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
        MemorySegment gs = gamma.segment(), is = invStd.segment();
        MemorySegment dgs = dGamma.segment(), dbs = dBeta.segment();
        long ldd = bytes(dOut), ldh = bytes(xhat), ldx = bytes(dX);
        for (int j = 0; j < n; j += L) {
            backwardBlock(ds, ldd, hs, ldh, xs, ldx, gs, is, dgs, dbs, m, j, n);
        }
    }

    /** Columns [j, j+L) of the backward pass (one method per block keeps C1 within its registers). */
    private static void backwardBlock(MemorySegment ds, long ldd, MemorySegment hs, long ldh, MemorySegment xs,
                                      long ldx, MemorySegment gs, MemorySegment is, MemorySegment dgs,
                                      MemorySegment dbs, int m, int j, int n) {
        VectorMask<Float> cols = S.indexInRange(j, n);
        long c = (long) j * Float.BYTES;
        FloatVector sumD = FloatVector.zero(S), sumDH = FloatVector.zero(S);
        for (int r = 0; r < m; r++) {
            FloatVector d = fromMemorySegment(S, ds, r * ldd + c, NATIVE, cols);
            sumD = sumD.add(d);
            sumDH = d.fma(fromMemorySegment(S, hs, r * ldh + c, NATIVE, cols), sumDH);
        }
        sumD.intoMemorySegment(dbs, c, NATIVE, cols);
        sumDH.intoMemorySegment(dgs, c, NATIVE, cols);
        FloatVector k = fromMemorySegment(S, gs, c, NATIVE, cols)
                .mul(fromMemorySegment(S, is, c, NATIVE, cols)).mul(1f / m);
        float fm = m;
        for (int r = 0; r < m; r++) {
            FloatVector d = fromMemorySegment(S, ds, r * ldd + c, NATIVE, cols);
            FloatVector h = fromMemorySegment(S, hs, r * ldh + c, NATIVE, cols);
            d.mul(fm).sub(sumD).sub(h.mul(sumDH)).mul(k).intoMemorySegment(xs, r * ldx + c, NATIVE, cols);
        }
    }

    /** Row stride in bytes. */
    private static long bytes(Matrix m) {
        return (long) m.stride() * Float.BYTES;
    }

    private static void checkParameters(String kernel, int n, Matrix gamma, Matrix beta, Matrix runningMean,
                                        Matrix runningVar) {
        FusedShapes.row(kernel, "gamma", gamma, n);
        FusedShapes.row(kernel, "beta", beta, n);
        FusedShapes.row(kernel, "runningMean", runningMean, n);
        FusedShapes.row(kernel, "runningVar", runningVar, n);
    }
}
