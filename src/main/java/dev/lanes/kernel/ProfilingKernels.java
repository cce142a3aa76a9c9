package dev.lanes.kernel;

import dev.lanes.tensor.Matrix;
import java.util.Locale;

/**
 * Wraps another {@link Kernels} and adds up the wall time spent in each group of kernels (GEMM,
 * activations, losses, reductions, element-wise, optimizer updates, dropout, batch norm), to show
 * where a training step goes. Timing is one {@code System.nanoTime()} pair per call, so this is for
 * reports ({@code lanes bench train --profile}), not for production runs.
 */
public final class ProfilingKernels implements Kernels {
    /** Kernel groups, in report order. */
    public enum Group { GEMM, ACTIVATION, LOSS, REDUCTION, ELEMENTWISE, OPTIMIZER, DROPOUT, BATCH_NORM }

    private final Kernels inner;
    private final long[] nanos = new long[Group.values().length];
    private final long[] calls = new long[Group.values().length];
    /** Heap bytes the calling thread allocated inside each group's calls (the kernels should allocate none). */
    private final long[] bytes = new long[Group.values().length];
    private long startBytes;
    /** GEMM time per call shape (see {@link #shapeKey}); the first {@code SHAPES} shapes seen, the rest pooled. */
    private static final int SHAPES = 32;
    private final long[] shapeKeys = new long[SHAPES];
    private final long[] shapeNanos = new long[SHAPES + 1];
    private final long[] shapeCalls = new long[SHAPES + 1];
    private final long[] shapeBytes = new long[SHAPES + 1];
    private int shapeCount;

    public ProfilingKernels(Kernels inner) {
        this.inner = inner;
    }

    /** Clears the counters. */
    public void reset() {
        java.util.Arrays.fill(nanos, 0);
        java.util.Arrays.fill(calls, 0);
        java.util.Arrays.fill(bytes, 0);
        java.util.Arrays.fill(shapeNanos, 0);
        java.util.Arrays.fill(shapeCalls, 0);
        java.util.Arrays.fill(shapeBytes, 0);
        shapeCount = 0;
    }

    public long nanos(Group g) { return nanos[g.ordinal()]; }

    public long calls(Group g) { return calls[g.ordinal()]; }

    public long totalNanos() {
        long t = 0;
        for (long n : nanos) t += n;
        return t;
    }

    /** One line per group: seconds, share of kernel time, calls, heap bytes the calling thread allocated per call. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        double total = Math.max(1, totalNanos());
        for (Group g : Group.values()) {
            if (calls[g.ordinal()] == 0) continue;
            sb.append(String.format(Locale.ROOT, "  %-12s %8.3f s  %5.1f%%  %,10d calls  %,10.0f B/call%n",
                    g.name().toLowerCase(Locale.ROOT), nanos[g.ordinal()] / 1e9, 100 * nanos[g.ordinal()] / total,
                    calls[g.ordinal()], (double) bytes[g.ordinal()] / calls[g.ordinal()]));
        }
        return sb.toString();
    }

    private long begin() {
        startBytes = Allocation.currentThreadBytes();
        return System.nanoTime();
    }

    private void add(Group g, long start) {
        nanos[g.ordinal()] += System.nanoTime() - start;
        calls[g.ordinal()]++;
        bytes[g.ordinal()] += Allocation.currentThreadBytes() - startBytes;
    }

    /** Heap bytes allocated by the calling thread inside this group's calls since the last reset. */
    public long allocatedBytes(Group g) { return bytes[g.ordinal()]; }

    /**
     * The calling thread's count of heap bytes allocated so far (JDK management extension), or −1
     * where that is missing. Reading it allocates nothing.
     */
    public static long currentThreadAllocatedBytes() {
        return Allocation.THREADS == null ? -1 : Allocation.THREADS.getCurrentThreadAllocatedBytes();
    }

    /** The calling thread's allocation counter, from the JDK's management extension when it is there. */
    private static final class Allocation {
        private static final com.sun.management.ThreadMXBean THREADS = threads();

        private static com.sun.management.ThreadMXBean threads() {
            try {
                if (java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                        && t.isThreadAllocatedMemorySupported()) {
                    t.setThreadAllocatedMemoryEnabled(true);
                    return t;
                }
            } catch (RuntimeException | LinkageError e) {
                // No jdk.management module: allocations are not reported.
            }
            return null;
        }

        static long currentThreadBytes() {
            return THREADS == null ? 0 : THREADS.getCurrentThreadAllocatedBytes();
        }
    }

    @Override public String name() { return inner.name(); }

    @Override public int threads() { return inner.threads(); }

    @Override public String gemmTile() { return inner.gemmTile(); }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c, Epilogue e) {
        long t = begin();
        inner.gemm(transA, transB, alpha, a, b, beta, c, e);
        addGemm(t, transA, transB, a, c);
    }

    /** Counted as GEMM time, in the product's shape row: the fused max |C| is part of the product's cost. */
    @Override
    public float gemmMaxAbs(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        long t = begin();
        float max = inner.gemmMaxAbs(transA, transB, alpha, a, b, beta, c);
        addGemm(t, transA, transB, a, c);
        return max;
    }

    private void addGemm(long start, boolean transA, boolean transB, Matrix a, Matrix c) {
        long dt = System.nanoTime() - start;
        long allocated = Allocation.currentThreadBytes() - startBytes;
        add(Group.GEMM, start);
        int slot = shapeSlot(shapeKey(transA, transB, c.rows(), c.cols(), transA ? a.rows() : a.cols()));
        shapeNanos[slot] += dt;
        shapeCalls[slot]++;
        shapeBytes[slot] += allocated;
    }

    /** op(A) M×K times op(B) K×N, with both transpose flags, in one long (each size below 2^20). */
    private static long shapeKey(boolean transA, boolean transB, int m, int n, int k) {
        if ((m | n | k) >= 1 << 20) return -1;
        return ((transA ? 1L : 0L) << 61) | ((transB ? 1L : 0L) << 60) | ((long) m << 40) | ((long) n << 20) | k;
    }

    private int shapeSlot(long key) {
        for (int i = 0; i < shapeCount; i++) {
            if (shapeKeys[i] == key) return i;
        }
        if (key < 0 || shapeCount == SHAPES) return SHAPES;
        shapeKeys[shapeCount] = key;
        return shapeCount++;
    }

    /**
     * One line per GEMM shape, slowest total first: time per call and GFLOP/s (2·M·N·K per call).
     * NT means op(A) = A, op(B) = Bᵀ; in a dense layer's step, NN is the forward pass, TN the
     * weight gradient Xᵀ·dZ, NT the input gradient dZ·Wᵀ.
     */
    public String gemmShapeReport() {
        Integer[] order = new Integer[shapeCount + 1];
        for (int i = 0; i <= shapeCount; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Long.compare(shapeNanos[y], shapeNanos[x]));
        StringBuilder sb = new StringBuilder();
        for (int i : order) {
            if (shapeCalls[i] == 0) continue;
            if (i == SHAPES) {
                sb.append(String.format(Locale.ROOT, "  %-28s %9.3f ms/call %19s %,10d calls  %,10.0f B/call%n",
                        "other shapes", shapeNanos[i] / 1e6 / shapeCalls[i], "", shapeCalls[i],
                        (double) shapeBytes[i] / shapeCalls[i]));
                continue;
            }
            long key = shapeKeys[i];
            int m = (int) (key >>> 40 & 0xFFFFF), n = (int) (key >>> 20 & 0xFFFFF), k = (int) (key & 0xFFFFF);
            String shape = ((key >>> 61 & 1) == 1 ? "T" : "N") + ((key >>> 60 & 1) == 1 ? "T" : "N")
                    + " " + m + "×" + k + "·" + k + "×" + n;
            double perCall = (double) shapeNanos[i] / shapeCalls[i];
            sb.append(String.format(Locale.ROOT, "  %-28s %9.3f ms/call %9.1f GFLOP/s %,10d calls  %,10.0f B/call%n", shape,
                    perCall / 1e6, 2.0 * m * n * k / perCall, shapeCalls[i], (double) shapeBytes[i] / shapeCalls[i]));
        }
        return sb.toString();
    }

    @Override
    public void activate(Activation activation, float leak, Matrix x, Matrix out) {
        long t = begin();
        inner.activate(activation, leak, x, out);
        add(Group.ACTIVATION, t);
    }

    @Override
    public void activationBackward(Activation activation, float leak, Matrix a, Matrix dA, Matrix dZ) {
        long t = begin();
        inner.activationBackward(activation, leak, a, dA, dZ);
        add(Group.ACTIVATION, t);
    }

    @Override
    public void softmaxRows(Matrix x, Matrix out) {
        long t = begin();
        inner.softmaxRows(x, out);
        add(Group.ACTIVATION, t);
    }

    @Override
    public float softmaxCrossEntropy(Matrix logits, Matrix targets, Matrix dLogits) {
        long t = begin();
        float r = inner.softmaxCrossEntropy(logits, targets, dLogits);
        add(Group.LOSS, t);
        return r;
    }

    @Override
    public float sparseSoftmaxCrossEntropy(Matrix logits, Matrix labels, Matrix dLogits) {
        long t = begin();
        float r = inner.sparseSoftmaxCrossEntropy(logits, labels, dLogits);
        add(Group.LOSS, t);
        return r;
    }

    @Override
    public float sigmoidBinaryCrossEntropy(Matrix logits, Matrix targets, Matrix dLogits) {
        long t = begin();
        float r = inner.sigmoidBinaryCrossEntropy(logits, targets, dLogits);
        add(Group.LOSS, t);
        return r;
    }

    @Override
    public float weightedSoftmaxCrossEntropy(Matrix logits, Matrix targets, Matrix rowWeights, Matrix dLogits) {
        long t = begin();
        float r = inner.weightedSoftmaxCrossEntropy(logits, targets, rowWeights, dLogits);
        add(Group.LOSS, t);
        return r;
    }

    @Override
    public float weightedSparseSoftmaxCrossEntropy(Matrix logits, Matrix labels, Matrix rowWeights, Matrix dLogits) {
        long t = begin();
        float r = inner.weightedSparseSoftmaxCrossEntropy(logits, labels, rowWeights, dLogits);
        add(Group.LOSS, t);
        return r;
    }

    @Override
    public float weightedSigmoidBinaryCrossEntropy(Matrix logits, Matrix targets, Matrix rowWeights, Matrix dLogits) {
        long t = begin();
        float r = inner.weightedSigmoidBinaryCrossEntropy(logits, targets, rowWeights, dLogits);
        add(Group.LOSS, t);
        return r;
    }

    @Override
    public float meanSquaredError(Matrix p, Matrix y, Matrix d) {
        long t = begin();
        float r = inner.meanSquaredError(p, y, d);
        add(Group.LOSS, t);
        return r;
    }

    @Override
    public float meanAbsoluteError(Matrix p, Matrix y, Matrix d) {
        long t = begin();
        float r = inner.meanAbsoluteError(p, y, d);
        add(Group.LOSS, t);
        return r;
    }

    @Override
    public float huber(Matrix p, Matrix y, float delta, Matrix d) {
        long t = begin();
        float r = inner.huber(p, y, delta, d);
        add(Group.LOSS, t);
        return r;
    }

    @Override
    public float weightedMeanSquaredError(Matrix p, Matrix y, Matrix w, Matrix d) {
        long t = begin();
        float r = inner.weightedMeanSquaredError(p, y, w, d);
        add(Group.LOSS, t);
        return r;
    }

    @Override
    public float weightedMeanAbsoluteError(Matrix p, Matrix y, Matrix w, Matrix d) {
        long t = begin();
        float r = inner.weightedMeanAbsoluteError(p, y, w, d);
        add(Group.LOSS, t);
        return r;
    }

    @Override
    public float weightedHuber(Matrix p, Matrix y, float delta, Matrix w, Matrix d) {
        long t = begin();
        float r = inner.weightedHuber(p, y, delta, w, d);
        add(Group.LOSS, t);
        return r;
    }

    @Override
    public void columnSums(Matrix x, float scale, Matrix out) {
        long t = begin();
        inner.columnSums(x, scale, out);
        add(Group.REDUCTION, t);
    }

    @Override
    public void argmaxRows(Matrix x, int[] out) {
        long t = begin();
        inner.argmaxRows(x, out);
        add(Group.REDUCTION, t);
    }

    @Override
    public double sumOfSquares(Matrix x) {
        long t = begin();
        double r = inner.sumOfSquares(x);
        add(Group.REDUCTION, t);
        return r;
    }

    @Override
    public double sumOfAbs(Matrix x) {
        long t = begin();
        double r = inner.sumOfAbs(x);
        add(Group.REDUCTION, t);
        return r;
    }

    @Override
    public boolean allFinite(Matrix x) {
        long t = begin();
        boolean r = inner.allFinite(x);
        add(Group.REDUCTION, t);
        return r;
    }

    @Override
    public float maxAbs(Matrix x) {
        long t = begin();
        float r = inner.maxAbs(x);
        add(Group.REDUCTION, t);
        return r;
    }

    @Override
    public void axpy(float alpha, Matrix x, Matrix y) {
        long t = begin();
        inner.axpy(alpha, x, y);
        add(Group.ELEMENTWISE, t);
    }

    @Override
    public void scale(float alpha, Matrix x) {
        long t = begin();
        inner.scale(alpha, x);
        add(Group.ELEMENTWISE, t);
    }

    @Override
    public void copy(Matrix x, Matrix y) {
        long t = begin();
        inner.copy(x, y);
        add(Group.ELEMENTWISE, t);
    }

    @Override
    public void gatherRows(Matrix source, int[] index, int from, Matrix out) {
        long t = begin();
        inner.gatherRows(source, index, from, out);
        add(Group.ELEMENTWISE, t);
    }

    @Override
    public void prefetchRows(Matrix source, int[] index, int from, int to) {
        long t = begin();
        inner.prefetchRows(source, index, from, to);
        add(Group.ELEMENTWISE, t);
    }

    @Override
    public void fill(Matrix x, float value) {
        long t = begin();
        inner.fill(x, value);
        add(Group.ELEMENTWISE, t);
    }

    @Override
    public void multiply(Matrix a, Matrix b, Matrix out) {
        long t = begin();
        inner.multiply(a, b, out);
        add(Group.ELEMENTWISE, t);
    }

    @Override
    public void clamp(Matrix x, float lo, float hi) {
        long t = begin();
        inner.clamp(x, lo, hi);
        add(Group.ELEMENTWISE, t);
    }

    @Override
    public boolean sgdUpdate(Matrix w, Matrix g, float lr, float l2) {
        long t = begin();
        boolean finite = inner.sgdUpdate(w, g, lr, l2);
        add(Group.OPTIMIZER, t);
        return finite;
    }

    @Override
    public boolean momentumUpdate(Matrix w, Matrix g, Matrix v, float lr, float beta, boolean nesterov, float l2) {
        long t = begin();
        boolean finite = inner.momentumUpdate(w, g, v, lr, beta, nesterov, l2);
        add(Group.OPTIMIZER, t);
        return finite;
    }

    @Override
    public boolean adagradUpdate(Matrix w, Matrix g, Matrix s, float lr, float eps, float l2) {
        long t = begin();
        boolean finite = inner.adagradUpdate(w, g, s, lr, eps, l2);
        add(Group.OPTIMIZER, t);
        return finite;
    }

    @Override
    public boolean rmspropUpdate(Matrix w, Matrix g, Matrix s, float lr, float rho, float eps, float l2) {
        long t = begin();
        boolean finite = inner.rmspropUpdate(w, g, s, lr, rho, eps, l2);
        add(Group.OPTIMIZER, t);
        return finite;
    }

    @Override
    public boolean adamUpdate(Matrix w, Matrix g, Matrix m, Matrix v, float lr, float beta1, float beta2, float eps,
                           int step, float l2, float decoupledDecay) {
        long t = begin();
        boolean finite = inner.adamUpdate(w, g, m, v, lr, beta1, beta2, eps, step, l2, decoupledDecay);
        add(Group.OPTIMIZER, t);
        return finite;
    }

    @Override
    public void dropoutForward(Matrix x, Matrix mask, Matrix out, float keep, long seed, long step) {
        long t = begin();
        inner.dropoutForward(x, mask, out, keep, seed, step);
        add(Group.DROPOUT, t);
    }

    @Override
    public void batchNormForwardTrain(Matrix x, Matrix gamma, Matrix beta, Matrix runningMean, Matrix runningVar,
                                      float momentum, float eps, Matrix xhat, Matrix invStd, Matrix out) {
        long t = begin();
        inner.batchNormForwardTrain(x, gamma, beta, runningMean, runningVar, momentum, eps, xhat, invStd, out);
        add(Group.BATCH_NORM, t);
    }

    @Override
    public void batchNormForwardInference(Matrix x, Matrix gamma, Matrix beta, Matrix runningMean, Matrix runningVar,
                                          float eps, Matrix out) {
        long t = begin();
        inner.batchNormForwardInference(x, gamma, beta, runningMean, runningVar, eps, out);
        add(Group.BATCH_NORM, t);
    }

    @Override
    public void batchNormBackward(Matrix dOut, Matrix xhat, Matrix gamma, Matrix invStd, Matrix dGamma, Matrix dBeta,
                                  Matrix dX) {
        long t = begin();
        inner.batchNormBackward(dOut, xhat, gamma, invStd, dGamma, dBeta, dX);
        add(Group.BATCH_NORM, t);
    }

    /** Closes the wrapped kernels. */
    @Override
    public void close() {
        inner.close();
    }

    @Override
    public String toString() {
        return "profiling " + inner;
    }
}
