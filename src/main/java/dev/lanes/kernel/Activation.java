package dev.lanes.kernel;

/**
 * Element-wise activations a kernel can apply, on its own or fused into a GEMM epilogue.
 * {@link #apply} is the scalar definition every backend must agree with.
 */
public enum Activation {
    IDENTITY, RELU, LEAKY_RELU, SIGMOID, TANH;

    /** g(x); {@code leak} is the negative-side slope of {@link #LEAKY_RELU} and ignored otherwise. */
    public float apply(float x, float leak) {
        return switch (this) {
            case IDENTITY -> x;
            case RELU -> x <= 0f ? 0f : x; // NaN passes through, as in PyTorch: a NaN input shows in the output
            case LEAKY_RELU -> x > 0f ? x : leak * x;
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case TANH -> (float) Math.tanh(x);
        };
    }

    /**
     * {@code g·g′}, with g′ taken through the activation's output {@code y}: the scalar definition of
     * {@link Kernels#activationBackward} and of the activation-gradient GEMM epilogue.
     */
    public float derivativeTimes(float g, float y, float leak) {
        return switch (this) {
            case IDENTITY -> g;
            case RELU -> y > 0f ? g : 0f;
            case LEAKY_RELU -> y > 0f ? g : leak * g;
            case SIGMOID -> g * (y * (1f - y));
            case TANH -> g * (1f - y * y);
        };
    }
}
