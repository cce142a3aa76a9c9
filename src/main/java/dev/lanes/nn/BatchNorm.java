package dev.lanes.nn;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * Batch normalization over the rows of a batch: each feature is standardized with the batch mean and
 * variance, then scaled by γ and shifted by β. Running averages of mean and variance, updated while
 * training ({@code running = momentum·running + (1 − momentum)·batch}, as in Keras; PyTorch's
 * momentum 0.1 is 0.9 here), replace the batch statistics at inference; they are non-trainable
 * parameters. The running variance averages each batch's unbiased variance (divided by m − 1), as
 * PyTorch's does; Keras averages the biased one, smaller by (m − 1)/m (0.992 at batch 128).
 *
 * <p>Weights (as in Keras): {@code [gamma, beta, moving_mean, moving_variance]}, each
 * {@code inputWidth} long; γ starts at 1, β and the mean at 0, the variance at 1.
 *
 * <pre>{@code new BatchNorm()            // momentum 0.99, epsilon 0.001 (Keras defaults)
 * new BatchNorm(0.9f, 1e-5f) }</pre>
 */
public final class BatchNorm extends Layer {
    private final float momentum;
    private final float epsilon;
    private Matrix gamma, gammaGradient, beta, betaGradient, runningMean, runningVariance, invStd;
    private List<Parameter> parameters;
    private final RowBuffer output = new RowBuffer();
    private final RowBuffer normalized = new RowBuffer();
    private final RowBuffer inputGradient = new RowBuffer();
    private Matrix lastNormalized;

    public BatchNorm() {
        this(0.99f, 1e-3f);
    }

    public BatchNorm(float momentum, float epsilon) {
        if (!(momentum >= 0f && momentum < 1f)) {
            throw new IllegalArgumentException("batch-norm momentum must be in [0, 1), got " + momentum);
        }
        if (!(epsilon > 0f) || Float.isInfinite(epsilon)) {
            throw new IllegalArgumentException("batch-norm epsilon must be finite and > 0, got " + epsilon);
        }
        this.momentum = momentum;
        this.epsilon = epsilon;
    }

    public float momentum() { return momentum; }

    public float epsilon() { return epsilon; }

    @Override public String typeName() { return "BatchNormalization"; }

    @Override public int outputWidth() { return inputWidth; }

    @Override
    long parameterCount(int inputWidth) { return 4L * inputWidth; }

    @Override
    void buildParameters(Arena arena, long seed) {
        int n = inputWidth;
        gamma = Matrix.allocate(arena, 1, n).fill(1f);
        gammaGradient = Matrix.allocate(arena, 1, n);
        beta = Matrix.allocate(arena, 1, n);
        betaGradient = Matrix.allocate(arena, 1, n);
        runningMean = Matrix.allocate(arena, 1, n);
        runningVariance = Matrix.allocate(arena, 1, n).fill(1f);
        invStd = Matrix.allocate(arena, 1, n);
        parameters = List.of(
                Parameter.trainable(name() + "/gamma", gamma, gammaGradient, null, false),
                Parameter.trainable(name() + "/beta", beta, betaGradient, null, false),
                Parameter.frozen(name() + "/moving_mean", runningMean),
                Parameter.frozen(name() + "/moving_variance", runningVariance));
    }

    @Override public List<Parameter> parameters() { return parameters; }

    @Override
    void allocateWorkspace(Arena arena, int rows) {
        output.allocate(arena, rows, inputWidth);
        normalized.allocate(arena, rows, inputWidth);
        inputGradient.allocate(arena, rows, inputWidth);
    }

    @Override
    Matrix forward(Matrix x, boolean training, long step) {
        Matrix out = output.rows(x.rows());
        if (training) {
            if (x.rows() < 2) {
                throw new IllegalArgumentException("batch normalization needs batches of at least 2 rows while training, got "
                        + x.rows() + " (use a larger batch size or drop the last incomplete batch)");
            }
            lastNormalized = normalized.rows(x.rows());
            kernels.batchNormForwardTrain(x, gamma, beta, runningMean, runningVariance, momentum, epsilon,
                    lastNormalized, invStd, out);
        } else {
            kernels.batchNormForwardInference(x, gamma, beta, runningMean, runningVariance, epsilon, out);
        }
        return out;
    }

    @Override
    Matrix infer(Matrix x, Matrix out) {
        kernels.batchNormForwardInference(x, gamma, beta, runningMean, runningVariance, epsilon, out);
        return out;
    }

    @Override
    Matrix backward(Matrix dOut, boolean needInputGradient) {
        Matrix dX = inputGradient.rows(dOut.rows());
        kernels.batchNormBackward(dOut, lastNormalized, gamma, invStd, gammaGradient, betaGradient, dX);
        return dX;
    }
}
