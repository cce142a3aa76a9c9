package dev.lanes.train;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;

/**
 * A workspace sized for the largest batch that hands out its first m rows as a view, cached per row
 * count so a steady stream of equal batches creates no objects.
 */
final class BatchBuffer {
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
}
