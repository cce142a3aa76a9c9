package dev.lanes.nn;

import dev.lanes.kernel.Epilogue;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A fully connected layer, {@code A = g(X·W + b)}. The forward pass is one GEMM whose epilogue adds
 * the bias and applies g while the tile is still in registers; the backward pass is two GEMMs
 * ({@code dW = Xᵀ·dZ}, {@code dX = dZ·Wᵀ}, both reading the stored matrices transposed in place)
 * and one column sum ({@code db}). When the layer below is a Dense layer too, the epilogue of
 * {@code dX = dZ·Wᵀ} also applies that layer's activation derivative, so the gradient it hands down
 * is already that layer's dZ (see {@link #outputGradientEpilogue}).
 *
 * <p>Weights (as in Keras): {@code [kernel, bias]}, the kernel {@code inputWidth × units} row-major
 * (row i holds the weights leaving input i), the bias {@code units} long. Without a bias, only the
 * kernel.
 *
 * <pre>{@code
 * new Dense(128, Activation.relu())                                  // Glorot uniform, zero bias
 * new Dense(10, Activation.softmax(), Initializer.heNormal(), true)
 * new Dense(64, Activation.tanh()).regularizer(Regularizer.l2(1e-3f))
 * }</pre>
 */
public final class Dense extends Layer {
    private final int units;
    private final Activation activation;
    private final Initializer kernelInitializer;
    private final boolean useBias;
    private Initializer biasInitializer = Initializer.zeros();
    private Regularizer regularizer = Regularizer.NONE;

    private Matrix weights, weightsGradient, bias, biasGradient;
    private List<Parameter> parameters;
    private Parameter kernelParameter;
    private Epilogue epilogue;
    /** {@link #outputGradientEpilogue} for the full-batch output view and for the shorter last batch's. */
    private Epilogue gradientEpilogue, partialGradientEpilogue;
    private boolean emitLogits;
    private final RowBuffer output = new RowBuffer();
    private final RowBuffer inputGradient = new RowBuffer();
    private Matrix lastInput, lastOutput;

    public Dense(int units) {
        this(units, Activation.linear());
    }

    public Dense(int units, Activation activation) {
        this(units, activation, Initializer.glorotUniform(), true);
    }

    public Dense(int units, Activation activation, Initializer kernelInitializer, boolean useBias) {
        if (units < 1) throw new IllegalArgumentException("Dense needs at least 1 unit, got " + units);
        if (activation == null || kernelInitializer == null) {
            throw new IllegalArgumentException("activation and initializer must not be null");
        }
        this.units = units;
        this.activation = activation;
        this.kernelInitializer = kernelInitializer;
        this.useBias = useBias;
    }

    /** Sets the bias initializer (default zeros); before the model is built. */
    public Dense biasInitializer(Initializer initializer) {
        requireUnbuilt();
        this.biasInitializer = initializer;
        return this;
    }

    /** Sets the L1/L2 penalty on the kernel (not the bias); before the model is built. */
    public Dense regularizer(Regularizer regularizer) {
        requireUnbuilt();
        this.regularizer = regularizer;
        return this;
    }

    private void requireUnbuilt() {
        if (isBuilt()) throw new IllegalStateException("configure " + name() + " before building the model");
    }

    public int units() { return units; }

    public Activation activation() { return activation; }

    public boolean useBias() { return useBias; }

    /** The L1/L2 penalty on the kernel ({@link Regularizer#NONE} by default). */
    public Regularizer regularizer() { return regularizer; }

    @Override public String typeName() { return "Dense"; }

    @Override public int outputWidth() { return units; }

    @Override
    long parameterCount(int inputWidth) { return (long) inputWidth * units + (useBias ? units : 0); }

    @Override
    int outputWidth(int inputWidth) { return units; }

    @Override
    void buildParameters(Arena arena, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        weights = Matrix.allocate(arena, inputWidth, units);
        weightsGradient = Matrix.allocate(arena, inputWidth, units);
        kernelInitializer.initialize(weights, inputWidth, units, random);
        kernelParameter = Parameter.trainable(name() + "/kernel", weights, weightsGradient, regularizer, true);
        if (useBias) {
            bias = Matrix.allocate(arena, 1, units);
            biasGradient = Matrix.allocate(arena, 1, units);
            biasInitializer.initialize(bias, inputWidth, units, random);
            parameters = List.of(kernelParameter, Parameter.trainable(name() + "/bias", bias, biasGradient, null, false));
        } else {
            parameters = List.of(kernelParameter);
        }
        epilogue = makeEpilogue();
    }

    private Epilogue makeEpilogue() {
        boolean fused = !emitLogits && activation.kind() != Activation.Kind.SOFTMAX;
        return fused ? new Epilogue(bias, activation.kernelActivation(), activation.alpha(), null)
                     : new Epilogue(bias, dev.lanes.kernel.Activation.IDENTITY, 0f, null);
    }

    @Override public List<Parameter> parameters() { return parameters; }

    @Override Activation outputActivation() { return activation; }

    @Override
    void emitLogits(boolean logits) {
        emitLogits = logits;
        if (isBuilt()) epilogue = makeEpilogue();
    }

    @Override
    void allocateWorkspace(Arena arena, int rows) {
        output.allocate(arena, rows, units);
        inputGradient.allocate(arena, rows, inputWidth);
    }

    @Override
    Matrix forward(Matrix x, boolean training, long step) {
        Matrix a = output.rows(x.rows());
        kernels.gemm(false, false, 1f, x, weights, 0f, a, epilogue);
        if (!emitLogits && activation.kind() == Activation.Kind.SOFTMAX) {
            kernels.softmaxRows(a, a);
        }
        lastInput = x;
        lastOutput = a;
        return a;
    }

    @Override
    Matrix infer(Matrix x, Matrix out) {
        Epilogue e = epilogue;
        kernels.gemm(false, false, 1f, x, weights, 0f, out, e);
        if (!emitLogits && activation.kind() == Activation.Kind.SOFTMAX) {
            kernels.softmaxRows(out, out);
        }
        return out;
    }

    @Override
    Matrix backward(Matrix dOut, boolean needInputGradient) {
        return backward(dOut, needInputGradient, null, false);
    }

    /**
     * The derivative of this layer's activation (not linear, not softmax), applied by the layer above
     * in the epilogue of its input-gradient product: one pass over dA fewer (the activation kernel
     * read dA and A and wrote dZ), and at 2 threads shared out with that product instead of run on
     * the caller alone.
     */
    @Override
    Epilogue outputGradientEpilogue() {
        if (emitLogits || lastOutput == null || activation.isLinear() || activation.kind() == Activation.Kind.SOFTMAX) {
            return null;
        }
        // Cached per output view, so a step allocates nothing.
        boolean full = output.isFull(lastOutput);
        Epilogue e = full ? gradientEpilogue : partialGradientEpilogue;
        if (e == null || e.activationOutput() != lastOutput) {
            e = Epilogue.activationGradient(activation.kernelActivation(), activation.alpha(), lastOutput);
            if (full) gradientEpilogue = e; else partialGradientEpilogue = e;
        }
        return e;
    }

    @Override boolean fusesInputGradientEpilogue() { return true; }

    @Override
    Matrix backward(Matrix dOut, boolean needInputGradient, Epilogue below, boolean dOutIsPreActivationGradient) {
        Matrix dZ = dOut;
        if (!emitLogits && !dOutIsPreActivationGradient) {
            Activations.backward(kernels, activation, lastOutput, dOut, dZ);
        }
        kernelParameter.gradientMaxAbs(kernels.gemmMaxAbs(true, false, 1f, lastInput, dZ, 0f, weightsGradient));
        if (useBias) {
            kernels.columnSums(dZ, 1f, biasGradient);
        }
        if (!needInputGradient) return null;
        Matrix dX = inputGradient.rows(dZ.rows());
        kernels.gemm(false, true, 1f, dZ, weights, 0f, dX, below == null ? Epilogue.NONE : below);
        return dX;
    }
}
