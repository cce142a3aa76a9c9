package dev.lanes.kernel.gemm;

import dev.lanes.kernel.Epilogue;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;

/**
 * The portable Goto/BLIS GEMM driver: five loops over NC, KC and MC blocks and NR/MR micro-panels
 * around one {@link MicroKernel}, with packing into per-thread buffers that are reused across
 * calls (no heap allocation once they have grown to the largest problem seen).
 *
 * <p>Threads split C into disjoint blocks along its larger dimension (in whole micro-tiles); each
 * runs the serial algorithm on its block with its own packed copies. Every element of C is
 * therefore computed by the same sequence of FMAs whatever the thread count, so results are
 * bitwise identical for any number of threads. K is never split.
 */
public final class GemmDriver implements AutoCloseable {
    /** Below this many multiply-adds a call runs on the caller alone: waking workers costs more. */
    static final long PARALLEL_MIN_FMAS = 1L << 18;

    private final MicroKernel kernel;
    private final BlockSizes blocks;
    private final ThreadTeam team;
    private final Workspace[] workspaces;
    private final TileEpilogue tileEpilogue = new TileEpilogue();
    private final ThreadTeam.Task task = this::runMember;

    // The current call, read by every member of the team (published by the team's volatile handoff).
    private boolean transA, transB;
    private float alpha, beta;
    private MemorySegment a, b, c;
    private int lda, ldb, ldc, m, n, k;
    private TileEpilogue ep;
    private boolean splitRows;
    private int parts;

    public GemmDriver(MicroKernel kernel, BlockSizes blocks, ThreadTeam team) {
        this.kernel = kernel;
        this.blocks = blocks;
        this.team = team;
        this.workspaces = new Workspace[team.size()];
        for (int i = 0; i < workspaces.length; i++) {
            workspaces[i] = new Workspace(kernel.mr() * kernel.nr());
        }
    }

    public BlockSizes blocks() { return blocks; }

    /** C = epilogue(alpha·op(A)·op(B) + beta·C); shapes must already be checked. */
    public synchronized void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b,
                                  float beta, Matrix c, Epilogue epilogue) {
        this.transA = transA;
        this.transB = transB;
        this.alpha = alpha;
        this.beta = beta;
        this.a = a.segment();
        this.b = b.segment();
        this.c = c.segment();
        this.lda = a.stride();
        this.ldb = b.stride();
        this.ldc = c.stride();
        this.m = c.rows();
        this.n = c.cols();
        this.k = transA ? a.rows() : a.cols();
        if (epilogue.isNone()) {
            this.ep = null;
        } else {
            tileEpilogue.set(epilogue);
            this.ep = tileEpilogue;
        }
        int mTiles = (m + blocks.mr() - 1) / blocks.mr();
        int nTiles = (n + blocks.nr() - 1) / blocks.nr();
        // Split the dimension whose packed copy is cheaper to duplicate: splitting rows makes every
        // member pack all of B (K×N), splitting columns makes every member pack all of A (M×K).
        splitRows = m >= n;
        int tiles = splitRows ? mTiles : nTiles;
        long fmas = (long) m * n * k;
        parts = fmas < PARALLEL_MIN_FMAS ? 1 : Math.min(team.size(), tiles);
        try {
            if (parts == 1) {
                block(workspaces[0], 0, m, 0, n);
            } else {
                team.run(task);
            }
        } finally {
            this.a = this.b = this.c = null;
            tileEpilogue.bias = tileEpilogue.pre = null;
        }
    }

    private void runMember(int member, int members) {
        if (member >= parts) {
            return;
        }
        int unit = splitRows ? blocks.mr() : blocks.nr();
        int total = splitRows ? m : n;
        int tiles = (total + unit - 1) / unit;
        int from = (int) Math.min(total, (long) tiles * member / parts * unit);
        int to = (int) Math.min(total, (long) tiles * (member + 1) / parts * unit);
        if (from >= to) {
            return;
        }
        if (splitRows) {
            block(workspaces[member], from, to, 0, n);
        } else {
            block(workspaces[member], 0, m, from, to);
        }
    }

    /** The serial five-loop algorithm on C[m0:m1, n0:n1]. */
    private void block(Workspace w, int m0, int m1, int n0, int n1) {
        final int mr = blocks.mr(), nr = blocks.nr();
        final int mcMax = blocks.mc(), kcMax = blocks.kc(), ncMax = blocks.nc();
        float[] ap = w.packedA(roundUp(Math.min(mcMax, m1 - m0), mr) * Math.min(kcMax, k));
        float[] bp = w.packedB(roundUp(Math.min(ncMax, n1 - n0), nr) * Math.min(kcMax, k));
        float[] tile = w.tile;
        for (int jc = n0; jc < n1; jc += ncMax) {
            int nc = Math.min(ncMax, n1 - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                float blockBeta = pc == 0 ? beta : 1f;
                TileEpilogue blockEp = pc + kc == k ? ep : null;
                Packing.packPanelsB(b, ldb, transB, pc, jc, kc, nc, nr, bp);
                for (int ic = m0; ic < m1; ic += mcMax) {
                    int mc = Math.min(mcMax, m1 - ic);
                    Packing.packPanelsA(a, lda, transA, ic, pc, mc, kc, mr, ap);
                    for (int jr = 0; jr < nc; jr += nr) {
                        int cols = Math.min(nr, nc - jr);
                        int bOff = jr * kc;
                        for (int ir = 0; ir < mc; ir += mr) {
                            kernel.run(kc, ap, ir * kc, bp, bOff, c, ldc, ic + ir, jc + jr,
                                    Math.min(mr, mc - ir), cols, alpha, blockBeta, blockEp, tile);
                        }
                    }
                }
            }
        }
    }

    private static int roundUp(int v, int unit) {
        return (v + unit - 1) / unit * unit;
    }

    @Override
    public void close() {
        team.close();
    }

    /** One team member's packing buffers; grown on demand, then reused. */
    static final class Workspace {
        final float[] tile;
        private float[] a = new float[0];
        private float[] b = new float[0];

        Workspace(int tileSize) {
            tile = new float[tileSize];
        }

        float[] packedA(int size) {
            if (a.length < size) a = new float[size];
            return a;
        }

        float[] packedB(int size) {
            if (b.length < size) b = new float[size];
            return b;
        }
    }
}
