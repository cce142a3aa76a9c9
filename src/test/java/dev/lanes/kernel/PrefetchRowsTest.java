package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** prefetchRows is a hint: it changes nothing, does nothing on an empty range, and names a bad row. */
class PrefetchRowsTest extends LoopAndSimd {

    @Test
    void changesNothingAndAcceptsEmptyAndEndRanges() {
        for (Kernels k : new Kernels[] {loop, simd}) {
            float[] values = new float[7 * 5];
            for (int i = 0; i < values.length; i++) values[i] = i * 0.5f - 3f;
            try (Matrix source = Matrix.of(7, 5, values)) {
                int[] index = {6, 0, 3, 2, 5};
                k.prefetchRows(source, index, 0, 5);
                k.prefetchRows(source, index, 3, 3);   // empty
                k.prefetchRows(source, index, 5, 5);   // at the end: the batch after the last
                k.prefetchRows(source, index, 7, 5);   // past it
                assertArrayEquals(values, source.toArray(), k.name());
            }
        }
    }

    @Test
    void aRowOutsideTheSourceOrARangePastTheIndexIsNamed() {
        for (Kernels k : new Kernels[] {loop, simd}) {
            try (Matrix source = Matrix.allocate(4, 3)) {
                IndexOutOfBoundsException row = assertThrows(IndexOutOfBoundsException.class,
                        () -> k.prefetchRows(source, new int[] {1, 9}, 0, 2));
                assertTrue(row.getMessage().contains("index[1] = 9") && row.getMessage().contains("4 rows"), row.getMessage());
                IndexOutOfBoundsException range = assertThrows(IndexOutOfBoundsException.class,
                        () -> k.prefetchRows(source, new int[] {1, 2}, 1, 3));
                assertTrue(range.getMessage().contains("[1, 3)") && range.getMessage().contains("index of 2"),
                        range.getMessage());
            }
        }
    }
}
