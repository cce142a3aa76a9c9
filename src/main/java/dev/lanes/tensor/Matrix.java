package dev.lanes.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * A row-major float32 matrix in off-heap memory: {@code rows × cols} with a row stride (in floats)
 * of at least {@code cols}. The memory is a {@link MemorySegment} from an {@link Arena}; the base of
 * every matrix allocated here is 64-byte aligned (one cache line, one AVX-512 vector).
 *
 * <p>A matrix either owns its arena ({@link #allocate(int, int)}; {@link #close()} frees it) or
 * lives in an arena the caller controls ({@link #allocate(Arena, int, int)}; {@code close()} is then
 * a no-op and closing the arena frees it). Views ({@link #rowRange}, {@link #view}) share memory with
 * their parent and never own it: a mini-batch is a view, not a copy.
 *
 * <pre>{@code
 * try (Arena arena = Arena.ofShared()) {   // shared: kernel worker threads read it too
 *     Matrix x = Matrix.allocate(arena, 128, 784);
 *     Matrix batch = x.rowRange(0, 32);   // no copy
 * }
 * }</pre>
 */
public final class Matrix implements AutoCloseable {
    /** Alignment of every allocated matrix, in bytes. */
    public static final long ALIGNMENT = 64;
    /**
     * Readable bytes kept past the last element of every allocated matrix and view. A masked vector
     * access to a row's tail spans a whole vector; when that span crosses the end of the segment,
     * the Vector API (JDK 25) takes a slower checked path (a masked row loop over a 128×10 matrix
     * ran 2× slower once compiled, and far slower while warming up, in a probe). With one vector of
     * slack the span always lies inside the segment; masked-off lanes are never written.
     */
    public static final long TAIL_PADDING = 64;
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final MemorySegment segment;
    private final int rows;
    private final int cols;
    private final int stride;
    private final Arena owned;

    private Matrix(MemorySegment segment, int rows, int cols, int stride, Arena owned) {
        this.segment = segment;
        this.rows = rows;
        this.cols = cols;
        this.stride = stride;
        this.owned = owned;
    }

    /** A zeroed matrix that owns its memory; free it with {@link #close()}. */
    public static Matrix allocate(int rows, int cols) {
        checkShape(rows, cols, cols);
        Arena arena = Arena.ofShared();
        return new Matrix(arena.allocate(bytes(rows, cols, cols) + TAIL_PADDING, ALIGNMENT), rows, cols, cols, arena);
    }

    /** A zeroed matrix in {@code arena}, dense rows (stride = cols). */
    public static Matrix allocate(Arena arena, int rows, int cols) {
        return allocate(arena, rows, cols, cols);
    }

    /** A zeroed matrix in {@code arena} whose rows start {@code stride} floats apart. */
    public static Matrix allocate(Arena arena, int rows, int cols, int stride) {
        Objects.requireNonNull(arena, "arena");
        checkShape(rows, cols, stride);
        return new Matrix(arena.allocate(bytes(rows, cols, stride) + TAIL_PADDING, ALIGNMENT), rows, cols, stride, null);
    }

    /** A matrix that owns its memory, filled from row-major {@code data} ({@code rows*cols} values). */
    public static Matrix of(int rows, int cols, float... data) {
        // Checked before allocating: a shared arena's memory is freed only by close(), which the
        // caller never gets to call when this throws.
        checkShape(rows, cols, cols);
        checkLength(data.length, rows, cols);
        Matrix m = allocate(rows, cols);
        m.copyFrom(data);
        return m;
    }

    /**
     * A matrix that owns its memory, one row per array of {@code rows} (Java's usual {@code float[][]});
     * every row must have the first one's length.
     */
    public static Matrix ofRows(float[][] rows) {
        if (rows.length == 0) throw new IllegalArgumentException("ofRows needs at least one row");
        int cols = rows[0].length;
        for (int r = 1; r < rows.length; r++) {
            if (rows[r].length != cols) {
                throw new IllegalArgumentException("row " + r + " has " + rows[r].length + " values, row 0 has " + cols
                        + "; every row of a matrix has the same length");
            }
        }
        checkShape(rows.length, cols, cols);
        Matrix m = allocate(rows.length, cols);
        for (int r = 0; r < rows.length; r++) {
            MemorySegment.copy(rows[r], 0, m.segment, FLOAT, (long) r * cols * Float.BYTES, cols);
        }
        return m;
    }

    private static void checkLength(int length, int rows, int cols) {
        if (length != (long) rows * cols) {
            throw new IllegalArgumentException("cannot copy " + length + " values into a " + rows + "x" + cols
                    + " matrix (" + (long) rows * cols + " values)");
        }
    }

    /**
     * Wraps existing memory without copying: element (r, c) is the float at byte offset
     * {@code 4*(r*stride + c)} of {@code segment}.
     */
    public static Matrix wrap(MemorySegment segment, int rows, int cols, int stride) {
        checkShape(rows, cols, stride);
        long need = bytes(rows, cols, stride);
        if (segment.byteSize() < need) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes is too small for a "
                    + rows + "x" + cols + " matrix with stride " + stride + " (" + need + " bytes)");
        }
        return new Matrix(segment, rows, cols, stride, null);
    }

    private static void checkShape(int rows, int cols, int stride) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("matrix shape must be at least 1x1, got " + rows + "x" + cols);
        }
        if (stride < cols) {
            throw new IllegalArgumentException("row stride " + stride + " is smaller than cols " + cols);
        }
    }

    private static long bytes(int rows, int cols, int stride) {
        return ((long) (rows - 1) * stride + cols) * Float.BYTES;
    }

    public int rows() { return rows; }

    public int cols() { return cols; }

    /** Distance between the starts of consecutive rows, in floats. */
    public int stride() { return stride; }

    /** True when rows follow each other with no gap, so the data is one run of rows*cols floats. */
    public boolean isDense() { return stride == cols || rows == 1; }

    /** The backing memory; element (r, c) is at byte offset {@code 4*(r*stride()+c)}. */
    public MemorySegment segment() {
        checkAlive();
        return segment;
    }

    /** "rows x cols", as used in error messages. */
    public String shape() { return rows + "x" + cols; }

    public boolean sameShape(Matrix other) { return rows == other.rows && cols == other.cols; }

    /** Rows {@code [from, to)} as a view sharing this matrix's memory. */
    public Matrix rowRange(int from, int to) {
        return view(from, 0, to - from, cols);
    }

    /** The {@code r × c} block starting at ({@code row}, {@code col}), as a view sharing memory. */
    public Matrix view(int row, int col, int r, int c) {
        checkAlive();
        if (row < 0 || col < 0 || r < 1 || c < 1 || row + r > rows || col + c > cols) {
            throw new IndexOutOfBoundsException("view " + r + "x" + c + " at (" + row + ", " + col
                    + ") does not fit in a " + shape() + " matrix");
        }
        long offset = ((long) row * stride + col) * Float.BYTES;
        // Keep the parent's slack (up to TAIL_PADDING bytes) readable past the view's last element.
        long length = Math.min(bytes(r, c, stride) + TAIL_PADDING, segment.byteSize() - offset);
        return new Matrix(segment.asSlice(offset, length), r, c, stride, null);
    }

    public float get(int r, int c) {
        checkIndex(r, c);
        return segment.getAtIndex(FLOAT, (long) r * stride + c);
    }

    public void set(int r, int c, float v) {
        checkIndex(r, c);
        segment.setAtIndex(FLOAT, (long) r * stride + c, v);
    }

    private void checkIndex(int r, int c) {
        checkAlive();
        if (r < 0 || r >= rows || c < 0 || c >= cols) {
            throw new IndexOutOfBoundsException("(" + r + ", " + c + ") is outside a " + shape() + " matrix");
        }
    }

    /** Copies row-major {@code data} (exactly rows*cols values) into this matrix. */
    public Matrix copyFrom(float[] data) {
        checkAlive();
        checkLength(data.length, rows, cols);
        if (isDense()) {
            MemorySegment.copy(data, 0, segment, FLOAT, 0, data.length);
        } else {
            for (int r = 0; r < rows; r++) {
                MemorySegment.copy(data, r * cols, segment, FLOAT, (long) r * stride * Float.BYTES, cols);
            }
        }
        return this;
    }

    /** Copies {@code other} (same shape, any strides) into this matrix. */
    public Matrix copyFrom(Matrix other) {
        checkAlive();
        if (!sameShape(other)) {
            throw new IllegalArgumentException("cannot copy a " + other.shape() + " matrix into a " + shape() + " matrix");
        }
        MemorySegment src = other.segment();
        if (isDense() && other.isDense()) {
            // One bulk copy: per-row copies cost a call each (784 of them for a 784x256 weight matrix).
            MemorySegment.copy(src, 0, segment, 0, (long) rows * cols * Float.BYTES);
            return this;
        }
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(src, (long) r * other.stride * Float.BYTES,
                    segment, (long) r * stride * Float.BYTES, (long) cols * Float.BYTES);
        }
        return this;
    }

    /** The elements as a new row-major array. */
    public float[] toArray() {
        checkAlive();
        if ((long) rows * cols > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a " + shape() + " matrix holds more values than a Java array can");
        }
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(segment, FLOAT, (long) r * stride * Float.BYTES, out, r * cols, cols);
        }
        return out;
    }

    /** The elements as new arrays, one per row. */
    public float[][] toRows() {
        checkAlive();
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(segment, FLOAT, (long) r * stride * Float.BYTES, out[r], 0, cols);
        }
        return out;
    }

    /** Copies the elements, row-major, into {@code dst} (exactly {@code rows*cols} long), allocating nothing. */
    public void copyTo(float[] dst) {
        checkAlive();
        checkLength(dst.length, rows, cols);
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(segment, FLOAT, (long) r * stride * Float.BYTES, dst, r * cols, cols);
        }
    }

    /** Sets every element to {@code v}. */
    public Matrix fill(float v) {
        checkAlive();
        if (isDense() && v == 0f) {
            segment.fill((byte) 0);
            return this;
        }
        for (int r = 0; r < rows; r++) {
            long base = (long) r * stride;
            for (int c = 0; c < cols; c++) {
                segment.setAtIndex(FLOAT, base + c, v);
            }
        }
        return this;
    }

    /** True while the memory behind this matrix can still be used. */
    public boolean isAlive() { return segment.scope().isAlive(); }

    private void checkAlive() {
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("this " + shape() + " matrix was used after its memory was freed"
                    + " (its arena or owning matrix was closed)");
        }
    }

    /** Frees the memory when this matrix owns it; a no-op for views and arena-allocated matrices. */
    @Override
    public void close() {
        if (owned != null && owned.scope().isAlive()) {
            owned.close();
        }
    }

    /** The shape, and for small matrices (up to 8x8) the values. */
    @Override
    public String toString() {
        if (!isAlive()) {
            return "Matrix " + shape() + " (freed)";
        }
        StringBuilder sb = new StringBuilder("Matrix ").append(shape());
        if (rows > 8 || cols > 8) {
            return sb.toString();
        }
        sb.append(" [");
        for (int r = 0; r < rows; r++) {
            sb.append(r == 0 ? "[" : ", [");
            for (int c = 0; c < cols; c++) {
                if (c > 0) sb.append(", ");
                sb.append(get(r, c));
            }
            sb.append(']');
        }
        return sb.append(']').toString();
    }
}
