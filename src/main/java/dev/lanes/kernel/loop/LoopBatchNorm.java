package dev.lanes.kernel.loop;

import dev.lanes.kernel.FusedShapes;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Batch normalization over rows as scalar loops, one column at a time; statistics in double, the
 * variance by two passes (mean first), which avoids the cancellation of E[x²] − E[x]².
 */
final class LoopBatchNorm {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private LoopBatchNorm() {}

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
        int ldx = x.stride(), ldh = xhat.stride(), ldo = out.stride();
        for (int c = 0; c < n; c++) {
            double sum = 0;
            for (int r = 0; r < m; r++) sum += xs.getAtIndex(F, (long) r * ldx + c);
            double mean = sum / m;
            double squares = 0;
            for (int r = 0; r < m; r++) {
                double dev = xs.getAtIndex(F, (long) r * ldx + c) - mean;
                squares += dev * dev;
            }
            double variance = squares / m;
            double inv = 1 / Math.sqrt(variance + eps);
            is.setAtIndex(F, c, (float) inv);
            float g = gs.getAtIndex(F, c), b = bs.getAtIndex(F, c);
            for (int r = 0; r < m; r++) {
                float h = (float) ((xs.getAtIndex(F, (long) r * ldx + c) - mean) * inv);
                hs.setAtIndex(F, (long) r * ldh + c, h);
                os.setAtIndex(F, (long) r * ldo + c, g * h + b);
            }
            rms.setAtIndex(F, c, momentum * rms.getAtIndex(F, c) + (1f - momentum) * (float) mean);
            if (m > 1) {
                float unbiased = (float) (squares / (m - 1));
                rvs.setAtIndex(F, c, momentum * rvs.getAtIndex(F, c) + (1f - momentum) * unbiased);
            }
        }
    }

    static void forwardInference(Matrix x, Matrix gamma, Matrix beta, Matrix runningMean, Matrix runningVar,
                                        float eps, Matrix out) {
        int n = x.cols();
        checkParameters("batchNormForwardInference", n, gamma, beta, runningMean, runningVar);
        FusedShapes.same("batchNormForwardInference", "x", x, "out", out);
        MemorySegment xs = x.segment(), os = out.segment();
        MemorySegment gs = gamma.segment(), bs = beta.segment(), rms = runningMean.segment();
        MemorySegment rvs = runningVar.segment();
        for (int r = 0; r < x.rows(); r++) {
            long xb = (long) r * x.stride(), ob = (long) r * out.stride();
            for (int c = 0; c < n; c++) {
                double normalized = (xs.getAtIndex(F, xb + c) - rms.getAtIndex(F, c))
                        / Math.sqrt((double) rvs.getAtIndex(F, c) + eps);
                os.setAtIndex(F, ob + c, (float) (gs.getAtIndex(F, c) * normalized + bs.getAtIndex(F, c)));
            }
        }
    }

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
        int ldd = dOut.stride(), ldh = xhat.stride(), ldx = dX.stride();
        for (int c = 0; c < n; c++) {
            double sumD = 0, sumDH = 0;
            for (int r = 0; r < m; r++) {
                double d = ds.getAtIndex(F, (long) r * ldd + c);
                sumD += d;
                sumDH += d * hs.getAtIndex(F, (long) r * ldh + c);
            }
            dBeta.segment().setAtIndex(F, c, (float) sumD);
            dGamma.segment().setAtIndex(F, c, (float) sumDH);
            double k = (double) gamma.segment().getAtIndex(F, c) * invStd.segment().getAtIndex(F, c) / m;
            for (int r = 0; r < m; r++) {
                double d = ds.getAtIndex(F, (long) r * ldd + c);
                double h = hs.getAtIndex(F, (long) r * ldh + c);
                xs.setAtIndex(F, (long) r * ldx + c, (float) (k * (m * d - sumD - h * sumDH)));
            }
        }
    }

    static void checkParameters(String kernel, int n, Matrix gamma, Matrix beta, Matrix runningMean,
                                Matrix runningVar) {
        FusedShapes.row(kernel, "gamma", gamma, n);
        FusedShapes.row(kernel, "beta", beta, n);
        FusedShapes.row(kernel, "runningMean", runningMean, n);
        FusedShapes.row(kernel, "runningVar", runningVar, n);
    }
}
