package dev.lanes.kernel;

import dev.lanes.tensor.Matrix;

/**
 * The numerical kernels Lanes runs on. Two implementations stand behind this one contract:
 * {@code loop} (plain scalar Java, the correctness oracle and the "loop" side of loop-versus-vector
 * comparisons) and {@code simd} (the Java Vector API). {@link #get()} returns the one chosen at
 * start-up; see {@link KernelProvider} for how it is chosen and how to force one.
 *
 * <p>Instances own a persistent worker pool; {@link #close()} stops it. The shared default instance
 * from {@link #get()} lives for the whole JVM.
 */
public interface Kernels extends AutoCloseable {

    /** The default kernels: chosen once, shared, {@code Runtime.availableProcessors()} threads. */
    static Kernels get() {
        return KernelProvider.defaultKernels();
    }

    /** New kernels of the named backend ({@code "loop"} or {@code "simd"}) with their own worker pool. */
    static Kernels create(String backend, int threads) {
        return KernelProvider.create(backend, threads);
    }

    /** "loop" or "simd". */
    String name();

    /** Worker threads this instance uses for one call (1 = the caller only). */
    int threads();

    /**
     * {@code C = epilogue(alpha·op(A)·op(B) + beta·C)}, where op(X) is X or Xᵀ. op(A) is M×K, op(B)
     * is K×N and C is M×N; any sizes ≥ 1 and any row strides. With {@code beta == 0}, C is not read
     * (it may hold anything, NaN included). Results are bitwise identical for every thread count.
     */
    void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c, Epilogue epilogue);

    /** {@code C = alpha·op(A)·op(B) + beta·C}. */
    default void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        gemm(transA, transB, alpha, a, b, beta, c, Epilogue.NONE);
    }

    /** {@code C = A·B}. */
    default void matmul(Matrix a, Matrix b, Matrix c) {
        gemm(false, false, 1f, a, b, 0f, c, Epilogue.NONE);
    }

    /** Stops the worker pool; further calls fail. A no-op for the shared default instance. */
    @Override
    void close();
}
