package dev.lanes.nn;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * An activation on its own, for when it should not be fused into the preceding layer (for example
 * after a {@link BatchNorm}: Dense → BatchNorm → ReLU). No weights.
 *
 * <pre>{@code new ActivationLayer(Activation.relu()) }</pre>
 */
public final class ActivationLayer extends Layer {
    private final Activation activation;
    private final RowBuffer output = new RowBuffer();
    private boolean emitLogits;
    private Matrix lastOutput;

    public ActivationLayer(Activation activation) {
        if (activation == null) throw new IllegalArgumentException("activation must not be null");
        this.activation = activation;
    }

    public Activation activation() { return activation; }

    @Override public String typeName() { return "Activation"; }

    @Override public int outputWidth() { return inputWidth; }

    @Override
    long parameterCount(int inputWidth) { return 0; }

    @Override void buildParameters(Arena arena, long seed) {}

    @Override public List<Parameter> parameters() { return List.of(); }

    @Override Activation outputActivation() { return activation; }

    @Override void emitLogits(boolean logits) { emitLogits = logits; }

    @Override
    void allocateWorkspace(Arena arena, int rows) {
        output.allocate(arena, rows, inputWidth);
    }

    @Override
    Matrix forward(Matrix x, boolean training, long step) {
        if (emitLogits) {
            lastOutput = x;
            return x;
        }
        Matrix a = output.rows(x.rows());
        Activations.forward(kernels, activation, x, a);
        lastOutput = a;
        return a;
    }

    @Override
    Matrix infer(Matrix x, Matrix out) {
        if (emitLogits) return x;
        Activations.forward(kernels, activation, x, out);
        return out;
    }

    @Override
    Matrix backward(Matrix dOut, boolean needInputGradient) {
        if (!emitLogits) {
            Activations.backward(kernels, activation, lastOutput, dOut, dOut);
        }
        return dOut;
    }
}
