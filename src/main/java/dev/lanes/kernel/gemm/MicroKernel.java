package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;

/**
 * The register-tiled heart of the GEMM: the only code that knows the vector shape. One
 * implementation per vector width; the {@link GemmDriver} around it is portable.
 *
 * <p>Packed operands: the A micro-panel holds {@code kc} columns of MR values
 * ({@code ap[aOff + k*MR + i]}), the B micro-panel {@code kc} rows of NR values
 * ({@code bp[bOff + k*NR + j]}); both are zero-padded to full MR and NR.
 */
public interface MicroKernel {
    int mr();

    int nr();

    /**
     * Computes the MR×NR product of one A and one B micro-panel and merges its top-left
     * {@code rows × cols} corner into C at ({@code row0}, {@code col0}) (row stride {@code ldc} floats):
     * {@code z = alpha·acc + beta·C}; when {@code ep} is given (the last K block), z gets the bias,
     * is written to the pre-activation matrix if any, then goes through the activation. With
     * {@code beta == 0} C is not read. {@code tile} is MR×NR floats of scratch owned by the caller's
     * thread.
     */
    void run(int kc, float[] ap, int aOff, float[] bp, int bOff,
             MemorySegment c, int ldc, int row0, int col0, int rows, int cols,
             float alpha, float beta, TileEpilogue ep, float[] tile);
}
