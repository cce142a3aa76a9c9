package dev.lanes.nn;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * Inverted dropout: while training, each activation is kept with probability 1 − rate and scaled
 * by 1/(1 − rate), so inference is the identity. The mask comes from a counter-based generator keyed
 * by (the layer's seed, the training step, the element), so a step can be replayed exactly and the
 * mask does not depend on the thread count. No weights.
 *
 * <pre>{@code new Dropout(0.5f) }</pre>
 */
public final class Dropout extends Layer {
    private final float rate;
    private long seed;
    private final RowBuffer output = new RowBuffer();
    private final RowBuffer mask = new RowBuffer();
    private Matrix lastMask;

    /** @param rate the fraction of activations dropped, in [0, 1) */
    public Dropout(float rate) {
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
        this.rate = rate;
    }

    public float rate() { return rate; }

    @Override public String typeName() { return "Dropout"; }

    @Override public int outputWidth() { return inputWidth; }

    @Override
    long parameterCount(int inputWidth) { return 0; }

    @Override void buildParameters(Arena arena, long seed) { this.seed = seed; }

    @Override public List<Parameter> parameters() { return List.of(); }

    @Override
    void allocateWorkspace(Arena arena, int rows) {
        output.allocate(arena, rows, inputWidth);
        mask.allocate(arena, rows, inputWidth);
    }

    @Override
    Matrix forward(Matrix x, boolean training, long step) {
        if (!training || rate == 0f) {
            lastMask = null;
            return x;
        }
        Matrix out = output.rows(x.rows());
        lastMask = mask.rows(x.rows());
        kernels.dropoutForward(x, lastMask, out, 1f - rate, seed, step);
        return out;
    }

    @Override
    Matrix infer(Matrix x, Matrix out) {
        return x;
    }

    @Override
    Matrix backward(Matrix dOut, boolean needInputGradient) {
        if (lastMask != null) {
            kernels.multiply(dOut, lastMask, dOut);
        }
        return dOut;
    }
}
