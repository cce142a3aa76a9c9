package dev.lanes.kernel.loop;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.Epilogue;
import dev.lanes.kernel.GemmShapes;
import dev.lanes.kernel.Kernels;
import dev.lanes.kernel.gemm.ThreadTeam;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Plain scalar Java loops in textbook order, no Vector API: the correctness oracle for the simd
 * kernels and the "loop" side of loop-versus-vectorized comparisons. Work is split over rows of the
 * output across the same kind of thread team the simd backend uses, so thread counts compare.
 */
public final class LoopKernels implements Kernels {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final ThreadTeam team;
    private final boolean shared;

    public LoopKernels(int threads, boolean shared) {
        this.team = new ThreadTeam(threads, "lanes-loop");
        this.shared = shared;
    }

    @Override public String name() { return "loop"; }

    @Override public int threads() { return team.size(); }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c,
                     Epilogue ep) {
        GemmShapes.check(transA, transB, a, b, c, ep);
        MemorySegment as = a.segment(), bs = b.segment(), cs = c.segment();
        MemorySegment bias = ep.bias() == null ? null : ep.bias().segment();
        MemorySegment pre = ep.preActivation() == null ? null : ep.preActivation().segment();
        int lda = a.stride(), ldb = b.stride(), ldc = c.stride();
        int ldp = ep.preActivation() == null ? 0 : ep.preActivation().stride();
        int m = c.rows(), n = c.cols(), k = transA ? a.rows() : a.cols();
        Activation act = ep.activation();
        float leak = ep.leak();
        boolean callerOnly = !(team.workersCanAccess(as) && team.workersCanAccess(bs) && team.workersCanAccess(cs)
                && team.workersCanAccess(bias) && team.workersCanAccess(pre));
        team.run((member, members) -> {
            int from = (int) ((long) m * member / members), to = (int) ((long) m * (member + 1) / members);
            for (int i = from; i < to; i++) {
                for (int j = 0; j < n; j++) {
                    float sum = 0f;
                    for (int p = 0; p < k; p++) {
                        float x = as.getAtIndex(F, transA ? (long) p * lda + i : (long) i * lda + p);
                        float y = bs.getAtIndex(F, transB ? (long) j * ldb + p : (long) p * ldb + j);
                        sum += x * y;
                    }
                    long ci = (long) i * ldc + j;
                    float z = alpha * sum;
                    if (beta != 0f) z += beta * cs.getAtIndex(F, ci);
                    if (bias != null) z += bias.getAtIndex(F, j);
                    if (pre != null) pre.setAtIndex(F, (long) i * ldp + j, z);
                    cs.setAtIndex(F, ci, act.apply(z, leak));
                }
            }
        }, callerOnly);
    }

    @Override
    public void close() {
        if (!shared) team.close();
    }

    @Override
    public String toString() {
        return "loop kernels (" + threads() + " threads)";
    }
}
