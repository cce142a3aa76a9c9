package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Shared fixtures of the fused-kernel tests: shapes (dense runs of many lengths, and strided
 * views), random matrices whose row gaps hold a sentinel NaN that no kernel may overwrite, and
 * comparisons with stated tolerances.
 */
final class FusedFixtures {
    /** A quiet NaN with a payload no kernel computes: a changed gap shows as a different bit pattern. */
    static final int GAP_BITS = 0x7FC0DEAD;

    private FusedFixtures() {}

    /** rows × cols with a row stride of {@code stride} floats. */
    record Shape(int rows, int cols, int stride) {
        @Override
        public String toString() {
            return rows + "x" + cols + (stride == cols ? "" : " stride " + stride);
        }
    }

    /** Lengths 1..5000 for dense 1×n runs: tiny, primes, around multiples of 8/16/64, and large. */
    static final int[] LENGTHS = {1, 2, 3, 5, 7, 13, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 97, 127, 128, 129,
        255, 256, 257, 511, 1000, 1021, 1024, 2049, 4093, 5000};

    /** Every dense 1×n shape plus 2-D dense and strided (non-dense view) shapes. */
    static List<Shape> shapes() {
        List<Shape> shapes = new ArrayList<>();
        for (int n : LENGTHS) shapes.add(new Shape(1, n, n));
        shapes.add(new Shape(2, 3, 3));
        shapes.add(new Shape(9, 1, 4));
        shapes.add(new Shape(3, 17, 17));
        shapes.add(new Shape(5, 33, 40));
        shapes.add(new Shape(7, 16, 19));
        shapes.add(new Shape(128, 10, 10));
        // Narrow rows over several blocks of the narrow cross-entropy, the last one partial.
        shapes.add(new Shape(37, 7, 7));
        shapes.add(new Shape(19, 15, 15));
        shapes.add(new Shape(4, 100, 117));
        shapes.add(new Shape(64, 65, 80));
        shapes.add(new Shape(3, 1000, 1003));
        return shapes;
    }

    /** Shapes for column-wise kernels (batch norm, column sums): several rows, dense and strided. */
    static List<Shape> columnShapes() {
        List<Shape> shapes = new ArrayList<>();
        int[] cols = {1, 3, 15, 16, 17, 33, 64, 65, 100, 257, 1000};
        int[] rows = {2, 3, 8, 33};
        for (int c : cols) {
            for (int r : rows) {
                shapes.add(new Shape(r, c, c));
                shapes.add(new Shape(r, c, c + 7));
            }
        }
        shapes.add(new Shape(256, 1024, 1024));
        return shapes;
    }

    /** A matrix of {@code shape} with uniform values in [lo, hi) and sentinel gaps. */
    static Matrix random(Arena arena, Shape shape, SplittableRandom rnd, double lo, double hi) {
        Matrix m = blank(arena, shape);
        float[] v = new float[shape.rows() * shape.cols()];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextDouble(lo, hi);
        return m.copyFrom(v);
    }

    /**
     * A rows×cols view, one row down into a larger matrix (3 floats of row gap when {@code strided}),
     * with values uniform in [−scale, scale): GEMM operands that are not the whole of their storage.
     */
    static Matrix randomView(int rows, int cols, boolean strided, SplittableRandom rnd, float scale) {
        Matrix parent = Matrix.allocate(rows + 1, cols + (strided ? 3 : 0));
        Matrix m = parent.view(1, 0, rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) m.set(i, j, scale * (float) (rnd.nextDouble() * 2 - 1));
        }
        return m;
    }

    /** A matrix of {@code shape} filled with {@code value}, sentinel gaps. */
    static Matrix constant(Arena arena, Shape shape, float value) {
        return blank(arena, shape).fill(value);
    }

    /** A zeroed matrix of {@code shape} whose row gaps hold the sentinel. */
    static Matrix blank(Arena arena, Shape shape) {
        Matrix m = Matrix.allocate(arena, shape.rows(), shape.cols(), shape.stride());
        MemorySegment s = m.segment();
        for (int r = 0; r < shape.rows() - 1; r++) {
            for (int c = shape.cols(); c < shape.stride(); c++) {
                s.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, (long) r * shape.stride() + c, GAP_BITS);
            }
        }
        return m;
    }

    /** A copy with the same stride, gaps included. */
    static Matrix copy(Arena arena, Matrix m) {
        Matrix c = blank(arena, new Shape(m.rows(), m.cols(), m.stride()));
        return c.copyFrom(m);
    }

    /** Fails if any gap between rows of {@code m} lost its sentinel. */
    static void assertGapsUntouched(Matrix m, String what) {
        MemorySegment s = m.segment();
        for (int r = 0; r < m.rows() - 1; r++) {
            for (int c = m.cols(); c < m.stride(); c++) {
                int bits = s.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, (long) r * m.stride() + c);
                if (bits != GAP_BITS) {
                    fail(what + ": the gap after row " + r + " (column " + c + ") was written");
                }
            }
        }
    }

    /** Bitwise equality, NaN payloads included. */
    static void assertBitwise(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }

    /** |e − a| ≤ rel·max(|e|, |a|) + abs, element by element; NaN and ±∞ must match exactly. */
    static void assertClose(float[] expected, float[] actual, double rel, double abs, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i], a = actual[i];
            if (Float.isNaN(e) || Float.isInfinite(e) || Float.isNaN(a) || Float.isInfinite(a)) {
                if (Float.compare(e, a) != 0) fail(what + ": element " + i + " expected " + e + " but was " + a);
                continue;
            }
            double tol = rel * Math.max(Math.abs(e), Math.abs(a)) + abs;
            if (!(Math.abs((double) e - a) <= tol)) {
                fail(what + ": element " + i + " expected " + e + " but was " + a + " (|diff| "
                        + Math.abs((double) e - a) + " > tolerance " + tol + ")");
            }
        }
    }

    /** max |e − a| ≤ rel·max |e| over the whole array (a normwise bound, for cancelling sums). */
    static void assertNormwise(float[] expected, float[] actual, double rel, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 0, worst = 0;
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Float.isFinite(actual[i]), what + ": element " + i + " is " + actual[i]);
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs((double) expected[i] - actual[i]));
        }
        assertTrue(worst <= rel * scale + 1e-30, what + ": max |diff| " + worst + " > " + rel + " * " + scale);
    }

    static void assertScalarClose(double expected, double actual, double rel, String what) {
        assertTrue(Double.isFinite(actual), what + " is " + actual);
        double tol = rel * Math.max(Math.abs(expected), Math.abs(actual)) + 1e-30;
        assertTrue(Math.abs(expected - actual) <= tol, what + ": expected " + expected + " but was " + actual);
    }

    static void assertAllFinite(Matrix m, String what) {
        float[] v = m.toArray();
        for (int i = 0; i < v.length; i++) {
            assertTrue(Float.isFinite(v[i]), what + ": element " + i + " is " + v[i]);
        }
    }
}
