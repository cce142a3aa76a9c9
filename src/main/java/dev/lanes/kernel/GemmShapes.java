package dev.lanes.kernel;

import dev.lanes.tensor.Matrix;

/** Shape checks shared by every GEMM implementation, so errors read the same on both backends. */
public final class GemmShapes {
    private GemmShapes() {}

    /** Throws with both shapes named unless op(A)·op(B) fits C and the epilogue fits C. */
    public static void check(boolean transA, boolean transB, Matrix a, Matrix b, Matrix c, Epilogue ep) {
        int m = transA ? a.cols() : a.rows();
        int ka = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        int n = transB ? b.rows() : b.cols();
        if (ka != kb) {
            throw new IllegalArgumentException("gemm: inner dimensions differ: op(A) is " + m + "x" + ka
                    + " (A " + a.shape() + (transA ? ", transposed" : "") + ") but op(B) is " + kb + "x" + n
                    + " (B " + b.shape() + (transB ? ", transposed" : "") + ")");
        }
        if (c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("gemm: C is " + c.shape() + " but op(A)·op(B) is " + m + "x" + n
                    + " (A " + a.shape() + (transA ? "ᵀ" : "") + ", B " + b.shape() + (transB ? "ᵀ" : "") + ")");
        }
        if (ep.bias() != null && ep.bias().cols() != n) {
            throw new IllegalArgumentException("gemm: bias is " + ep.bias().shape() + " but C has " + n
                    + " columns (C " + c.shape() + ")");
        }
        if (ep.preActivation() != null && !ep.preActivation().sameShape(c)) {
            throw new IllegalArgumentException("gemm: preActivation is " + ep.preActivation().shape()
                    + " but C is " + c.shape());
        }
        if (ep.activationOutput() != null && !ep.activationOutput().sameShape(c)) {
            throw new IllegalArgumentException("gemm: activationOutput is " + ep.activationOutput().shape()
                    + " but C is " + c.shape());
        }
    }
}
