package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;

/**
 * A micro-kernel for outputs only a few columns wide (a classifier's 10 logits and their
 * gradients). With N that small each element of A is used at most N times, so packing A would
 * cost more than the multiply: this kernel reads op(A) straight from memory, broadcasting one value
 * per row, against one vector-wide row of op(B), and keeps a whole MR×N tile in registers over all
 * of K (no K blocking: a K×N row of B fits in L1/L2 for any realistic K).
 */
public interface NarrowKernel {
    /** Rows of C per call. */
    int mr();

    /** The widest C this kernel handles (one vector). */
    int maxCols();

    /**
     * C[row0 : row0+rows, 0 : n] = epilogue(alpha·Σₖ op(A)(i,k)·op(B)(k,j) + beta·C). op(A)(row0+r, k)
     * is the float at byte {@code aBase + r·aRowStep + k·aKStep} of {@code a}; op(B)(k, j) at
     * {@code bBase + k·bKStep + 4j} of {@code b}, each row readable as one full vector (zero-padded past
     * column n).
     */
    void run(int k, MemorySegment a, long aBase, long aRowStep, long aKStep,
             MemorySegment b, long bBase, long bKStep, int n,
             MemorySegment c, int ldc, int row0, int rows, float alpha, float beta, TileEpilogue ep,
             float[] tile);
}
