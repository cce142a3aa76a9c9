package dev.lanes.kernel.simd;

import dev.lanes.kernel.FusedShapes;
import dev.lanes.kernel.gemm.ThreadTeam;
import dev.lanes.kernel.loop.LoopOptimizers;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Adam over a large dense parameter buffer, split across the kernel thread team: the update is
 * element-wise, so each member takes a contiguous, vector-aligned slice and the result is bitwise
 * the same as on one thread. A training step's weight matrices (hundreds of thousands of floats)
 * stay in the members' own L2 caches instead of streaming through one core. One instance per
 * kernels object, re-pointed per call: nothing is allocated.
 */
final class ParallelAdam implements ThreadTeam.Task {
    /** Below this many elements one core finishes before a second one would have woken up. */
    static final int MIN_ELEMENTS = 1 << 15;

    private final ThreadTeam team;
    /** Per member: whether its slice of updated weights is all finite. */
    private final boolean[] finite;
    private MemorySegment ws, gs, ms, vs;
    private int n;
    private float lr, beta1, beta2, eps, l2, invBc1, invBc2, decay;

    ParallelAdam(ThreadTeam team) {
        this.team = team;
        this.finite = new boolean[team.size()];
    }

    /** Whether the update is large, dense and shareable enough to split across the team. */
    boolean canRun(Matrix w, Matrix g, Matrix m, Matrix v, int t) {
        if (team.size() < 2 || (long) w.rows() * w.cols() < MIN_ELEMENTS) return false;
        FusedShapes.step(t);
        FusedShapes.same("adamUpdate", "w", w, "g", g);
        FusedShapes.same("adamUpdate", "w", w, "m", m);
        FusedShapes.same("adamUpdate", "w", w, "v", v);
        return Vec.run(w, g, m, v) >= 0 && team.workersCanAccess(w.segment()) && team.workersCanAccess(g.segment())
                && team.workersCanAccess(m.segment()) && team.workersCanAccess(v.segment());
    }

    /** The update split across the team (after {@link #canRun}); returns whether every updated weight is finite. */
    boolean run(Matrix w, Matrix g, Matrix m, Matrix v, float lr, float beta1, float beta2, float eps,
                int t, float l2, float decoupledDecay) {
        this.ws = w.segment();
        this.gs = g.segment();
        this.ms = m.segment();
        this.vs = v.segment();
        this.n = Vec.run(w, g, m, v);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.l2 = l2;
        this.invBc1 = LoopOptimizers.biasCorrection(beta1, t);
        this.invBc2 = LoopOptimizers.biasCorrection(beta2, t);
        this.decay = lr * decoupledDecay;
        Arrays.fill(finite, true);
        try {
            team.run(this);
        } finally {
            ws = gs = ms = vs = null;
        }
        for (boolean f : finite) {
            if (!f) return false;
        }
        return true;
    }

    @Override
    public void run(int member, int members) {
        int chunks = (n + Vec.L - 1) / Vec.L;
        int from = (int) Math.min(n, (long) chunks * member / members * Vec.L);
        int to = (int) Math.min(n, (long) chunks * (member + 1) / members * Vec.L);
        if (from >= to) return;
        long off = (long) from * Float.BYTES;
        finite[member] = SimdOptimizers.adam(ws, off, gs, off, ms, off, vs, off, to - from, lr, beta1, beta2, eps, l2,
                invBc1, invBc2, decay);
    }
}
