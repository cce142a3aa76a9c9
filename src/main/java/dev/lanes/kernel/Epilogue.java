package dev.lanes.kernel;

import dev.lanes.tensor.Matrix;

/**
 * What a GEMM does to each output tile while it is still in registers or L1:
 * {@code z = alpha·op(A)·op(B) + beta·C + bias}, then {@code C = activation(z)}, writing {@code z}
 * to {@code preActivation} when given (backprop of some activations needs it).
 *
 * <p>With {@code activationOutput} the epilogue runs the other way, for backprop: C = z ⊙ g′, the
 * product times the activation's derivative, taken through the activation's output Y (ReLU: Y &gt; 0;
 * sigmoid: Y·(1 − Y); tanh: 1 − Y²). The input-gradient product of one layer, dA = dZ·Wᵀ, then
 * leaves the pre-activation gradient of the layer below, which {@link Kernels#activationBackward}
 * would otherwise compute in a pass of its own, with the same operations (so the same bits). No
 * bias or pre-activation output then.
 *
 * <p>Create epilogues once (for example when a layer is built) and reuse them: a GEMM call then
 * allocates nothing.
 *
 * @param bias          a 1×N row added to every row of the product, or {@code null}
 * @param activation    applied after the bias
 * @param leak          slope for x &lt; 0 when {@code activation} is {@link Activation#LEAKY_RELU}
 * @param preActivation an M×N matrix receiving z, or {@code null}
 * @param activationOutput the M×N output Y of {@code activation} whose derivative multiplies the
 *                      product (backprop), or {@code null} for the forward epilogue; it must not
 *                      overlap C (a product of several K blocks writes partial sums to C before
 *                      the last block reads Y)
 */
public record Epilogue(Matrix bias, Activation activation, float leak, Matrix preActivation, Matrix activationOutput) {
    /** Plain GEMM: no bias, identity activation. */
    public static final Epilogue NONE = new Epilogue(null, Activation.IDENTITY, 0f, null);

    public Epilogue {
        if (activation == null) {
            throw new IllegalArgumentException("activation must not be null (use Activation.IDENTITY)");
        }
        if (bias != null && bias.rows() != 1) {
            throw new IllegalArgumentException("bias must be a 1xN row, got " + bias.shape());
        }
        if (activationOutput != null && (bias != null || preActivation != null)) {
            throw new IllegalArgumentException("an activation-gradient epilogue takes no bias and no pre-activation output");
        }
    }

    /** A forward epilogue: bias, activation, pre-activation output. */
    public Epilogue(Matrix bias, Activation activation, float leak, Matrix preActivation) {
        this(bias, activation, leak, preActivation, null);
    }

    /**
     * The backprop epilogue C = (alpha·op(A)·op(B) + beta·C) ⊙ g′, g′ taken through g's output
     * {@code output} (same shape as C).
     */
    public static Epilogue activationGradient(Activation activation, float leak, Matrix output) {
        if (output == null) throw new IllegalArgumentException("output must not be null");
        return new Epilogue(null, activation, leak, null, output);
    }

    public static Epilogue bias(Matrix bias) {
        return new Epilogue(bias, Activation.IDENTITY, 0f, null);
    }

    public static Epilogue of(Matrix bias, Activation activation) {
        return new Epilogue(bias, activation, 0.01f, null);
    }

    /** True when the epilogue changes nothing beyond alpha/beta. */
    public boolean isNone() {
        return bias == null && activation == Activation.IDENTITY && preActivation == null && activationOutput == null;
    }
}
