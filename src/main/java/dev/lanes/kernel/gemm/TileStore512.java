package dev.lanes.kernel.gemm;

import dev.lanes.kernel.Activation;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import dev.lanes.kernel.vector.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Writing finished 512-bit accumulators into C: alpha/beta merge, then the fused epilogue (bias,
 * pre-activation copy, activation).
 * Shared by the 512-bit micro-kernels.
 */
final class TileStore512 {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private TileStore512() {}

    static void mergeRow(FloatVector v0, FloatVector v1, MemorySegment c, long off,
                                 float alpha, float beta) {
        FloatVector z0 = v0.mul(alpha);
        FloatVector z1 = v1.mul(alpha);
        if (beta != 0f) {
            z0 = FloatVector.fromMemorySegment(S, c, off, NATIVE).fma(FloatVector.broadcast(S, beta), z0);
            z1 = FloatVector.fromMemorySegment(S, c, off + 64, NATIVE).fma(FloatVector.broadcast(S, beta), z1);
        }
        z0.intoMemorySegment(c, off, NATIVE);
        z1.intoMemorySegment(c, off + 64, NATIVE);
    }

    /**
     * One vector of a tile row (columns col .. col+min(left,16)) merged into C with the epilogue. A
     * partial vector at the right edge uses masked loads and stores with the same lane operations,
     * so edge columns are bitwise what full columns would be. Matrices keep one vector of slack
     * past their last element ({@code Matrix.TAIL_PADDING}), so the masked accesses stay on the
     * Vector API's fast path; the scalar loop they replace cost about 40 ns per row, as much as the
     * multiply itself for a 10-wide output layer.
     */
    static void store(float[] tile, int t, MemorySegment c, int ldc, int row, int col, int left,
                      float alpha, float beta, TileEpilogue ep) {
        long off = ((long) row * ldc + col) * Float.BYTES;
        boolean full = left >= S.length();
        VectorMask<Float> m = full ? null : S.indexInRange(0, left);
        FloatVector z = FloatVector.fromArray(S, tile, t).mul(alpha);
        if (beta != 0f) {
            z = load(c, off, m).fma(FloatVector.broadcast(S, beta), z);
        }
        if (ep != null) {
            if (ep.bias != null) {
                z = z.add(load(ep.bias, (long) col * Float.BYTES, m));
            }
            if (ep.pre != null) {
                put(z, ep.pre, ((long) row * ep.ldp + col) * Float.BYTES, m);
            }
            z = activate(z, ep.activation, ep.leak);
        }
        put(z, c, off, m);
    }

    /** A full vector when {@code m} is null (the common case, kept free of masking), else masked. */
    private static FloatVector load(MemorySegment s, long off, VectorMask<Float> m) {
        return m == null ? FloatVector.fromMemorySegment(S, s, off, NATIVE)
                : FloatVector.fromMemorySegment(S, s, off, NATIVE, m);
    }

    private static void put(FloatVector z, MemorySegment s, long off, VectorMask<Float> m) {
        if (m == null) {
            z.intoMemorySegment(s, off, NATIVE);
        } else {
            z.intoMemorySegment(s, off, NATIVE, m);
        }
    }

    static FloatVector activate(FloatVector z, Activation act, float leak) {
        return switch (act) {
            case IDENTITY -> z;
            case RELU -> z.max(0f);
            case LEAKY_RELU -> z.blend(z.mul(leak), z.compare(VectorOperators.LT, 0f));
            // VectorMath's polynomials: the JDK's lanewise EXP/TANH is a scalar call per lane on CPUs
            // without a vector math library (this AVX-512 AMD among them).
            case SIGMOID -> VectorMath.sigmoid(z);
            case TANH -> VectorMath.tanh(z);
        };
    }
}
