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
 * Writing finished 256-bit accumulators into C: {@link TileStore512}'s operations, lane for lane, on
 * 8-float vectors, for the AVX2 micro-kernels' MR×16 tiles. The fused epilogue, max |C| and the
 * activation's derivative then cost the AVX2 kernels what they cost the 512-bit ones, a few lane
 * operations on values still in registers, instead of a pass over C after the product.
 *
 * <p>A copy of the 512-bit class rather than one class over both shapes: the Vector API compiles to
 * vector instructions only where the species is a constant, so a shared body would depend on C2
 * inlining it into each kernel, which it does not reliably do for code this size (see
 * {@link TileStore512#store}).
 */
final class TileStore256 {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    /** Columns of the AVX2 register tile: two vectors a row. */
    private static final int NR = 16;
    private static final int HALF = 8;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private TileStore256() {}

    /**
     * The running max |C| and |C|·0 vectors of {@link TileEpilogue#trackMaxAbs} sit where
     * {@link TileStore512#TRACK_FLOATS} puts the 512-bit ones, at the start of each of its halves; the
     * 8 floats after each stay at the 0 the driver resets them to.
     */
    private static final int TRACK_FLOATS = TileStore512.TRACK_FLOATS;
    private static final int WITNESS = TRACK_FLOATS / 2;
    /**
     * VectorMath's polynomials work on the preferred species. Where that is not 256 bits (an AVX-512
     * CPU, where the AVX2 kernels run only under tests), sigmoid and tanh go one lane at a time
     * through the loop backend's function instead.
     */
    private static final boolean MATH_FITS = VectorMath.S.vectorBitSize() == S.vectorBitSize();

    /**
     * Merges a whole MR×16 tile into C, {@code C = act(alpha·tile + beta·C + bias)}, row by row, for
     * no epilogue ({@code ep} null) or one whose activation is a lane select ({@link TileEpilogue#servedWholeTile}):
     * the epilogue's fields are read, the bias row loaded and the activation chosen once per tile,
     * not once per vector, as {@link TileStore512#mergeTile} does for the reason given there. Each
     * vector goes through {@link #store}'s operations in its order, so results are the same bits.
     */
    static void mergeTile(float[] tile, MemorySegment c, int ldc, int row0, int col0, int rows,
                          float alpha, float beta, TileEpilogue ep) {
        MemorySegment bias = ep == null ? null : ep.bias, pre = ep == null ? null : ep.pre;
        MemorySegment out = ep == null ? null : ep.output;
        boolean hasBias = bias != null, hasPre = pre != null, backward = out != null;
        int ldp = ep == null ? 0 : ep.ldp, ldo = ep == null ? 0 : ep.ldo;
        int act = ep == null ? Activation.IDENTITY.ordinal() : ep.activation.ordinal();
        float leak = ep == null ? 0f : ep.leak;
        long biasOff = (long) col0 * Float.BYTES;
        FloatVector bias0 = hasBias ? FloatVector.fromMemorySegment(S, bias, biasOff, NATIVE) : FloatVector.zero(S);
        FloatVector bias1 = hasBias ? FloatVector.fromMemorySegment(S, bias, biasOff + 32, NATIVE) : FloatVector.zero(S);
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        boolean track = ep != null && ep.trackMaxAbs;
        int slot = tile.length - TRACK_FLOATS;
        // Two chains each, one per column half, so the fold does not lengthen one dependency chain by
        // two compare-blends a row.
        FloatVector max0 = track ? FloatVector.fromArray(S, tile, slot) : zero, max1 = zero;
        FloatVector witness0 = track ? FloatVector.fromArray(S, tile, slot + WITNESS) : zero, witness1 = zero;
        for (int r = 0; r < rows; r++) {
            long off = ((long) (row0 + r) * ldc + col0) * Float.BYTES;
            FloatVector z0 = FloatVector.fromArray(S, tile, r * NR).mul(alpha);
            FloatVector z1 = FloatVector.fromArray(S, tile, r * NR + HALF).mul(alpha);
            if (beta != 0f) {
                z0 = FloatVector.fromMemorySegment(S, c, off, NATIVE).fma(FloatVector.broadcast(S, beta), z0);
                z1 = FloatVector.fromMemorySegment(S, c, off + 32, NATIVE).fma(FloatVector.broadcast(S, beta), z1);
            }
            if (hasBias) {
                z0 = z0.add(bias0);
                z1 = z1.add(bias1);
            }
            if (hasPre) {
                long p = ((long) (row0 + r) * ldp + col0) * Float.BYTES;
                z0.intoMemorySegment(pre, p, NATIVE);
                z1.intoMemorySegment(pre, p + 32, NATIVE);
            }
            if (backward) {
                // z·g′ through the output y, in SimdActivations.backward's operations (the same bits).
                long o = ((long) (row0 + r) * ldo + col0) * Float.BYTES;
                FloatVector y0 = FloatVector.fromMemorySegment(S, out, o, NATIVE);
                FloatVector y1 = FloatVector.fromMemorySegment(S, out, o + 32, NATIVE);
                if (act == RELU) {
                    z0 = zero.blend(z0, y0.compare(VectorOperators.GT, 0f));
                    z1 = zero.blend(z1, y1.compare(VectorOperators.GT, 0f));
                } else if (act == LEAKY_RELU) {
                    z0 = z0.mul(leak).blend(z0, y0.compare(VectorOperators.GT, 0f));
                    z1 = z1.mul(leak).blend(z1, y1.compare(VectorOperators.GT, 0f));
                } else if (act == SIGMOID) {
                    z0 = z0.mul(y0.mul(one.sub(y0)));
                    z1 = z1.mul(y1.mul(one.sub(y1)));
                } else if (act == TANH) {
                    z0 = z0.mul(one.sub(y0.mul(y0)));
                    z1 = z1.mul(one.sub(y1.mul(y1)));
                }
            } else if (act == RELU) {
                // x <= 0 ? 0 : x, as Activation.apply and the loop backend: NaN passes through.
                z0 = z0.blend(zero, z0.compare(VectorOperators.LE, 0f));
                z1 = z1.blend(zero, z1.compare(VectorOperators.LE, 0f));
            } else if (act == LEAKY_RELU) {
                z0 = z0.blend(z0.mul(leak), z0.compare(VectorOperators.LT, 0f));
                z1 = z1.blend(z1.mul(leak), z1.compare(VectorOperators.LT, 0f));
            }
            if (track) {
                FloatVector a0 = z0.abs(), a1 = z1.abs();
                max0 = max0.blend(a0, a0.compare(VectorOperators.GT, max0));
                max1 = max1.blend(a1, a1.compare(VectorOperators.GT, max1));
                witness0 = a0.fma(zero, witness0);
                witness1 = a1.fma(zero, witness1);
            }
            z0.intoMemorySegment(c, off, NATIVE);
            z1.intoMemorySegment(c, off + 32, NATIVE);
        }
        if (track) {
            max0.blend(max1, max1.compare(VectorOperators.GT, max0)).intoArray(tile, slot);
            witness0.add(witness1).intoArray(tile, slot + WITNESS);
        }
    }

    private static final int RELU = Activation.RELU.ordinal(), LEAKY_RELU = Activation.LEAKY_RELU.ordinal();
    private static final int SIGMOID = Activation.SIGMOID.ordinal(), TANH = Activation.TANH.ordinal();

    /**
     * One vector of a tile row (columns col .. col+min(left,8)) merged into C with the epilogue; a
     * partial vector at the right edge goes through masked loads and stores with the same lane
     * operations, as in {@link TileStore512#store}.
     */
    static void store(float[] tile, int t, MemorySegment c, int ldc, int row, int col, int left,
                      float alpha, float beta, TileEpilogue ep) {
        if (left < S.length()) {
            storePartial(tile, t, c, ldc, row, col, left, alpha, beta, ep);
            return;
        }
        long off = ((long) row * ldc + col) * Float.BYTES;
        // No vector is passed to or returned from a helper (see TileStore512.store).
        FloatVector z = FloatVector.fromArray(S, tile, t).mul(alpha);
        if (beta != 0f) {
            z = FloatVector.fromMemorySegment(S, c, off, NATIVE).fma(FloatVector.broadcast(S, beta), z);
        }
        if (ep != null && ep.output != null) {
            // z·g′ through the activation's output y (backprop), in SimdActivations.backward's operations.
            FloatVector y = FloatVector.fromMemorySegment(S, ep.output, ((long) row * ep.ldo + col) * Float.BYTES, NATIVE);
            z = switch (ep.activation) {
                case IDENTITY -> z;
                case RELU -> FloatVector.zero(S).blend(z, y.compare(VectorOperators.GT, 0f));
                case LEAKY_RELU -> z.mul(ep.leak).blend(z, y.compare(VectorOperators.GT, 0f));
                case SIGMOID -> z.mul(y.mul(FloatVector.broadcast(S, 1f).sub(y)));
                case TANH -> z.mul(FloatVector.broadcast(S, 1f).sub(y.mul(y)));
            };
        } else if (ep != null) {
            if (ep.bias != null) {
                z = z.add(FloatVector.fromMemorySegment(S, ep.bias, (long) col * Float.BYTES, NATIVE));
            }
            if (ep.pre != null) {
                z.intoMemorySegment(ep.pre, ((long) row * ep.ldp + col) * Float.BYTES, NATIVE);
            }
            z = switch (ep.activation) {
                case IDENTITY -> z;
                case RELU -> z.blend(FloatVector.zero(S), z.compare(VectorOperators.LE, 0f));
                case LEAKY_RELU -> z.blend(z.mul(ep.leak), z.compare(VectorOperators.LT, 0f));
                // Only a caller of the driver itself gets here (see TileStore512.store).
                case SIGMOID -> MATH_FITS ? VectorMath.sigmoid(z) : lanewise(z, ep);
                case TANH -> MATH_FITS ? VectorMath.tanh(z) : lanewise(z, ep);
            };
        }
        if (ep != null && ep.trackMaxAbs) {
            int slot = tile.length - TRACK_FLOATS;
            FloatVector a = z.abs(), max = FloatVector.fromArray(S, tile, slot);
            max.blend(a, a.compare(VectorOperators.GT, max)).intoArray(tile, slot);
            a.fma(FloatVector.zero(S), FloatVector.fromArray(S, tile, slot + WITNESS)).intoArray(tile, slot + WITNESS);
        }
        z.intoMemorySegment(c, off, NATIVE);
    }

    /**
     * {@link #store} for the last, partial vector of a row, with the same lane operations under a
     * mask; a separate body for the reason given at {@link TileStore512}'s.
     */
    private static void storePartial(float[] tile, int t, MemorySegment c, int ldc, int row, int col, int left,
                                     float alpha, float beta, TileEpilogue ep) {
        long off = ((long) row * ldc + col) * Float.BYTES;
        VectorMask<Float> m = S.indexInRange(0, left);
        FloatVector z = FloatVector.fromArray(S, tile, t).mul(alpha);
        if (beta != 0f) {
            z = FloatVector.fromMemorySegment(S, c, off, NATIVE, m).fma(FloatVector.broadcast(S, beta), z);
        }
        if (ep != null && ep.output != null) {
            // z·g′ through the activation's output y (backprop), in SimdActivations.backward's operations.
            FloatVector y = FloatVector.fromMemorySegment(S, ep.output, ((long) row * ep.ldo + col) * Float.BYTES, NATIVE, m);
            z = switch (ep.activation) {
                case IDENTITY -> z;
                case RELU -> FloatVector.zero(S).blend(z, y.compare(VectorOperators.GT, 0f));
                case LEAKY_RELU -> z.mul(ep.leak).blend(z, y.compare(VectorOperators.GT, 0f));
                case SIGMOID -> z.mul(y.mul(FloatVector.broadcast(S, 1f).sub(y)));
                case TANH -> z.mul(FloatVector.broadcast(S, 1f).sub(y.mul(y)));
            };
        } else if (ep != null) {
            if (ep.bias != null) {
                z = z.add(FloatVector.fromMemorySegment(S, ep.bias, (long) col * Float.BYTES, NATIVE, m));
            }
            if (ep.pre != null) {
                z.intoMemorySegment(ep.pre, ((long) row * ep.ldp + col) * Float.BYTES, NATIVE, m);
            }
            z = switch (ep.activation) {
                case IDENTITY -> z;
                case RELU -> z.blend(FloatVector.zero(S), z.compare(VectorOperators.LE, 0f));
                case LEAKY_RELU -> z.blend(z.mul(ep.leak), z.compare(VectorOperators.LT, 0f));
                case SIGMOID -> MATH_FITS ? VectorMath.sigmoid(z) : lanewise(z, ep);
                case TANH -> MATH_FITS ? VectorMath.tanh(z) : lanewise(z, ep);
            };
        }
        if (ep != null && ep.trackMaxAbs) {
                // Lanes past the edge hold whatever the tile held there: they count as 0.
            int slot = tile.length - TRACK_FLOATS;
            FloatVector a = FloatVector.zero(S).blend(z.abs(), m), max = FloatVector.fromArray(S, tile, slot);
            max.blend(a, a.compare(VectorOperators.GT, max)).intoArray(tile, slot);
            a.fma(FloatVector.zero(S), FloatVector.fromArray(S, tile, slot + WITNESS)).intoArray(tile, slot + WITNESS);
        }
        z.intoMemorySegment(c, off, NATIVE, m);
    }

    /** Sigmoid or tanh of each lane by the scalar reference (see {@link #MATH_FITS}); allocates. */
    private static FloatVector lanewise(FloatVector z, TileEpilogue ep) {
        float[] v = z.toArray();
        for (int i = 0; i < v.length; i++) v[i] = ep.activation.apply(v[i], ep.leak);
        return FloatVector.fromArray(S, v, 0);
    }
}
