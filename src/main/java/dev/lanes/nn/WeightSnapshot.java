package dev.lanes.nn;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.Arrays;
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
    /** Which copies hold a value to restore: all after a capture, part of them after a partial one. */
    private final boolean[] held;
    private boolean captured;

    WeightSnapshot(List<Parameter> parameters) {
        this.parameters = parameters;
        this.copies = new Matrix[parameters.size()];
        this.held = new boolean[copies.length];
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
        Arrays.fill(held, true);
        captured = true;
    }

    /** As {@link #capture()}, copying with {@code kernels} (the simd backend splits large copies across its threads). */
    public void capture(Kernels kernels) {
        for (int i = 0; i < copies.length; i++) {
            kernels.copy(parameters.get(i).value(), copies[i]);
        }
        Arrays.fill(held, true);
        captured = true;
    }

    /**
     * Copies the parameters that are not trainable (batch-norm running statistics) and drops the
     * copies of the trainable ones: the start of a training step, whose forward pass changes only
     * the former. The weights, changed only by the update, can be added with
     * {@link #captureTrainable} just before it.
     */
    public void captureUntrainable(Kernels kernels) {
        for (int i = 0; i < copies.length; i++) {
            held[i] = !parameters.get(i).trainable();
            if (held[i]) kernels.copy(parameters.get(i).value(), copies[i]);
        }
        captured = true;
    }

    /** Copies the trainable parameters, next to what {@link #captureUntrainable} kept. */
    public void captureTrainable(Kernels kernels) {
        for (int i = 0; i < copies.length; i++) {
            if (parameters.get(i).trainable()) {
                kernels.copy(parameters.get(i).value(), copies[i]);
                held[i] = true;
            }
        }
        captured = true;
    }

    /** Copies the captured weights back into the model (after a partial capture, only those). */
    public void restore() {
        if (!captured) throw new IllegalStateException("nothing captured yet");
        for (int i = 0; i < copies.length; i++) {
            if (held[i]) parameters.get(i).value().copyFrom(copies[i]);
        }
    }

    public boolean isCaptured() { return captured; }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
