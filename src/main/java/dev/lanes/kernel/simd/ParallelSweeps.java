package dev.lanes.kernel.simd;

import static dev.lanes.kernel.simd.Vec.L;
import static dev.lanes.kernel.simd.Vec.NATIVE;
import static dev.lanes.kernel.simd.Vec.S;
import static dev.lanes.kernel.simd.Vec.row;
import static jdk.incubator.vector.FloatVector.fromMemorySegment;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.FusedShapes;
import dev.lanes.kernel.gemm.ThreadTeam;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Whole-buffer copies, finiteness checks, row gathers and the sigmoid/tanh pass after a GEMM,
 * split across the kernel thread team. A
 * training step's divergence guard copies every weight and checks every gradient and weight; on
 * one core these streaming passes were about a tenth of a two-thread step (784-256-128-10, batch
 * 128), time the second core sat idle. Gathering a shuffled batch (rows scattered over the whole
 * training set, mostly outside the caches) was another tenth. All results are exact, so
 * splitting changes nothing but the time. One instance per kernels object, re-pointed per call:
 * nothing is allocated.
 */
final class ParallelSweeps implements ThreadTeam.Task {
    /** Below this many elements one core finishes before a second one would have woken up. */
    static final int MIN_ELEMENTS = 1 << 15;

    private final ThreadTeam team;
    private final boolean[] nonFinite;
    private final float[] partialMax;
    private enum Sweep { COPY, ALL_FINITE, MAX_ABS, GATHER, ACTIVATE }

    private Sweep sweep;
    // ACTIVATE: x = act(x) in place.
    private Activation activation;
    private MemorySegment xs, ys;
    private int n;
    // GATHER: out row r = source row index[from + r]; n counts rows.
    private int[] index;
    private int indexFrom;
    private long rowBytes, srcStride, dstStride;

    ParallelSweeps(ThreadTeam team) {
        this.team = team;
        this.nonFinite = new boolean[team.size()];
        this.partialMax = new float[team.size()];
    }

    void copy(Matrix x, Matrix y) {
        FusedShapes.same("copy", "x", x, "y", y);
        int run = Vec.run(x, y);
        if (run < MIN_ELEMENTS || !shareable(x.segment(), y.segment())) {
            SimdElementwise.copy(x, y);
            return;
        }
        sweep = Sweep.COPY;
        runSplit(x.segment(), y.segment(), run);
    }

    /**
     * x = act(x) in place for sigmoid or tanh (what the GEMM leaves to be applied after the product),
     * split across the team when x is one dense run long enough; otherwise on the caller.
     */
    void activateInPlace(Activation act, Matrix x) {
        int run = Vec.run(x);
        if (run < MIN_ELEMENTS || !shareable(x.segment(), null)) {
            SimdActivations.activate(act, 0f, x, x);
            return;
        }
        sweep = Sweep.ACTIVATE;
        activation = act;
        try {
            runSplit(x.segment(), x.segment(), run);
        } finally {
            activation = null;
        }
    }

    void gatherRows(Matrix source, int[] index, int from, Matrix out) {
        FusedShapes.gather("gatherRows", source, index, from, out);
        this.index = index;
        this.indexFrom = from;
        this.rowBytes = (long) out.cols() * Float.BYTES;
        this.srcStride = (long) source.stride() * Float.BYTES;
        this.dstStride = (long) out.stride() * Float.BYTES;
        try {
            if ((long) out.rows() * out.cols() < MIN_ELEMENTS || !shareable(source.segment(), out.segment())) {
                gather(source.segment(), out.segment(), 0, out.rows());
                return;
            }
            sweep = Sweep.GATHER;
            runSplit(source.segment(), out.segment(), out.rows());
        } finally {
            this.index = null;
        }
    }

    private void gather(MemorySegment src, MemorySegment dst, int from, int to) {
        for (int r = from; r < to; r++) {
            MemorySegment.copy(src, index[indexFrom + r] * srcStride, dst, r * dstStride, rowBytes);
        }
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
        sweep = Sweep.ALL_FINITE;
        Arrays.fill(nonFinite, false);
        runSplit(x.segment(), null, run);
        for (boolean bad : nonFinite) {
            if (bad) return false;
        }
        return true;
    }

    float maxAbs(Matrix x) {
        int run = Vec.run(x);
        if (run < MIN_ELEMENTS || !shareable(x.segment(), null)) {
            if (run >= 0 && run <= SCALAR_MAX_ABS) return scalarMaxAbs(x.segment(), run);
            if (run >= 0) return maxAbs(x.segment(), 0, run);
            float max = 0f;
            for (int r = 0; r < x.rows(); r++) {
                max = Math.max(max, maxAbs(x.segment(), row(x, r), x.cols()));
            }
            return max;
        }
        sweep = Sweep.MAX_ABS;
        Arrays.fill(partialMax, 0f);
        runSplit(x.segment(), null, run);
        float max = 0f;
        for (float m : partialMax) max = Math.max(max, m);
        return max;
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
        if (sweep == Sweep.GATHER) {
            gather(xs, ys, (int) ((long) n * member / members), (int) ((long) n * (member + 1) / members));
            return;
        }
        int chunks = (n + L - 1) / L;
        int from = (int) Math.min(n, (long) chunks * member / members * L);
        int to = (int) Math.min(n, (long) chunks * (member + 1) / members * L);
        if (from >= to) return;
        long off = (long) from * Float.BYTES;
        if (sweep == Sweep.COPY) {
            SimdElementwise.copy(xs, off, ys, off, to - from);
        } else if (sweep == Sweep.ACTIVATE) {
            SimdActivations.activate(activation, 0f, xs, off, ys, off, to - from);
        } else if (sweep == Sweep.MAX_ABS) {
            partialMax[member] = maxAbs(xs, off, to - from);
        } else {
            nonFinite[member] = !allFinite(xs, off, to - from);
        }
    }

    /**
     * Runs up to this long (a layer's bias gradient, now that the weight gradients' maxima come from
     * their GEMMs) take a scalar loop. Called 3 times a step on a few hundred floats, the vector loop
     * stayed in C1 code, which boxes vectors, for the first thousand-odd steps of a run: 3 MB of
     * garbage and slower steps while it lasted. Scalar code allocates in no tier, and at this size
     * costs well under a microsecond.
     */
    static final int SCALAR_MAX_ABS = 1024;

    /** max |x| over the first n floats of xs; NaN when one is NaN. */
    static float scalarMaxAbs(MemorySegment xs, int n) {
        float max = 0f;
        for (int i = 0; i < n; i++) {
            float v = Math.abs(xs.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i));
            if (v > max) {
                max = v;
            } else if (v != v) {
                return Float.NaN;
            }
        }
        return max;
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

    /**
     * max |x| over n floats. The maxima skip NaN (a compare-and-blend is one instruction where
     * Java's NaN-propagating MAX is several), so the {@link #allFinite} sums ride along and turn
     * the answer into NaN when a NaN was seen.
     */
    static float maxAbs(MemorySegment xs, long xo, int n) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector m0 = zero, m1 = zero, f0 = zero, f1 = zero;
        int i = 0;
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            long b = xo + (long) i * Float.BYTES;
            FloatVector x0 = fromMemorySegment(S, xs, b, NATIVE).abs();
            FloatVector x1 = fromMemorySegment(S, xs, b + (long) L * Float.BYTES, NATIVE).abs();
            m0 = m0.blend(x0, x0.compare(VectorOperators.GT, m0));
            m1 = m1.blend(x1, x1.compare(VectorOperators.GT, m1));
            f0 = x0.fma(zero, f0);
            f1 = x1.fma(zero, f1);
        }
        for (; i < n; i += L) {
            VectorMask<Float> t = S.indexInRange(i, n);
            FloatVector x = fromMemorySegment(S, xs, xo + (long) i * Float.BYTES, NATIVE, t).abs();
            m0 = m0.blend(x, x.compare(VectorOperators.GT, m0));
            f0 = x.fma(zero, f0);
        }
        if (f0.add(f1).test(VectorOperators.IS_NAN).anyTrue()) {
            // ±∞ makes f NaN too: only a real NaN makes the result NaN.
            for (int j = 0; j < n; j++) {
                if (Float.isNaN(xs.get(ValueLayout.JAVA_FLOAT_UNALIGNED, xo + (long) j * Float.BYTES))) {
                    return Float.NaN;
                }
            }
        }
        return m0.max(m1).reduceLanes(VectorOperators.MAX);
    }
}
