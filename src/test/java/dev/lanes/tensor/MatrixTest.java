package dev.lanes.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class MatrixTest {

    private static float[] iota(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i + 0.5f;
        return v;
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), () -> "expected '" + p + "' in: " + message);
        }
    }

    @Test
    void allocateIsZeroedDenseAndReportsItsShape() {
        try (Matrix m = Matrix.allocate(3, 5)) {
            assertEquals(3, m.rows());
            assertEquals(5, m.cols());
            assertEquals(5, m.stride());
            assertTrue(m.isDense());
            assertEquals("3x5", m.shape());
            assertArrayEquals(new float[15], m.toArray());
        }
    }

    @Test
    void everyAllocationIs64ByteAligned() {
        // Odd sizes so a bump allocator that ignored the alignment would drift off the cache line.
        try (Arena arena = Arena.ofConfined()) {
            int[][] shapes = {{1, 1}, {3, 5}, {7, 3}, {1, 17}, {13, 13}, {2, 31}};
            for (int[] s : shapes) {
                Matrix dense = Matrix.allocate(arena, s[0], s[1]);
                Matrix strided = Matrix.allocate(arena, s[0], s[1], s[1] + 3);
                assertEquals(0, dense.segment().address() % Matrix.ALIGNMENT, "dense " + dense.shape());
                assertEquals(0, strided.segment().address() % Matrix.ALIGNMENT, "strided " + strided.shape());
            }
        }
        for (int cols = 1; cols <= 9; cols++) {
            try (Matrix owned = Matrix.allocate(3, cols)) {
                assertEquals(0, owned.segment().address() % 64, "owned 3x" + cols);
            }
        }
        assertEquals(64, Matrix.ALIGNMENT);
    }

    @Test
    void copyFromAndToArrayRoundTripDenseAndStrided() {
        float[] data = iota(4 * 6);
        try (Matrix dense = Matrix.allocate(4, 6)) {
            dense.copyFrom(data);
            assertArrayEquals(data, dense.toArray());
            assertEquals(data[2 * 6 + 5], dense.get(2, 5));
        }
        try (Arena arena = Arena.ofConfined()) {
            Matrix strided = Matrix.allocate(arena, 4, 6, 9);
            assertFalse(strided.isDense());
            assertEquals(9, strided.stride());
            strided.copyFrom(data);
            assertArrayEquals(data, strided.toArray());
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 6; c++) {
                    assertEquals(data[r * 6 + c], strided.segment().getAtIndex(Matrix.FLOAT, (long) r * 9 + c));
                }
                // The gap between rows is not part of the matrix and must not be written.
                if (r < 3) {
                    for (int c = 6; c < 9; c++) {
                        assertEquals(0f, strided.segment().getAtIndex(Matrix.FLOAT, (long) r * 9 + c));
                    }
                }
            }
        }
    }

    @Test
    void copyFromMatrixAcrossDifferentStrides() {
        try (Arena arena = Arena.ofConfined()) {
            Matrix src = Matrix.allocate(arena, 3, 4, 7).copyFrom(iota(12));
            Matrix dst = Matrix.allocate(arena, 3, 4);
            dst.copyFrom(src);
            assertArrayEquals(iota(12), dst.toArray());
            Matrix wrong = Matrix.allocate(arena, 4, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wrong.copyFrom(src));
            assertContains(e.getMessage(), "3x4", "4x3");
        }
    }

    @Test
    void copyFromWrongLengthNamesCountAndShape() {
        try (Matrix m = Matrix.allocate(2, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.copyFrom(new float[5]));
            assertContains(e.getMessage(), "5", "2x3", "6");
        }
    }

    @Test
    void ofWithTheWrongNumberOfValuesNamesCountAndShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Matrix.of(2, 2, 1f, 2f, 3f));
        assertContains(e.getMessage(), "3 values", "2x2", "(4 values)");
    }

    @Test
    void ofFillGetSet() {
        try (Matrix m = Matrix.of(2, 2, 1f, 2f, 3f, 4f)) {
            assertEquals(3f, m.get(1, 0));
            m.set(1, 0, -7f);
            assertArrayEquals(new float[] {1f, 2f, -7f, 4f}, m.toArray());
            m.fill(2.5f);
            assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f}, m.toArray());
            m.fill(0f);
            assertArrayEquals(new float[4], m.toArray());
        }
    }

    @Test
    void fillOfAStridedViewLeavesTheRestOfTheParentAlone() {
        try (Matrix parent = Matrix.of(3, 4, iota(12))) {
            parent.view(1, 1, 2, 2).fill(0f);
            float[] expected = iota(12);
            expected[5] = expected[6] = expected[9] = expected[10] = 0f;
            assertArrayEquals(expected, parent.toArray());
        }
    }

    @Test
    void viewsShareMemoryWithTheirParent() {
        try (Matrix parent = Matrix.of(5, 6, iota(30))) {
            Matrix v = parent.view(1, 2, 3, 3);
            assertEquals("3x3", v.shape());
            assertEquals(6, v.stride(), "a view keeps its parent's stride");
            assertFalse(v.isDense());
            assertEquals(parent.get(1, 2), v.get(0, 0));
            assertEquals(parent.get(3, 4), v.get(2, 2));
            assertEquals(parent.segment().address() + (1 * 6 + 2) * Float.BYTES, v.segment().address());

            v.set(2, 1, 100f);
            assertEquals(100f, parent.get(3, 3), "write through the view is visible in the parent");
            parent.set(1, 4, -1f);
            assertEquals(-1f, v.get(0, 2), "write to the parent is visible in the view");

            Matrix nested = v.view(1, 1, 2, 2);
            assertEquals(parent.get(2, 3), nested.get(0, 0));
            nested.set(1, 1, 42f);
            assertEquals(42f, parent.get(3, 4));

            float[] expected = {parent.get(1, 2), parent.get(1, 3), parent.get(1, 4),
                                parent.get(2, 2), parent.get(2, 3), parent.get(2, 4),
                                parent.get(3, 2), parent.get(3, 3), parent.get(3, 4)};
            assertArrayEquals(expected, v.toArray());
        }
    }

    @Test
    void rowRangeIsAViewOfWholeRows() {
        try (Matrix parent = Matrix.of(4, 3, iota(12))) {
            Matrix batch = parent.rowRange(1, 3);
            assertEquals("2x3", batch.shape());
            assertTrue(batch.isDense());
            float[] expected = {3.5f, 4.5f, 5.5f, 6.5f, 7.5f, 8.5f};
            assertArrayEquals(expected, batch.toArray());
            batch.copyFrom(new float[6]);
            assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 0, 0, 0, 0, 0, 0, 9.5f, 10.5f, 11.5f}, parent.toArray());
            batch.close(); // a view never owns memory
            assertTrue(parent.isAlive());
        }
    }

    @Test
    void viewsOutOfRangeNameTheViewAndTheMatrix() {
        try (Matrix m = Matrix.allocate(4, 5)) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> m.view(2, 1, 3, 2));
            assertContains(e.getMessage(), "3x2", "(2, 1)", "4x5");
            assertThrows(IndexOutOfBoundsException.class, () -> m.view(0, 4, 1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> m.view(-1, 0, 1, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> m.view(0, -1, 1, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> m.view(0, 0, 0, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> m.view(0, 0, 1, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> m.rowRange(3, 5));
            assertThrows(IndexOutOfBoundsException.class, () -> m.rowRange(2, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> m.rowRange(3, 1));
            // The largest views that fit are fine.
            assertEquals("4x5", m.view(0, 0, 4, 5).shape());
            assertEquals("1x1", m.view(3, 4, 1, 1).shape());
        }
    }

    @Test
    void elementAccessOutOfRangeNamesIndexAndShape() {
        try (Matrix m = Matrix.allocate(2, 3)) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> m.get(2, 0));
            assertContains(e.getMessage(), "(2, 0)", "2x3");
            assertThrows(IndexOutOfBoundsException.class, () -> m.set(0, 3, 1f));
            assertThrows(IndexOutOfBoundsException.class, () -> m.get(-1, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> m.get(0, -1));
        }
    }

    @Test
    void invalidShapesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Matrix.allocate(0, 3));
        assertContains(e.getMessage(), "0x3");
        assertThrows(IllegalArgumentException.class, () -> Matrix.allocate(3, -1));
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
                    () -> Matrix.allocate(arena, 2, 5, 4));
            assertContains(s.getMessage(), "stride 4", "5");
            MemorySegment small = arena.allocate(4L * 10);
            IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
                    () -> Matrix.wrap(small, 3, 4, 4));
            assertContains(w.getMessage(), "40 bytes", "3x4");
            Matrix wrapped = Matrix.wrap(small, 2, 4, 6); // (1*6 + 4) floats = exactly 40 bytes
            wrapped.set(1, 3, 9f);
            assertEquals(9f, small.getAtIndex(Matrix.FLOAT, 9));
        }
    }

    @Test
    void useAfterCloseSaysSo() {
        Matrix m = Matrix.allocate(2, 2);
        Matrix view = m.rowRange(0, 1);
        m.close();
        assertFalse(m.isAlive());
        assertFalse(view.isAlive(), "a view dies with its parent's memory");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.get(0, 0));
        assertContains(e.getMessage(), "2x2", "used after its memory was freed");
        IllegalStateException v = assertThrows(IllegalStateException.class, () -> view.set(0, 0, 1f));
        assertContains(v.getMessage(), "1x2", "freed");
        assertThrows(IllegalStateException.class, m::toArray);
        assertThrows(IllegalStateException.class, m::segment);
        assertThrows(IllegalStateException.class, () -> m.copyFrom(new float[4]));
        assertThrows(IllegalStateException.class, () -> m.fill(1f));
        assertThrows(IllegalStateException.class, () -> m.view(0, 0, 1, 1));
        m.close(); // closing twice is harmless
        assertEquals("Matrix 2x2 (freed)", m.toString());
    }

    @Test
    void arenaMatricesLiveAsLongAsTheirArena() {
        Matrix m;
        try (Arena arena = Arena.ofConfined()) {
            m = Matrix.allocate(arena, 2, 2);
            m.close(); // does not own the arena: a no-op
            assertTrue(m.isAlive());
            m.set(1, 1, 3f);
            assertEquals(3f, m.get(1, 1));
        }
        assertFalse(m.isAlive());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.get(1, 1));
        assertContains(e.getMessage(), "freed");
    }

    @Test
    void toStringShowsValuesOfSmallMatricesOnly() {
        try (Matrix small = Matrix.of(2, 3, 1f, 2f, 3f, 4f, 5f, -6.5f)) {
            assertEquals("Matrix 2x3 [[1.0, 2.0, 3.0], [4.0, 5.0, -6.5]]", small.toString());
            assertEquals("Matrix 1x2 [[5.0, -6.5]]", small.view(1, 1, 1, 2).toString());
        }
        try (Matrix edge = Matrix.allocate(8, 8); Matrix tall = Matrix.allocate(9, 2); Matrix wide = Matrix.allocate(1, 9)) {
            assertTrue(edge.toString().startsWith("Matrix 8x8 [[0.0,"), edge.toString());
            assertEquals("Matrix 9x2", tall.toString());
            assertEquals("Matrix 1x9", wide.toString());
        }
    }

    @Test
    void sharedOwnedMatricesAreUsableFromOtherThreads() throws Exception {
        // GEMM workers touch matrices from their own threads, so owned matrices must not be confined.
        try (Matrix m = Matrix.allocate(2, 2)) {
            Thread t = new Thread(() -> m.set(1, 1, 5f));
            t.start();
            t.join();
            assertEquals(5f, m.get(1, 1));
        }
    }
}
