package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 6×16 micro-kernel for 256-bit vectors (8 float lanes, AVX2). Twelve accumulators, two B vectors
 * and one broadcast use 15 of the 16 ymm registers, the classic Haswell-class register tile.
 */
public final class MicroKernel6x16 implements MicroKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int MR = 6;
    static final int NR = 16;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    @Override public int mr() { return MR; }

    @Override public int nr() { return NR; }

    @Override
    public void run(int kc, float[] ap, int aOff, float[] bp, int bOff,
                    MemorySegment c, int ldc, int row0, int col0, int rows, int cols,
                    float alpha, float beta, TileEpilogue ep, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int a = aOff;
        int b = bOff;
        for (int k = 0; k < kc; k++, a += MR, b += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + 8);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[a]);     c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[a + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[a + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[a + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[a + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[a + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(tile, 0);  c01.intoArray(tile, 8);
        c10.intoArray(tile, 16); c11.intoArray(tile, 24);
        c20.intoArray(tile, 32); c21.intoArray(tile, 40);
        c30.intoArray(tile, 48); c31.intoArray(tile, 56);
        c40.intoArray(tile, 64); c41.intoArray(tile, 72);
        c50.intoArray(tile, 80); c51.intoArray(tile, 88);
        // Through the tile array rather than passing accumulators to a helper: a vector argument of a
        // method C2 does not inline is boxed on the heap.
        if (cols == NR && ep == null) {
            mergeTile(tile, c, ldc, row0, col0, rows, alpha, beta);
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j += 8) {
                storeEdge(tile, r * NR + j, c, ldc, row0 + r, col0 + j, cols - j, alpha, beta, ep);
            }
        }
    }

    private static void mergeTile(float[] tile, MemorySegment c, int ldc, int row0, int col0, int rows,
                                  float alpha, float beta) {
        for (int r = 0; r < rows; r++) {
            long off = ((long) (row0 + r) * ldc + col0) * Float.BYTES;
            FloatVector z0 = FloatVector.fromArray(S, tile, r * NR).mul(alpha);
            FloatVector z1 = FloatVector.fromArray(S, tile, r * NR + 8).mul(alpha);
            if (beta != 0f) {
                z0 = FloatVector.fromMemorySegment(S, c, off, NATIVE).fma(FloatVector.broadcast(S, beta), z0);
                z1 = FloatVector.fromMemorySegment(S, c, off + 32, NATIVE).fma(FloatVector.broadcast(S, beta), z1);
            }
            z0.intoMemorySegment(c, off, NATIVE);
            z1.intoMemorySegment(c, off + 32, NATIVE);
        }
    }

    /** One vector (up to 8 columns, masked at the right edge) of a tile row, with the epilogue. */
    private static void storeEdge(float[] tile, int t, MemorySegment c, int ldc, int row, int col, int left,
                                  float alpha, float beta, TileEpilogue ep) {
        VectorMask<Float> m = S.indexInRange(0, left);
        long off = ((long) row * ldc + col) * Float.BYTES;
        FloatVector z = FloatVector.fromArray(S, tile, t).mul(alpha);
        if (beta != 0f) {
            z = FloatVector.fromMemorySegment(S, c, off, NATIVE, m).fma(FloatVector.broadcast(S, beta), z);
        }
        if (ep != null) {
            if (ep.bias != null) {
                z = z.add(FloatVector.fromMemorySegment(S, ep.bias, (long) col * Float.BYTES, NATIVE, m));
            }
            if (ep.pre != null) {
                z.intoMemorySegment(ep.pre, ((long) row * ep.ldp + col) * Float.BYTES, NATIVE, m);
            }
            switch (ep.activation) {
                case IDENTITY -> { }
                case RELU -> z = FloatVector.zero(S).blend(z, z.compare(VectorOperators.GT, 0f));
                case LEAKY_RELU -> z = z.blend(z.mul(ep.leak), z.compare(VectorOperators.LT, 0f));
                case SIGMOID, TANH -> {
                    // One lane at a time through the loop backend's function. The JDK's lanewise
                    // EXP/TANH gave results 1 ulp apart depending on whether the JIT had compiled the
                    // caller yet (its intrinsic against its per-lane fallback), so 1 and 3 threads
                    // could differ; and VectorMath works on the preferred species, not on this one.
                    // Only direct callers of the driver get here: SimdKernels applies sigmoid and
                    // tanh after the product.
                    z.intoMemorySegment(c, off, NATIVE, m);
                    for (int j = 0; j < left && j < S.length(); j++) {
                        long at = off + (long) j * Float.BYTES;
                        c.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at,
                                ep.activation.apply(c.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at), ep.leak));
                    }
                    return;
                }
            }
        }
        z.intoMemorySegment(c, off, NATIVE, m);
    }
}
