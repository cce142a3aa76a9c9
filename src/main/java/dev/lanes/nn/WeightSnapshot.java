package dev.lanes.nn;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * An off-heap copy of every parameter of a model (trainable or not), for keeping the best weights
 * seen so far (early stopping) without going through heap arrays. Allocated once; {@link #capture()}
 * and {@link #restore()} only copy memory.
 */
public final class WeightSnapshot implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final List<Parameter> parameters;
    private final Matrix[] copies;
    private boolean captured;

    WeightSnapshot(List<Parameter> parameters) {
        this.parameters = parameters;
        this.copies = new Matrix[parameters.size()];
        for (int i = 0; i < copies.length; i++) {
            Matrix v = parameters.get(i).value();
            copies[i] = Matrix.allocate(arena, v.rows(), v.cols());
        }
    }

    /** Copies the model's current weights into this snapshot. */
    public void capture() {
        for (int i = 0; i < copies.length; i++) {
            copies[i].copyFrom(parameters.get(i).value());
        }
        captured = true;
    }

    /** As {@link #capture()}, copying with {@code kernels} (the simd backend splits large copies across its threads). */
    public void capture(Kernels kernels) {
        for (int i = 0; i < copies.length; i++) {
            kernels.copy(parameters.get(i).value(), copies[i]);
        }
        captured = true;
    }

    /** Copies the captured weights back into the model. */
    public void restore() {
        if (!captured) throw new IllegalStateException("nothing captured yet");
        for (int i = 0; i < copies.length; i++) {
            parameters.get(i).value().copyFrom(copies[i]);
        }
    }

    public boolean isCaptured() { return captured; }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
