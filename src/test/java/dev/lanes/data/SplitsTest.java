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
}
