package dev.lanes.train;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;

/**
 * A workspace sized for the largest batch that hands out its first m rows as a view, cached per row
 * count so a steady stream of equal batches creates no objects.
 */
final class BatchBuffer {
    private Matrix full;
    private Matrix view;

    void allocate(Arena arena, int rows, int cols) {
        full = Matrix.allocate(arena, rows, cols);
        view = null;
    }

    Matrix rows(int m) {
        Matrix v = view;
        if (v != null && v.rows() == m) return v;
        v = m == full.rows() ? full : full.rowRange(0, m);
        view = v;
        return v;
    }
}
