package dev.lanes.kernel.simd;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The species every fused simd kernel uses, and the "runs" a matrix is walked in: one run of
 * rows·cols floats when every operand is dense, otherwise one run per row (views with a row stride
 * larger than cols must not touch the gap). Offsets are in bytes.
 *
 * <p>Kernels call the Vector API directly rather than through load/store shorthands defined here:
 * the API's methods are force-inlined, ordinary ones are not once a compilation passes C2's node
 * budget, and a vector handed to a method that was not inlined is boxed on the heap (measured with
 * such shorthands: 10–30 KB per call on the row-by-row paths of Adam, RMSProp and Huber).
 */
final class Vec {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /**
     * Room for two vectors, per thread: kernels hand accumulators to {@code VectorMath.sumLanes}
     * through it, since a vector passed to a method that C2 does not inline (in a kernel already
     * holding a polynomial, it often does not) is boxed on the heap, per row.
     */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[2 * 16]);

    static float[] scratch() {
        return SCRATCH.get();
    }

    private Vec() {}

    /** Byte offset of row {@code r} of {@code m}. */
    static long row(Matrix m, int r) {
        return (long) r * m.stride() * Float.BYTES;
    }

    /** rows·cols when {@code m} is one dense run that an int can count, else -1. */
    static int run(Matrix m) {
        long n = (long) m.rows() * m.cols();
        return m.isDense() && n <= Integer.MAX_VALUE - L ? (int) n : -1;
    }

    /** The common dense run length of two same-shaped matrices, or -1 (walk row by row). */
    static int run(Matrix a, Matrix b) {
        int n = run(a);
        return n >= 0 && b.isDense() ? n : -1;
    }

    static int run(Matrix a, Matrix b, Matrix c) {
        int n = run(a, b);
        return n >= 0 && c.isDense() ? n : -1;
    }

    static int run(Matrix a, Matrix b, Matrix c, Matrix d) {
        int n = run(a, b, c);
        return n >= 0 && d.isDense() ? n : -1;
    }
}
