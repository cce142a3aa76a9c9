package dev.lanes.kernel.simd;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The species and the load/store shorthands every fused simd kernel uses, plus the "runs" a matrix
 * is walked in: one run of rows·cols floats when every operand is dense, otherwise one run per row
 * (views with a row stride larger than cols must not touch the gap). Offsets are in bytes.
 */
final class Vec {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Vec() {}

    static FloatVector load(MemorySegment s, long offset) {
        return FloatVector.fromMemorySegment(S, s, offset, NATIVE);
    }

    static FloatVector load(MemorySegment s, long offset, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, offset, NATIVE, m);
    }

    static void store(FloatVector v, MemorySegment s, long offset) {
        v.intoMemorySegment(s, offset, NATIVE);
    }

    static void store(FloatVector v, MemorySegment s, long offset, VectorMask<Float> m) {
        v.intoMemorySegment(s, offset, NATIVE, m);
    }

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
