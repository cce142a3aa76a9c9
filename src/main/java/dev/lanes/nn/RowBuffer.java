package dev.lanes.nn;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;

/**
 * A workspace matrix sized for the largest batch, handing out its first m rows as a view. The view
 * is cached per row count, so a training loop whose batches all have the same size (and one shorter
 * last batch) creates no objects per step.
 */
final class RowBuffer {
    private Matrix full;
    /** The last shorter view handed out: an epoch's final batch, cached across epochs. */
    private Matrix partial;

    void allocate(Arena arena, int rows, int cols) {
        full = Matrix.allocate(arena, rows, cols);
        partial = null;
    }

    Matrix rows(int m) {
        if (m == full.rows()) return full;
        Matrix v = partial;
        if (v == null || v.rows() != m) {
            v = full.rowRange(0, m);
            partial = v;
        }
        return v;
    }

    boolean isAllocated() { return full != null; }

    /** Whether {@code m} is the full-size view (not the cached shorter one). */
    boolean isFull(Matrix m) { return m == full; }
}
