package dev.lanes.nn;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;

/**
 * The buffers one prediction needs: an output matrix per layer, for up to {@link #capacity()} rows,
 * in an arena of its own. A {@link Sequential} lends one to each {@code predict} call and takes it
 * back afterwards, so concurrent predictions never share a buffer and, once the pool holds as many
 * workspaces as there are concurrent callers, predicting allocates no off-heap memory.
 */
final class InferenceWorkspace implements AutoCloseable {
    // Shared, not confined: the GEMM's worker threads read and write these buffers too.
    private final Arena arena = Arena.ofShared();
    private final Matrix[] outputs;
    /** Views of the first m rows of every output, made the first time m rows are predicted: a view is an object, and a prediction allocates nothing. */
    private final Matrix[][] firstRows;
    private final int capacity;
    /** One input row and its probabilities, for {@code Sequential.predict(float[], float[])}. */
    private final Matrix inputRow, probabilitiesRow;

    InferenceWorkspace(Layer[] layers, int inputWidth, int capacity) {
        this.capacity = capacity;
        this.inputRow = Matrix.allocate(arena, 1, inputWidth);
        this.probabilitiesRow = Matrix.allocate(arena, 1, layers[layers.length - 1].outputWidth());
        this.outputs = new Matrix[layers.length];
        this.firstRows = new Matrix[capacity + 1][];
        for (int i = 0; i < layers.length; i++) {
            outputs[i] = Matrix.allocate(arena, capacity, layers[i].outputWidth());
        }
    }

    int capacity() { return capacity; }

    Matrix inputRow() { return inputRow; }

    Matrix probabilitiesRow() { return probabilitiesRow; }

    /** Runs every layer in inference mode on {@code x} (at most {@link #capacity()} rows); the result is a view of a buffer here. */
    Matrix run(Layer[] layers, Matrix x) {
        int m = x.rows();
        Matrix[] out = firstRows[m];
        if (out == null) {
            out = new Matrix[outputs.length];
            for (int i = 0; i < outputs.length; i++) out[i] = m == capacity ? outputs[i] : outputs[i].rowRange(0, m);
            firstRows[m] = out;
        }
        Matrix a = x;
        for (int i = 0; i < layers.length; i++) a = layers[i].infer(a, out[i]);
        return a;
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
