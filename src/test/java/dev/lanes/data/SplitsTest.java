package dev.lanes.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.*;

class SplitsTest {
    static int[] indices(Dataset d) {
        int[] idx = new int[d.rows()];
        for (int r = 0; r < d.rows(); r++) idx[r] = (int) d.features().get(r, 0);
        return idx;
    }

    @Test
    void partsHaveTheRequestedSizesAndCoverEveryRowOnce() {
        try (Dataset d = TestData.indexed(1000, 3); Split s = Splits.split(d, 0.7, 0.2, 42, false)) {
            assertEquals(700, s.train().rows());
            assertEquals(200, s.dev().rows());
            assertEquals(100, s.test().rows());
            BitSet seen = new BitSet();
            for (Dataset part : new Dataset[] {s.train(), s.dev(), s.test()}) {
                int[] idx = indices(part);
                for (int r = 0; r < idx.length; r++) {
                    assertFalse(seen.get(idx[r]), "row " + idx[r] + " in two parts");
                    seen.set(idx[r]);
                    assertEquals(10f * idx[r], part.features().get(r, 1), "features stay together");
                    assertEquals(idx[r] % 3, part.classId(r), "labels stay with their rows");
                    if (r > 0) assertTrue(idx[r] > idx[r - 1], "source order is kept");
                }
            }
            assertEquals(1000, seen.cardinality());
        }
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        try (Dataset d = TestData.indexed(200, 2);
             Split a = Splits.split(d, 0.5, 0.25, 7, false);
             Split b = Splits.split(d, 0.5, 0.25, 7, false);
             Split c = Splits.split(d, 0.5, 0.25, 8, false)) {
            assertArrayEquals(indices(a.train()), indices(b.train()));
            assertArrayEquals(indices(a.dev()), indices(b.dev()));
            assertFalse(Arrays.equals(indices(a.train()), indices(c.train())));
        }
    }

    @Test
    void stratifiedSplitKeepsClassProportions() {
        int[] counts = {500, 300, 150, 50};
        try (Dataset d = TestData.imbalanced(counts); Split s = Splits.split(d, 0.6, 0.2, 3, true)) {
            assertEquals(600, s.train().rows());
            assertEquals(200, s.dev().rows());
            assertEquals(200, s.test().rows());
            int[] train = s.train().classCounts();
            int[] dev = s.dev().classCounts();
            int[] test = s.test().classCounts();
            for (int c = 0; c < counts.length; c++) {
                assertEquals(counts[c] * 0.6, train[c], 1.0, "train class " + c);
                assertEquals(counts[c] * 0.2, dev[c], 1.0, "dev class " + c);
                assertEquals(counts[c], train[c] + dev[c] + test[c]);
            }
        }
    }

    @Test
    void stratifiedSplitWithAwkwardRoundingStillAddsUp() {
        int[] counts = {7, 5, 1, 2};
        try (Dataset d = TestData.imbalanced(counts); Split s = Splits.split(d, 0.5, 0.3, 11, true)) {
            int n = 15;
            assertEquals(Math.round(n * 0.5), s.train().rows());
            assertEquals(Math.round(n * 0.3), s.dev().rows());
            assertEquals(n - s.train().rows() - s.dev().rows(), s.test().rows());
        }
    }

    @Test
    void zeroDevFractionGivesNoDevPartAndBadFractionsAreRefused() {
        try (Dataset d = TestData.indexed(10, 2); Split s = Splits.split(d, 0.8, 0, 1, false)) {
            assertNull(s.dev());
            assertEquals(2, s.test().rows());
            assertThrows(IllegalArgumentException.class, () -> Splits.split(d, 0.8, 0.3, 1, false));
            assertThrows(IllegalArgumentException.class, () -> Splits.split(d, 0, 0.3, 1, false));
        }
    }

    /** The rows of {@code d} (by their index feature) as a sorted set, whatever their order. */
    static int[] sortedIndices(Dataset d) {
        int[] idx = indices(d);
        Arrays.sort(idx);
        return idx;
    }

    @Test
    void randomRowOrderKeepsEachPartsRowsAndIsReproducibleFromTheSeed() {
        for (boolean stratified : new boolean[] {false, true}) {
            try (Dataset d = TestData.indexed(500, 4);
                 Split source = Splits.split(d, 0.7, 0.1, 9, stratified);
                 Split random = Splits.split(d, 0.7, 0.1, 9, stratified, Splits.RowOrder.RANDOM);
                 Split again = Splits.split(d, 0.7, 0.1, 9, stratified, Splits.RowOrder.RANDOM);
                 Split other = Splits.split(d, 0.7, 0.1, 10, stratified, Splits.RowOrder.RANDOM)) {
                // Same rows in every part as the source-order split: evaluate's re-created test part does not move.
                assertArrayEquals(indices(source.train()), sortedIndices(random.train()));
                assertArrayEquals(indices(source.dev()), sortedIndices(random.dev()));
                assertArrayEquals(indices(source.test()), sortedIndices(random.test()));
                assertFalse(Arrays.equals(indices(source.train()), indices(random.train())), "rows are re-ordered");
                // Same seed, same order (a resumed run sees the same validation rows); another seed, another order.
                assertArrayEquals(indices(random.train()), indices(again.train()));
                assertFalse(Arrays.equals(indices(random.train()), indices(other.train())));
                int[] idx = indices(random.train());
                for (int r = 0; r < idx.length; r++) {
                    assertEquals(10f * idx[r], random.train().features().get(r, 1), "features stay together");
                    assertEquals(idx[r] % 4, random.train().classId(r), "labels stay with their rows");
                }
            }
        }
    }

    @Test
    void stratifiedRandomOrderMakesEveryTailOfThePartAStratifiedSample() {
        // Rows sorted by class, as in a file sorted by label: in source order the last rows are all class 3.
        int[] counts = {500, 300, 150, 50};
        try (Dataset d = TestData.imbalanced(counts);
             Split s = Splits.split(d, 0.8, 0, 5, true, Splits.RowOrder.RANDOM)) {
            Dataset train = s.train();
            int n = train.rows();
            int[] partCounts = train.classCounts();
            for (double fraction : new double[] {0.05, 0.1, 0.2, 0.25, 0.5}) {
                int tail = n - (int) (n * (1 - fraction)); // the rows validationSplit(fraction) holds out
                int[] seen = new int[counts.length];
                for (int r = n - tail; r < n; r++) seen[train.classId(r)]++;
                for (int c = 0; c < counts.length; c++) {
                    assertEquals((double) partCounts[c] * tail / n, seen[c], 2.0,
                            "class " + c + " in the last " + tail + " rows: " + Arrays.toString(seen));
                }
            }
        }
    }

    @Test
    void unstratifiedRandomOrderPutsRowsFromTheWholeSourceAtTheEnd() {
        // Rows in source order: the last 10% of a source-order part are the file's last rows.
        try (Dataset d = TestData.indexed(2000, 2);
             Split source = Splits.split(d, 0.8, 0, 3, false);
             Split random = Splits.split(d, 0.8, 0, 3, false, Splits.RowOrder.RANDOM)) {
            int n = random.train().rows(), tail = n / 10;
            double sourceMean = 0, randomMean = 0;
            int[] s = indices(source.train()), r = indices(random.train());
            for (int i = n - tail; i < n; i++) {
                sourceMean += s[i] / (double) tail;
                randomMean += r[i] / (double) tail;
            }
            assertTrue(sourceMean > 1800, "source order: the tail is the end of the file, mean row " + sourceMean);
            assertEquals(1000, randomMean, 100, "random order: the tail's mean row is the middle of the file");
        }
    }
}
