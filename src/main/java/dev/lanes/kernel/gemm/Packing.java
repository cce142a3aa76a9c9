package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Copies blocks of op(A) and op(B) into the contiguous, zero-padded micro-panel layout the
 * micro-kernels stream through (see {@link MicroKernel}). Packing turns strided, possibly
 * transposed reads into unit-stride ones the micro-kernel can issue at full rate, and the
 * zero padding lets it always compute whole MR×NR tiles.
 */
final class Packing {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Packing() {}

    /**
     * Packs the {@code mc × kc} block of op(A) at ({@code i0}, {@code p0}) into MR-row panels:
     * {@code ap[panel*MR*kc + k*MR + i]}.
     */
    static void packPanelsA(MemorySegment a, int lda, boolean trans, int i0, int p0, int mc, int kc,
                            int mr, float[] ap) {
        packPanelsA(a, lda, trans, i0, p0, mc, kc, mr, ap, 0);
    }

    /** As above, writing the panels from {@code ap[start]} on. */
    static void packPanelsA(MemorySegment a, int lda, boolean trans, int i0, int p0, int mc, int kc,
                            int mr, float[] ap, int start) {
        int dst = start;
        for (int ir = 0; ir < mc; ir += mr) {
            int rows = Math.min(mr, mc - ir);
            if (!trans) {
                // op(A)(i, k) = A[i][k]: read each row along k, scatter with stride MR.
                for (int i = 0; i < rows; i++) {
                    long src = (long) (i0 + ir + i) * lda + p0;
                    int d = dst + i;
                    for (int k = 0; k < kc; k++, d += mr) {
                        ap[d] = a.getAtIndex(F, src + k);
                    }
                }
            } else {
                // op(A)(i, k) = A[k][i]: each k is a contiguous run of `rows` values.
                for (int k = 0; k < kc; k++) {
                    long src = (long) (p0 + k) * lda + i0 + ir;
                    int d = dst + k * mr;
                    for (int i = 0; i < rows; i++) {
                        ap[d + i] = a.getAtIndex(F, src + i);
                    }
                }
            }
            if (rows < mr) {
                for (int k = 0; k < kc; k++) {
                    Arrays.fill(ap, dst + k * mr + rows, dst + k * mr + mr, 0f);
                }
            }
            dst += mr * kc;
        }
    }

    /**
     * Packs the {@code kc × nc} block of op(B) at ({@code p0}, {@code j0}) into NR-column panels:
     * {@code bp[panel*NR*kc + k*NR + j]}.
     */
    static void packPanelsB(MemorySegment b, int ldb, boolean trans, int p0, int j0, int kc, int nc,
                            int nr, float[] bp) {
        packPanelsB(b, ldb, trans, p0, j0, kc, nc, nr, bp, 0);
    }

    /** As above, writing the panels from {@code bp[start]} on. */
    static void packPanelsB(MemorySegment b, int ldb, boolean trans, int p0, int j0, int kc, int nc,
                            int nr, float[] bp, int start) {
        int dst = start;
        for (int jr = 0; jr < nc; jr += nr) {
            int cols = Math.min(nr, nc - jr);
            if (!trans) {
                // op(B)(k, j) = B[k][j]: each k is a contiguous run of `cols` values.
                for (int k = 0; k < kc; k++) {
                    long src = ((long) (p0 + k) * ldb + j0 + jr) * Float.BYTES;
                    MemorySegment.copy(b, F, src, bp, dst + k * nr, cols);
                }
            } else {
                // op(B)(k, j) = B[j][k]: read each row of B along k, scatter with stride NR.
                for (int j = 0; j < cols; j++) {
                    long src = (long) (j0 + jr + j) * ldb + p0;
                    int d = dst + j;
                    for (int k = 0; k < kc; k++, d += nr) {
                        bp[d] = b.getAtIndex(F, src + k);
                    }
                }
            }
            if (cols < nr) {
                for (int k = 0; k < kc; k++) {
                    Arrays.fill(bp, dst + k * nr + cols, dst + k * nr + nr, 0f);
                }
            }
            dst += nr * kc;
        }
    }
}
