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
     * Packs the {@code mc × kc} block of op(A) at ({@code i0}, {@code p0}) into MR-row micro-panels.
     * The portable version is scalar; a kernel may override it with a vector copy (BLIS likewise
     * lets each architecture supply its own packing routines).
     */
    default void packA(MemorySegment a, int lda, boolean trans, int i0, int p0, int mc, int kc, float[] ap) {
        Packing.packPanelsA(a, lda, trans, i0, p0, mc, kc, mr(), ap);
    }

    /**
     * Packs the {@code kc × nc} block of op(B) at ({@code p0}, {@code j0}) into NR-column micro-panels,
     * from {@code bp[start]} on.
     */
    default void packB(MemorySegment b, int ldb, boolean trans, int p0, int j0, int kc, int nc, float[] bp, int start) {
        Packing.packPanelsB(b, ldb, trans, p0, j0, kc, nc, nr(), bp, start);
    }

    /**
     * True when the kernel's stores honour {@link TileEpilogue#trackMaxAbs}, folding max |C| into the
     * last {@link TileStore512#TRACK_FLOATS} floats of the tile array.
     */
    default boolean foldsMaxAbs() {
        return false;
    }

    /** True when the kernel's stores honour {@link TileEpilogue#output} (the activation-gradient epilogue). */
    default boolean foldsActivationGradient() {
        return false;
    }

    /** True when {@link #runUnpackedB} is implemented. */
    default boolean supportsUnpackedB() {
        return false;
    }

    /**
     * Like {@link #run}, but reads a full NR-wide strip of op(B) = B (not transposed) straight from
     * memory: row k of the strip is NR floats at byte {@code bOff + k·ldbBytes} of {@code b}. Used
     * when A has so few rows that packing B would cost more than it saves (a B strip is reused
     * only M/MR times). Every element is computed with the same FMAs in the same order as
     * {@link #run}, so the two paths give bitwise identical results.
     */
    default void runUnpackedB(int kc, float[] ap, int aOff, MemorySegment b, long bOff, long ldbBytes,
                              MemorySegment c, int ldc, int row0, int col0, int rows,
                              float alpha, float beta, TileEpilogue ep, float[] tile) {
        throw new UnsupportedOperationException("this micro-kernel reads B only packed");
    }

    /** The most rows {@link #runFewRowsUnpackedB} takes; 0 when the kernel has no such path. */
    default int maxFewRows() {
        return 0;
    }

    /**
     * A block of A with at most {@link #maxFewRows} rows (a prediction for one input, or a few)
     * against {@code strips} full NR-wide strips of op(B) = B read in place from byte {@code bOff},
     * merged into C from ({@code row0}, {@code col0}) on. {@link #runUnpackedB} would compute MR rows,
     * most of them padding, one strip at a time; taking several strips together gives each k as many
     * independent accumulators as the MR-row tile has. Every element is computed with the same FMAs
     * in the same order as {@link #runUnpackedB}, so a row's result does not depend on how many rows
     * are predicted with it.
     */
    default void runFewRowsUnpackedB(int rows, int kc, float[] ap, int aOff, MemorySegment b, long bOff, long ldbBytes,
                                     int strips, MemorySegment c, int ldc, int row0, int col0,
                                     float alpha, float beta, TileEpilogue ep, float[] tile) {
        throw new UnsupportedOperationException("this micro-kernel has no few-row path");
    }

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
