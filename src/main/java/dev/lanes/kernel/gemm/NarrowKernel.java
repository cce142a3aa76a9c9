package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;

/**
 * A micro-kernel for outputs only a few columns wide (a classifier's 10 logits and their
 * gradients). op(B) is one vector wide, so each k is one vector load against MR broadcasts, and a
 * whole MR×N tile stays in registers over a K block. Each element of A is used only N times, so
 * its packing must be nearly free: the driver copies the MR-row sliver of A as it lies (row-major,
 * one bulk copy per row) when A is not transposed, and uses the wide kernel's k-major
 * {@link MicroKernel#packA} (contiguous copies too) when it is. B comes packed as K rows of one
 * zero-padded vector. Both are heap arrays, which C2 indexes without per-element bounds checks
 * (reading A in place through a MemorySegment cost a bounds check and a stack reload per
 * broadcast, twice the time).
 */
public interface NarrowKernel {
    /** Rows of C per call; equal to the wide kernel's MR so they share packed A panels. */
    int mr();

    /** The widest C this kernel handles (one vector). */
    int maxCols();

    /**
     * Packs op(B) (k × n, n ≤ {@link #maxCols()}) as k rows of maxCols floats, zero past column n:
     * {@code bp[p·maxCols + j]} = op(B)(p, j).
     */
    void packB(MemorySegment b, int ldb, boolean trans, int k, int n, float[] bp);

    /**
     * C[row0 : row0+rows, 0 : n] = epilogue(alpha·Σₖ op(A)(i,k)·op(B)(k,j) + beta·C) over one K block
     * of {@code kc}. op(A)(row0+i, k) is {@code ap[aOff + i·kc + k]} when {@code aRowMajor}, else
     * {@code ap[aOff + k·MR + i]}; op(B)(k, j) = {@code bp[bOff + k·maxCols + j]} (zero past column n).
     * {@code ep} is null except on the last K block.
     */
    void run(int kc, float[] ap, int aOff, boolean aRowMajor, float[] bp, int bOff, int n,
             MemorySegment c, int ldc, int row0, int rows, float alpha, float beta, TileEpilogue ep,
             float[] tile);
}
