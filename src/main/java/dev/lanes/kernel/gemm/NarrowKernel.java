package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;

/**
 * A micro-kernel for outputs only a few columns wide (a classifier's 10 logits and their
 * gradients, a regression's single output). A whole MR×N tile stays in registers over a K block,
 * and each element of A is used only N times, so packing A must be nearly free and the kernel must
 * not be bound by anything but FMAs. Each kernel owns the layout of both packed operands: the driver
 * sizes the buffers with {@link #packedASize}/{@link #packedBSize}, asks the kernel to fill them and
 * hands them back to {@link #run}; and the kernel says which K blocks of A it reads in place
 * ({@link #readsAInPlace}), which the driver then does not pack.
 */
public interface NarrowKernel {
    /** Rows of C per call. */
    int mr();

    /** The widest C this kernel handles. */
    int maxCols();

    /** As {@link MicroKernel#foldsMaxAbs}. */
    default boolean foldsMaxAbs() {
        return false;
    }

    /** As {@link MicroKernel#foldsActivationGradient}. */
    default boolean foldsActivationGradient() {
        return false;
    }

    /** Floats of packed op(B) for a k × n operand. */
    int packedBSize(int k, int n);

    /**
     * Packs all of op(B) (k × n, n ≤ {@link #maxCols()}) once per call; {@link #run} finds the K
     * block starting at any even {@code k0} in it.
     */
    void packB(MemorySegment b, int ldb, boolean trans, int k, int n, float[] bp);

    /** Elements of packed A for one MR-row panel of a K block of {@code kc}. */
    int packedASize(int kc);

    /**
     * Whether {@link #run} reads this K block of op(A) where it lies, so that the driver skips
     * {@link #packA} for it.
     */
    boolean readsAInPlace(boolean trans, int kc);

    /** Rows of op(A) worth packing in one {@link #packA} call (a multiple of MR). */
    int packRows(boolean trans);

    /**
     * Packs rows [i, i+rows) × k [k0, k0+kc) of op(A) into {@code ap} as ceil(rows/MR) panels,
     * panel s at {@code s·packedASize(kc)}; rows past {@code rows} in the last panel are don't-cares.
     * {@code apView} is {@code MemorySegment.ofArray(ap)}, kept by the caller so that packing
     * allocates nothing.
     */
    void packA(MemorySegment a, int lda, boolean trans, int i, int k0, int rows, int kc,
               double[] ap, MemorySegment apView);

    /**
     * C[row0 : row0+rows, 0 : n] = epilogue(alpha·Σₖ op(A)(i,k)·op(B)(k,j) + beta·C) over the K
     * block [k0, k0+kc). op(A) is read from {@code a} (leading dimension {@code lda}) when
     * {@link #readsAInPlace}, else from the panel at element {@code aOff} of {@code ap} (the
     * array {@link #packA} filled with the same {@code trans}); B is packed by {@link #packB}.
     * {@code ep} is null except on the last K block.
     */
    void run(int kc, MemorySegment a, int lda, boolean aTrans, double[] ap, int aOff, float[] bp, int k0,
             int n, MemorySegment c, int ldc, int row0, int rows, float alpha, float beta, TileEpilogue ep,
             float[] tile);
}
