package dev.lanes.kernel;

import dev.lanes.tensor.Matrix;

/**
 * Shape checks shared by both backends' fused (non-GEMM) kernels, so a misuse fails the same way,
 * with both shapes named, whichever backend runs.
 */
public final class FusedShapes {
    private FusedShapes() {}

    /** Throws unless {@code b} has the shape of {@code a}. */
    public static void same(String kernel, String aName, Matrix a, String bName, Matrix b) {
        if (!a.sameShape(b)) {
            throw new IllegalArgumentException(kernel + ": " + bName + " is " + b.shape() + " but " + aName
                    + " is " + a.shape() + " (they must have the same shape)");
        }
    }

    /**
     * Throws unless {@code out} has {@code source}'s columns, {@code index[from, from + out.rows())}
     * exists and every one of those indices is a row of {@code source}.
     */
    public static void gather(String kernel, Matrix source, int[] index, int from, Matrix out) {
        if (out.cols() != source.cols()) {
            throw new IllegalArgumentException(kernel + ": out is " + out.shape() + " but source is " + source.shape()
                    + " (they must have the same number of columns)");
        }
        if (from < 0 || from > index.length - out.rows()) {
            throw new IndexOutOfBoundsException(kernel + ": rows " + from + " to " + ((long) from + out.rows())
                    + " of an index of length " + index.length + " (out has " + out.rows() + " rows)");
        }
        for (int r = 0; r < out.rows(); r++) {
            int i = index[from + r];
            if (i < 0 || i >= source.rows()) {
                throw new IndexOutOfBoundsException(kernel + ": index[" + (from + r) + "] = " + i
                        + " is not a row of source " + source.shape());
            }
        }
    }

    /** Throws unless {@code row} is 1×{@code cols}. */
    public static void row(String kernel, String name, Matrix row, int cols) {
        if (row.rows() != 1 || row.cols() != cols) {
            throw new IllegalArgumentException(kernel + ": " + name + " is " + row.shape() + " but must be 1x"
                    + cols + " (one value per column)");
        }
    }

    /** Throws unless {@code labels} is rows×1. */
    public static void labels(String kernel, Matrix labels, int rows) {
        if (labels.rows() != rows || labels.cols() != 1) {
            throw new IllegalArgumentException(kernel + ": labels is " + labels.shape() + " but must be " + rows
                    + "x1 (one class index per row of logits)");
        }
    }

    /** Throws unless {@code rowWeights} is rows×1 (one weight per row of the loss's first operand). */
    public static void rowWeights(String kernel, Matrix rowWeights, int rows) {
        if (rowWeights.rows() != rows || rowWeights.cols() != 1) {
            throw new IllegalArgumentException(kernel + ": rowWeights is " + rowWeights.shape() + " but must be " + rows
                    + "x1 (one weight per row of logits)");
        }
    }

    /** The class index a label holds, validated against the number of classes. */
    public static int classIndex(String kernel, float label, int row, int classes) {
        int c = (int) label;
        if (c != label || c < 0 || c >= classes) {
            throw new IllegalArgumentException(kernel + ": label " + label + " in row " + row
                    + " is not a class index in 0.." + (classes - 1));
        }
        return c;
    }

    /** Throws unless 0 &lt; keep ≤ 1. */
    public static void keepProbability(float keep) {
        if (!(keep > 0f && keep <= 1f)) {
            throw new IllegalArgumentException("dropout: keep probability must be in (0, 1], got " + keep);
        }
    }

    /** Throws unless {@code out} can hold one index per row of {@code x}. */
    public static void argmaxOut(Matrix x, int[] out) {
        if (out.length < x.rows()) {
            throw new IllegalArgumentException("argmaxRows: out has " + out.length + " entries but x has "
                    + x.rows() + " rows");
        }
    }

    /** Throws unless the optimizer step is 1-based. */
    public static void step(int t) {
        if (t < 1) {
            throw new IllegalArgumentException("adam: step t is 1-based, got " + t);
        }
    }
}
