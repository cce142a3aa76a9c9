package dev.lanes.kernel.gemm;

import dev.lanes.kernel.Activation;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import dev.lanes.kernel.vector.VectorMath;
import jdk.incubator.vector.FloatVector;
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
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

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
     * partial vector at the right edge is finished in scalar code: at most 15 values per row, and it
     * keeps this path free of masked segment accesses, which are slower when they cross the end of a
     * caller's segment (see {@code Matrix.TAIL_PADDING}) and compile late.
     */
    static void store(float[] tile, int t, MemorySegment c, int ldc, int row, int col, int left,
                      float alpha, float beta, TileEpilogue ep) {
        long off = ((long) row * ldc + col) * Float.BYTES;
        if (left < S.length()) {
            storeScalar(tile, t, c, off, row, col, left, alpha, beta, ep);
            return;
        }
        FloatVector z = FloatVector.fromArray(S, tile, t).mul(alpha);
        if (beta != 0f) {
            z = FloatVector.fromMemorySegment(S, c, off, NATIVE).fma(FloatVector.broadcast(S, beta), z);
        }
        if (ep != null) {
            if (ep.bias != null) {
                z = z.add(FloatVector.fromMemorySegment(S, ep.bias, (long) col * Float.BYTES, NATIVE));
            }
            if (ep.pre != null) {
                z.intoMemorySegment(ep.pre, ((long) row * ep.ldp + col) * Float.BYTES, NATIVE);
            }
            z = activate(z, ep.activation, ep.leak);
        }
        z.intoMemorySegment(c, off, NATIVE);
    }

    private static void storeScalar(float[] tile, int t, MemorySegment c, long off, int row, int col, int left,
                                    float alpha, float beta, TileEpilogue ep) {
        // z in place of the accumulators, same operations as the vector path lane for lane.
        for (int j = 0; j < left; j++) {
            float z = alpha * tile[t + j];
            if (beta != 0f) {
                z = Math.fma(c.get(F, off + (long) j * Float.BYTES), beta, z);
            }
            if (ep != null && ep.bias != null) {
                z += ep.bias.getAtIndex(F, col + j);
            }
            tile[t + j] = z;
        }
        if (ep != null) {
            if (ep.pre != null) {
                for (int j = 0; j < left; j++) {
                    ep.pre.setAtIndex(F, (long) row * ep.ldp + col + j, tile[t + j]);
                }
            }
            // The activation runs on a whole vector (lanes past `left` hold stale values and are not
            // stored), so edge columns get exactly the polynomial the other columns get rather than
            // Math.exp/Math.tanh, whose last bit can differ between JIT tiers and from VectorMath.
            activate(FloatVector.fromArray(S, tile, t), ep.activation, ep.leak).intoArray(tile, t);
        }
        for (int j = 0; j < left; j++) {
            c.set(F, off + (long) j * Float.BYTES, tile[t + j]);
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
