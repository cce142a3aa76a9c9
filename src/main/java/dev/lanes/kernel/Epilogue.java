package dev.lanes.kernel;

import dev.lanes.tensor.Matrix;

/**
 * What a GEMM does to each output tile while it is still in registers or L1:
 * {@code z = alpha·op(A)·op(B) + beta·C + bias}, then {@code C = activation(z)}, writing {@code z}
 * to {@code preActivation} when given (backprop of some activations needs it).
 *
 * <p>Create epilogues once (for example when a layer is built) and reuse them: a GEMM call then
 * allocates nothing.
 *
 * @param bias          a 1×N row added to every row of the product, or {@code null}
 * @param activation    applied after the bias
 * @param leak          slope for x &lt; 0 when {@code activation} is {@link Activation#LEAKY_RELU}
 * @param preActivation an M×N matrix receiving z, or {@code null}
 */
public record Epilogue(Matrix bias, Activation activation, float leak, Matrix preActivation) {
    /** Plain GEMM: no bias, identity activation. */
    public static final Epilogue NONE = new Epilogue(null, Activation.IDENTITY, 0f, null);

    public Epilogue {
        if (activation == null) {
            throw new IllegalArgumentException("activation must not be null (use Activation.IDENTITY)");
        }
        if (bias != null && bias.rows() != 1) {
            throw new IllegalArgumentException("bias must be a 1xN row, got " + bias.shape());
        }
    }

    public static Epilogue bias(Matrix bias) {
        return new Epilogue(bias, Activation.IDENTITY, 0f, null);
    }

    public static Epilogue of(Matrix bias, Activation activation) {
        return new Epilogue(bias, activation, 0.01f, null);
    }

    /** True when the epilogue changes nothing beyond alpha/beta. */
    public boolean isNone() {
        return bias == null && activation == Activation.IDENTITY && preActivation == null;
    }
}
