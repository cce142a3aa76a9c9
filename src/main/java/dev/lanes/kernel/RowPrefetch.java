package dev.lanes.kernel;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@link Kernels#prefetchRows} for both backends: a memory hint, the same scalar loads whichever
 * backend computes, so a loop-versus-simd comparison times the same memory traffic.
 */
public final class RowPrefetch {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private RowPrefetch() {}

    /** Where {@link #prefetchRows} leaves what it read, so the JIT keeps its loads. */
    private static float prefetched;

    /**
     * Loads the first float of rows {@code index[from..to)}. One line a row, not more: on this
     * machine's Zen 5 a W1 batch-128 epoch ran 1.1 % faster with one line touched a batch ahead (three
     * in-process A/B runs of 40 epoch pairs: 1.0094, 1.0114, 1.0117), no faster with four lines
     * (1.0008) and 1 % slower with whole rows (0.9895), whose misses stall the step that follows.
     */
    public static void prefetchRows(Matrix source, int[] index, int from, int to) {
        if (from >= to) return;
        if (from < 0 || to > index.length) {
            throw new IndexOutOfBoundsException("prefetchRows: rows [" + from + ", " + to + ") of an index of "
                    + index.length);
        }
        MemorySegment xs = source.segment();
        float sum = 0;
        for (int i = from; i < to; i++) {
            int r = index[i];
            if (r < 0 || r >= source.rows()) {
                throw new IndexOutOfBoundsException("prefetchRows: index[" + i + "] = " + r + " is outside the "
                        + source.rows() + " rows of " + source.shape());
            }
            sum += xs.getAtIndex(F, (long) r * source.stride());
        }
        prefetched = sum;
    }
}
