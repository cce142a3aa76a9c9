package dev.lanes.nn;

import dev.lanes.tensor.Matrix;

/**
 * One parameter buffer of a layer and, when trainable, its gradient buffer of the same shape.
 * Optimizers iterate over these; {@link #l1()} and {@link #l2()} carry the owning layer's
 * regularization and {@link #decays()} says whether decoupled weight decay (AdamW) applies (kernels
 * yes, biases and normalization parameters no, as is customary).
 */
public final class Parameter {
    private final String name;
    private final Matrix value;
    private final Matrix gradient;
    private final Regularizer regularizer;
    private final boolean decays;
    /** max |gradient| as the backward pass that wrote the gradient measured it; −1 when unknown. */
    private float gradientMaxAbs = -1f;

    Parameter(String name, Matrix value, Matrix gradient, Regularizer regularizer, boolean decays) {
        this.name = name;
        this.value = value;
        this.gradient = gradient;
        this.regularizer = regularizer == null ? Regularizer.NONE : regularizer;
        this.decays = decays;
    }

    static Parameter trainable(String name, Matrix value, Matrix gradient, Regularizer regularizer, boolean decays) {
        return new Parameter(name, value, gradient, regularizer, decays);
    }

    static Parameter frozen(String name, Matrix value) {
        return new Parameter(name, value, null, Regularizer.NONE, false);
    }

    /** "dense_1/kernel", "batch_norm/moving_mean", ... */
    public String name() { return name; }

    public Matrix value() { return value; }

    /** The gradient of the mean batch loss with respect to {@link #value()}; {@code null} when not trainable. */
    public Matrix gradient() { return gradient; }

    /** Non-trainable parameters (batch-norm running statistics) are updated by the forward pass, not by an optimizer. */
    public boolean trainable() { return gradient != null; }

    /**
     * max |g| over the gradient as the backward pass that last wrote it measured it (a {@link Dense}
     * layer gets it from its weight-gradient GEMM, which folds it in while storing the gradient), or
     * −1 when that pass did not measure it; NaN when the gradient holds a NaN, +∞ when it holds an
     * infinity. Reading it forgets it, so a value is used at most once, for the gradient it was
     * measured on: until a backward pass measures it again, this returns −1.
     */
    public float takeGradientMaxAbs() {
        float v = gradientMaxAbs;
        gradientMaxAbs = -1f;
        return v;
    }

    /** Set by a backward pass that measured max |g| while writing the gradient (see {@link #takeGradientMaxAbs}). */
    void gradientMaxAbs(float measured) {
        gradientMaxAbs = measured;
    }

    public Regularizer regularizer() { return regularizer; }

    public boolean decays() { return decays; }

    public int size() { return value.rows() * value.cols(); }

    @Override
    public String toString() {
        return name + " " + value.shape() + (trainable() ? "" : " (non-trainable)");
    }
}
