package dev.lanes.data;

import dev.lanes.tensor.Matrix;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MiniBatchesTest {
    /** The source rows of each batch of one epoch, checking that features and labels match them. */
    static List<int[]> epoch(MiniBatches b, Dataset d, int epoch) {
        List<int[]> out = new ArrayList<>();
        b.startEpoch(epoch);
        while (b.next()) {
            Matrix x = b.features();
            Matrix y = b.labels();
            assertEquals(b.size(), x.rows());
            assertEquals(b.size(), y.rows());
            int[] rows = new int[b.size()];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = (int) x.get(i, 0);
                assertEquals(rows[i], b.sourceRow(i));
                assertEquals(10f * rows[i], x.get(i, 1));
                if (y.cols() == 1) {
                    assertEquals(d.classId(rows[i]), (int) y.get(i, 0));
                } else {
                    for (int c = 0; c < y.cols(); c++) assertEquals(c == d.classId(rows[i]) ? 1f : 0f, y.get(i, c));
                }
            }
            out.add(rows);
        }
        return out;
    }

    static void assertEveryRowOnce(List<int[]> batches, int n) {
        int[] all = batches.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        int[] expected = new int[n];
        for (int i = 0; i < n; i++) expected[i] = i;
        assertArrayEquals(expected, all);
    }

    @Test
    void shuffledEpochsVisitEveryRowExactlyOnceAndAreReproducible() {
        try (Dataset d = TestData.indexed(103, 4);
             MiniBatches a = new MiniBatches(d, 10, true, 99, false);
             MiniBatches b = new MiniBatches(d, 10, true, 99, false)) {
            assertEquals(11, a.batchesPerEpoch());
            List<int[]> e0 = epoch(a, d, 0);
            List<int[]> e1 = epoch(a, d, 1);
            assertEquals(11, e0.size());
            assertEquals(3, e0.get(10).length, "the last batch holds the remainder");
            assertEveryRowOnce(e0, 103);
            assertEveryRowOnce(e1, 103);
            assertFalse(Arrays.equals(e0.get(0), e1.get(0)), "each epoch has its own order");

            // Same seed, same epoch: same batches, even when visited in another order.
            List<int[]> again1 = epoch(b, d, 1);
            List<int[]> again0 = epoch(b, d, 0);
            for (int i = 0; i < e0.size(); i++) {
                assertArrayEquals(e0.get(i), again0.get(i));
                assertArrayEquals(e1.get(i), again1.get(i));
            }
            int[] identity = e0.stream().flatMapToInt(Arrays::stream).toArray();
            int inPlace = 0;
            for (int i = 0; i < identity.length; i++) if (identity[i] == i) inPlace++;
            assertTrue(inPlace < 20, "the order is shuffled: " + inPlace + " rows stayed in place");
        }
    }

    @Test
    void unshuffledBatchesAreViewsInSourceOrder() {
        try (Dataset d = TestData.indexed(25, 3); MiniBatches b = new MiniBatches(d, 8, false, 0, false)) {
            List<int[]> e = epoch(b, d, 0);
            assertEquals(4, e.size());
            assertEquals(1, e.get(3).length);
            assertArrayEquals(new int[] {8, 9, 10, 11, 12, 13, 14, 15}, e.get(1));
            b.startEpoch(1);
            b.next();
            d.features().set(0, 1, -5f);
            assertEquals(-5f, b.features().get(0, 1), "a view shares the dataset's memory");
        }
    }

    @Test
    void oneHotLabelsMatchTheRows() {
        try (Dataset d = TestData.indexed(30, 3);
             MiniBatches shuffled = new MiniBatches(d, 7, true, 5, true);
             MiniBatches ordered = new MiniBatches(d, 7, false, 5, true)) {
            assertEveryRowOnce(epoch(shuffled, d, 0), 30);
            assertEveryRowOnce(epoch(ordered, d, 0), 30);
        }
    }

    @Test
    void batchLargerThanTheDatasetIsOneBatch() {
        try (Dataset d = TestData.indexed(5, 2); MiniBatches b = new MiniBatches(d, 64, true, 1, false)) {
            List<int[]> e = epoch(b, d, 0);
            assertEquals(1, e.size());
            assertEveryRowOnce(e, 5);
        }
    }

    @Test
    void iteratingAllocatesNothingPerBatch() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        try (Dataset d = TestData.indexed(1000, 10); MiniBatches b = new MiniBatches(d, 16, true, 3, true)) {
            double sink = 0;
            for (int warm = 0; warm < 200; warm++) {
                b.startEpoch(warm);
                while (b.next()) sink += b.features().get(0, 0);
            }
            long before = threads.getThreadAllocatedBytes(thread);
            for (int epoch = 0; epoch < 20; epoch++) {
                while (b.next()) sink += b.size();
                b.startEpoch(epoch);
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            // 20 epochs x 63 batches; a single Matrix object per batch would already be ~40 KB.
            assertTrue(allocated < 4096, allocated + " bytes allocated (sink " + sink + ")");
        }
    }

    @Test
    void misuseIsRefused() {
        try (Dataset d = TestData.indexed(5, 2); MiniBatches b = new MiniBatches(d, 2, true, 1, false)) {
            assertThrows(IllegalStateException.class, b::next);
            b.startEpoch(0);
            assertThrows(IllegalStateException.class, b::features);
            assertThrows(IllegalArgumentException.class, () -> new MiniBatches(d, 0, true, 1, false));
        }
    }
}
