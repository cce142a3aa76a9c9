package dev.lanes.nn;

import dev.lanes.kernel.Epilogue;
import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * A layer of a {@link Sequential} model: it owns its parameters, is built once the input width is
 * known, and has a forward pass (training or inference) and a backward pass.
 *
 * <p>Forward returns a view of a workspace the layer owns, valid until its next forward; backward
 * takes the gradient of the mean batch loss with respect to that output (which it may overwrite)
 * and returns the gradient with respect to the input, while writing its parameter gradients.
 *
 * <p>Weights are read and written as plain arrays in the order of {@link #parameters()}, each
 * row-major (see each layer's class comment for the shapes).
 */
public abstract sealed class Layer permits Dense, ActivationLayer, Dropout, BatchNorm {
    private String name;
    int inputWidth = -1;
    Kernels kernels;

    /** The Keras-style type name shown by {@code summary()}: "Dense", "Dropout", ... */
    public abstract String typeName();

    /** The name given when the model was built ("dense", "dense_1", ...). */
    public String name() { return name; }

    void name(String name) { this.name = name; }

    public int inputWidth() { return inputWidth; }

    public abstract int outputWidth();

    /**
     * How many floats of weights (trainable and not) this layer will hold on an input of {@code inputWidth}
     * columns, known before anything is allocated: a model file's reader checks it against the weights
     * the file really holds before building what its description claims.
     */
    abstract long parameterCount(int inputWidth);

    /** The output width this layer will have on an input of {@code inputWidth} columns. */
    int outputWidth(int inputWidth) { return inputWidth; }

    public boolean isBuilt() { return inputWidth >= 0; }

    /** Allocates and initializes the parameters in {@code arena}. */
    final void build(int inputWidth, Kernels kernels, Arena arena, long seed) {
        if (inputWidth < 1) throw new IllegalArgumentException("input width must be >= 1, got " + inputWidth);
        this.inputWidth = inputWidth;
        this.kernels = kernels;
        buildParameters(arena, seed);
    }

    abstract void buildParameters(Arena arena, long seed);

    /** Trainable and non-trainable parameters, in {@link #getWeights()} order. */
    public abstract List<Parameter> parameters();

    /** Sizes the forward and backward workspaces for batches of up to {@code rows} rows. */
    abstract void allocateWorkspace(Arena arena, int rows);

    /**
     * @param step the training step, which keys random masks (dropout) so that a step can be replayed
     */
    abstract Matrix forward(Matrix x, boolean training, long step);

    /**
     * The inference-mode forward pass ({@code training = false}) writing into {@code out}, a
     * {@code x.rows() × outputWidth()} matrix the caller owns; returns {@code out}, or {@code x} itself
     * when the layer is the identity at inference. Touches none of the layer's own workspaces or
     * backward-pass state, so any number of threads may run it at once while the weights stay put.
     */
    abstract Matrix infer(Matrix x, Matrix out);

    /**
     * @param needInputGradient false for the first layer, which can skip computing dX
     * @return dX, or {@code null} when not needed
     */
    abstract Matrix backward(Matrix dOut, boolean needInputGradient);

    /**
     * The backward pass with the activation steps handed between neighbours (see {@link Sequential#backward}).
     *
     * @param below                    the {@link #outputGradientEpilogue} of the layer below, for this
     *                                 layer to apply to the input gradient it computes; null for none
     *                                 (only passed to a layer that {@link #fusesInputGradientEpilogue})
     * @param dOutIsPreActivationGradient the layer above applied this layer's
     *                                 {@link #outputGradientEpilogue}: {@code dOut} is already the
     *                                 gradient with respect to the pre-activation
     */
    Matrix backward(Matrix dOut, boolean needInputGradient, Epilogue below, boolean dOutIsPreActivationGradient) {
        if (below != null || dOutIsPreActivationGradient) {
            // A layer that hands over or takes an activation step overrides this; applying it twice or never would be silent.
            throw new IllegalStateException(typeName() + " does not fuse activation steps with its neighbours");
        }
        return backward(dOut, needInputGradient);
    }

    /**
     * The GEMM epilogue that turns the gradient with respect to this layer's output into the gradient
     * with respect to its pre-activation (the first step of this layer's backward pass), for the layer
     * above to fuse into the product that computes that gradient; null when this layer keeps the step.
     * Valid between a training forward pass and the backward pass.
     */
    Epilogue outputGradientEpilogue() { return null; }

    /** Whether {@link #backward(Matrix, boolean, Epilogue, boolean)} applies an epilogue of the layer below. */
    boolean fusesInputGradientEpilogue() { return false; }

    private static final Activation LINEAR = Activation.linear();

    /** The activation this layer ends with (linear when it has none). */
    Activation outputActivation() { return LINEAR; }

    /**
     * When the output activation is fused with the loss, the last layer stops applying it and
     * emits logits instead; the model applies it for predictions.
     */
    void emitLogits(boolean logits) {
        if (logits) throw new IllegalStateException(typeName() + " has no activation to fuse with the loss");
    }

    public final long parameterCount(boolean trainable) {
        long n = 0;
        for (Parameter p : parameters()) {
            if (p.trainable() == trainable) n += p.size();
        }
        return n;
    }

    /** Copies of the parameter values, one row-major array per parameter. */
    public final float[][] getWeights() {
        requireBuilt();
        List<Parameter> ps = parameters();
        float[][] out = new float[ps.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = ps.get(i).value().toArray();
        }
        return out;
    }

    /** Sets every parameter from row-major arrays in {@link #parameters()} order. */
    public final void setWeights(float[]... weights) {
        requireBuilt();
        List<Parameter> ps = parameters();
        if (weights.length != ps.size()) {
            throw new IllegalArgumentException(name + " (" + typeName() + ") has " + ps.size() + " weight arrays "
                    + ps + ", got " + weights.length);
        }
        for (int i = 0; i < weights.length; i++) {
            Matrix v = ps.get(i).value();
            if (weights[i].length != v.rows() * v.cols()) {
                throw new IllegalArgumentException(ps.get(i).name() + " has shape " + v.shape() + " ("
                        + v.rows() * v.cols() + " values), got an array of " + weights[i].length);
            }
        }
        for (int i = 0; i < weights.length; i++) {
            ps.get(i).value().copyFrom(weights[i]);
        }
    }

    final void requireBuilt() {
        if (!isBuilt()) throw new IllegalStateException("layer is not built yet: add it to a Sequential model first");
    }

    static void checkWidth(Matrix x, int width, String what) {
        if (x.cols() != width) {
            throw new IllegalArgumentException(what + " expects " + width + " columns, got a " + x.shape() + " matrix");
        }
    }

    @Override
    public String toString() {
        return (name == null ? "" : name + " ") + typeName();
    }
}
