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
    private Matrix view;

    void allocate(Arena arena, int rows, int cols) {
        full = Matrix.allocate(arena, rows, cols);
        view = null;
    }

    Matrix rows(int m) {
        Matrix v = view;
        if (v != null && v.rows() == m) {
            return v;
        }
        v = m == full.rows() ? full : full.rowRange(0, m);
        view = v;
        return v;
    }

    boolean isAllocated() { return full != null; }
}
