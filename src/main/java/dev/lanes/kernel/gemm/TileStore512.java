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
 * pre-activation copy, activation; or, for backprop, the activation's derivative through its output).
 * Shared by the 512-bit micro-kernels.
 */
final class TileStore512 {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private TileStore512() {}

    /**
     * Floats at the end of every tile array kept for {@link TileEpilogue#trackMaxAbs}: one vector of
     * running max |C| (compare-and-blend, which skips NaN) and one of running |C|·0 sums, which
     * stay 0 while every stored value is finite and turn NaN at the first ±∞ or NaN. The stores read
     * and write them in memory, so no vector crosses a call.
     */
    static final int TRACK_FLOATS = 32;
    /**
     * VectorMath's polynomials work on the preferred species. Where that is narrower than 512 bits
     * (an AVX2 CPU, where this kernel runs only under tests), sigmoid and tanh go one lane at a time
     * through the loop backend's function instead.
     */
    private static final boolean MATH_FITS = VectorMath.S.vectorBitSize() == S.vectorBitSize();

    /**
     * Merges a whole MR×32 tile into C, {@code C = act(alpha·tile + beta·C + bias)}, row by row, for
     * no epilogue ({@code ep} null) or one whose activation is a lane select ({@link TileEpilogue#servedWholeTile}):
     * the epilogue's fields are read, the bias row loaded and the activation chosen once per tile,
     * not once per vector. Through {@link #store}, a bias alone made 128×784·784×256 5 % slower than
     * no epilogue and 128×256·256×128 13 %. Each vector goes through {@link #store}'s operations in
     * its order, so results are the same bits.
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
        FloatVector bias1 = hasBias ? FloatVector.fromMemorySegment(S, bias, biasOff + 64, NATIVE) : FloatVector.zero(S);
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        boolean track = ep != null && ep.trackMaxAbs;
        int slot = tile.length - TRACK_FLOATS;
        // Two chains each, one per column half, so the fold does not lengthen one dependency chain by
        // two compare-blends a row.
        FloatVector max0 = track ? FloatVector.fromArray(S, tile, slot) : zero, max1 = zero;
        FloatVector witness0 = track ? FloatVector.fromArray(S, tile, slot + 16) : zero, witness1 = zero;
        for (int r = 0; r < rows; r++) {
            long off = ((long) (row0 + r) * ldc + col0) * Float.BYTES;
            FloatVector z0 = FloatVector.fromArray(S, tile, r * 32).mul(alpha);
            FloatVector z1 = FloatVector.fromArray(S, tile, r * 32 + 16).mul(alpha);
            if (beta != 0f) {
                z0 = FloatVector.fromMemorySegment(S, c, off, NATIVE).fma(FloatVector.broadcast(S, beta), z0);
                z1 = FloatVector.fromMemorySegment(S, c, off + 64, NATIVE).fma(FloatVector.broadcast(S, beta), z1);
            }
            if (hasBias) {
                z0 = z0.add(bias0);
                z1 = z1.add(bias1);
            }
            if (hasPre) {
                long p = ((long) (row0 + r) * ldp + col0) * Float.BYTES;
                z0.intoMemorySegment(pre, p, NATIVE);
                z1.intoMemorySegment(pre, p + 64, NATIVE);
            }
            if (backward) {
                // z·g′ through the output y, in SimdActivations.backward's operations (the same bits).
                long o = ((long) (row0 + r) * ldo + col0) * Float.BYTES;
                FloatVector y0 = FloatVector.fromMemorySegment(S, out, o, NATIVE);
                FloatVector y1 = FloatVector.fromMemorySegment(S, out, o + 64, NATIVE);
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
            z1.intoMemorySegment(c, off + 64, NATIVE);
        }
        if (track) {
            max0.blend(max1, max1.compare(VectorOperators.GT, max0)).intoArray(tile, slot);
            witness0.add(witness1).intoArray(tile, slot + 16);
        }
    }

    private static final int RELU = Activation.RELU.ordinal(), LEAKY_RELU = Activation.LEAKY_RELU.ordinal();
    private static final int SIGMOID = Activation.SIGMOID.ordinal(), TANH = Activation.TANH.ordinal();

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
        if (left < S.length()) {
            storePartial(tile, t, c, ldc, row, col, left, alpha, beta, ep);
            return;
        }
        long off = ((long) row * ldc + col) * Float.BYTES;
        // Vectors are never passed to or returned from helper methods here: when C2 declines to
        // inline such a helper (it does, from one JVM run to the next, once the helper was compiled
        // on its own), every vector is boxed on the heap; a 256×1024·1024×1024 GEMM lost 15 % of
        // its speed to that.
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
                // VectorMath's polynomials: the JDK's lanewise EXP/TANH is a scalar call per lane on
                // CPUs without a vector math library (this AVX-512 AMD among them). Only a caller of
                // the driver itself gets here: SimdKernels applies sigmoid and tanh after the product,
                // since inlined into the micro-kernel's compilation these calls boxed their vectors.
                case SIGMOID -> MATH_FITS ? VectorMath.sigmoid(z) : lanewise(z, ep);
                case TANH -> MATH_FITS ? VectorMath.tanh(z) : lanewise(z, ep);
            };
        }
        if (ep != null && ep.trackMaxAbs) {
            int slot = tile.length - TRACK_FLOATS;
            FloatVector a = z.abs(), max = FloatVector.fromArray(S, tile, slot);
            max.blend(a, a.compare(VectorOperators.GT, max)).intoArray(tile, slot);
            a.fma(FloatVector.zero(S), FloatVector.fromArray(S, tile, slot + 16)).intoArray(tile, slot + 16);
        }
        z.intoMemorySegment(c, off, NATIVE);
    }

    /**
     * {@link #store} for the last, partial vector of a row, with the same lane operations under a
     * mask. A separate body, not one with a mask that may be null: C2 cannot keep a mask that
     * merges with null in a register, and boxed it on every call (48 bytes a row, 6 KB per
     * 128-row GEMM of a 10-wide output layer, which ran 10× slower for it).
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
            a.fma(FloatVector.zero(S), FloatVector.fromArray(S, tile, slot + 16)).intoArray(tile, slot + 16);
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
