package dev.lanes.kernel.simd;

import static dev.lanes.kernel.simd.Vec.L;
import static dev.lanes.kernel.simd.Vec.NATIVE;
import static dev.lanes.kernel.simd.Vec.S;
import static dev.lanes.kernel.simd.Vec.row;
import static jdk.incubator.vector.FloatVector.fromMemorySegment;

import dev.lanes.kernel.FusedShapes;
import dev.lanes.kernel.gemm.ThreadTeam;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Whole-buffer copies and finiteness checks split across the kernel thread team. A training step's
 * divergence guard copies every weight and checks every gradient and weight; on one core these
 * streaming passes were about a tenth of a two-thread step (784-256-128-10, batch 128), time the
 * second core sat idle. Both results are exact, so splitting changes nothing but the time. One
 * instance per kernels object, re-pointed per call: nothing is allocated.
 */
final class ParallelSweeps implements ThreadTeam.Task {
    /** Below this many elements one core finishes before a second one would have woken up. */
    static final int MIN_ELEMENTS = 1 << 15;

    private final ThreadTeam team;
    private final boolean[] nonFinite;
    private boolean copying;
    private MemorySegment xs, ys;
    private int n;

    ParallelSweeps(ThreadTeam team) {
        this.team = team;
        this.nonFinite = new boolean[team.size()];
    }

    void copy(Matrix x, Matrix y) {
        FusedShapes.same("copy", "x", x, "y", y);
        int run = Vec.run(x, y);
        if (run < MIN_ELEMENTS || !shareable(x.segment(), y.segment())) {
            SimdElementwise.copy(x, y);
            return;
        }
        copying = true;
        runSplit(x.segment(), y.segment(), run);
    }

    boolean allFinite(Matrix x) {
        int run = Vec.run(x);
        if (run < MIN_ELEMENTS || !shareable(x.segment(), null)) {
            if (run >= 0) return allFinite(x.segment(), 0, run);
            for (int r = 0; r < x.rows(); r++) {
                if (!allFinite(x.segment(), row(x, r), x.cols())) return false;
            }
            return true;
        }
        copying = false;
        Arrays.fill(nonFinite, false);
        runSplit(x.segment(), null, run);
        for (boolean bad : nonFinite) {
            if (bad) return false;
        }
        return true;
    }

    private boolean shareable(MemorySegment a, MemorySegment b) {
        return team.size() > 1 && team.workersCanAccess(a) && team.workersCanAccess(b);
    }

    private void runSplit(MemorySegment x, MemorySegment y, int run) {
        this.xs = x;
        this.ys = y;
        this.n = run;
        try {
            team.run(this);
        } finally {
            xs = ys = null;
        }
    }

    @Override
    public void run(int member, int members) {
        int chunks = (n + L - 1) / L;
        int from = (int) Math.min(n, (long) chunks * member / members * L);
        int to = (int) Math.min(n, (long) chunks * (member + 1) / members * L);
        if (from >= to) return;
        long off = (long) from * Float.BYTES;
        if (copying) {
            SimdElementwise.copy(xs, off, ys, off, to - from);
        } else {
            nonFinite[member] = !allFinite(xs, off, to - from);
        }
    }

    /**
     * x·0 is 0 for every finite x and NaN for ±∞ and NaN, so the sums stay 0 exactly when all n
     * floats are finite. Four accumulators keep four vectors in flight per add latency.
     */
    static boolean allFinite(MemorySegment xs, long xo, int n) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        int i = 0;
        for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
            long b = xo + (long) i * Float.BYTES;
            a0 = fromMemorySegment(S, xs, b, NATIVE).fma(zero, a0);
            a1 = fromMemorySegment(S, xs, b + (long) L * Float.BYTES, NATIVE).fma(zero, a1);
            a2 = fromMemorySegment(S, xs, b + 2L * L * Float.BYTES, NATIVE).fma(zero, a2);
            a3 = fromMemorySegment(S, xs, b + 3L * L * Float.BYTES, NATIVE).fma(zero, a3);
        }
        for (; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            a0 = fromMemorySegment(S, xs, xo + (long) i * Float.BYTES, NATIVE, m).fma(zero, a0);
        }
        return !a0.add(a1).add(a2.add(a3)).test(VectorOperators.IS_NAN).anyTrue();
    }
}
