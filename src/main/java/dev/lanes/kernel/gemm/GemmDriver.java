package dev.lanes.kernel.gemm;

import dev.lanes.kernel.Epilogue;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The portable Goto/BLIS GEMM driver: five loops over NC, KC and MC blocks and NR/MR micro-panels
 * around one {@link MicroKernel}, with packing into per-thread buffers that are reused across
 * calls (no heap allocation once they have grown to the largest problem seen).
 *
 * <p>Threads split C into disjoint blocks along its larger dimension (in whole micro-tiles); each
 * runs the serial algorithm on its block with its own packed copies. Every element of C is
 * therefore computed by the same sequence of FMAs whatever the thread count, so results are
 * bitwise identical for any number of threads. K is never split. Matrices in a confined arena
 * can only be touched by their owner thread, so calls on them run on the caller alone.
 */
public final class GemmDriver implements AutoCloseable {
    /** Below this many multiply-adds a call runs on the caller alone: waking workers costs more. */
    static final long PARALLEL_MIN_FMAS = 1L << 18;
    /** Row blocks up to this size read B in place instead of packing it (see {@link #blockSmallM}). */
    static final int SMALL_M = 64;

    private final MicroKernel kernel;
    private final NarrowKernel narrow;
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
    private boolean narrowPath;
    private MemorySegment narrowB;
    private long narrowBStep;

    // op(B) for the narrow path when B is transposed: K rows of maxCols floats, grown on demand.
    private final Arena arena = Arena.ofShared();
    private MemorySegment narrowPacked = MemorySegment.NULL;

    /**
     * @param narrow kernel for outputs at most {@code narrow.maxCols()} wide, or {@code null} to send
     *               every shape through the packed path
     */
    public GemmDriver(MicroKernel kernel, NarrowKernel narrow, BlockSizes blocks, ThreadTeam team) {
        this.kernel = kernel;
        this.narrow = narrow;
        this.blocks = blocks;
        this.team = team;
        this.workspaces = new Workspace[team.size()];
        for (int i = 0; i < workspaces.length; i++) {
            workspaces[i] = new Workspace(Math.max(kernel.mr() * kernel.nr(),
                    narrow == null ? 0 : narrow.mr() * narrow.maxCols()));
        }
    }

    public BlockSizes blocks() { return blocks; }

    /** C = epilogue(alpha·op(A)·op(B) + beta·C); shapes must already be checked. */
    /** Throws if the driver's team was closed. */
    public void checkOpen() {
        team.checkOpen();
    }

    private boolean workersCanAccess(Epilogue e) {
        return team.workersCanAccess(a) && team.workersCanAccess(b) && team.workersCanAccess(c)
                && team.workersCanAccess(e.bias() == null ? null : e.bias().segment())
                && team.workersCanAccess(e.preActivation() == null ? null : e.preActivation().segment());
    }

    public synchronized void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b,
                                  float beta, Matrix c, Epilogue epilogue) {
        team.checkOpen();
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
        narrowPath = narrow != null && n <= narrow.maxCols();
        if (narrowPath) {
            prepareNarrowB(b);
        }
        int mTiles = (m + blocks.mr() - 1) / blocks.mr();
        int nTiles = (n + blocks.nr() - 1) / blocks.nr();
        // Split the dimension whose packed copy is cheaper to duplicate: splitting rows makes every
        // member pack all of B (K×N), splitting columns makes every member pack all of A (M×K).
        splitRows = narrowPath || m >= n;
        int tiles = splitRows ? mTiles : nTiles;
        long fmas = (long) m * n * k;
        parts = fmas < PARALLEL_MIN_FMAS || !workersCanAccess(epilogue) ? 1 : Math.min(team.size(), tiles);
        try {
            if (parts == 1 && narrowPath) {
                narrowRows(workspaces[0], 0, m);
            } else if (parts == 1) {
                block(workspaces[0], 0, m, 0, n);
            } else {
                team.run(task);
            }
        } finally {
            this.a = this.b = this.c = this.narrowB = null;
            tileEpilogue.bias = tileEpilogue.pre = null;
        }
    }

    private void runMember(int member, int members) {
        if (member >= parts) {
            return;
        }
        int unit = narrowPath ? narrow.mr() : splitRows ? blocks.mr() : blocks.nr();
        int total = splitRows ? m : n;
        int tiles = (total + unit - 1) / unit;
        int from = (int) Math.min(total, (long) tiles * member / parts * unit);
        int to = (int) Math.min(total, (long) tiles * (member + 1) / parts * unit);
        if (from >= to) {
            return;
        }
        if (narrowPath) {
            narrowRows(workspaces[member], from, to);
        } else if (splitRows) {
            block(workspaces[member], from, to, 0, n);
        } else {
            block(workspaces[member], 0, m, from, to);
        }
    }

    /** The serial five-loop algorithm on C[m0:m1, n0:n1]. */
    private void block(Workspace w, int m0, int m1, int n0, int n1) {
        if (!transB && m1 - m0 <= SMALL_M && kernel.supportsUnpackedB()) {
            blockSmallM(w, m0, m1, n0, n1);
            return;
        }
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
                kernel.packB(b, ldb, transB, pc, jc, kc, nc, bp);
                for (int ic = m0; ic < m1; ic += mcMax) {
                    int mc = Math.min(mcMax, m1 - ic);
                    kernel.packA(a, lda, transA, ic, pc, mc, kc, ap);
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

    /**
     * C[m0:m1, n0:n1] for a block of at most {@link #SMALL_M} rows (a small batch): A is packed once
     * per K block and full NR-wide strips of B are read in place, since each would be reused only
     * (m1−m0)/MR times after packing. The right-edge strip narrower than NR is packed (zero-padded)
     * so no load runs past B's rows. Same arithmetic as {@link #block}, element for element.
     */
    private void blockSmallM(Workspace w, int m0, int m1, int n0, int n1) {
        final int mr = blocks.mr(), nr = blocks.nr(), kcMax = blocks.kc();
        int mc = m1 - m0;
        float[] ap = w.packedA(roundUp(mc, mr) * Math.min(kcMax, k));
        float[] bp = w.packedB(nr * Math.min(kcMax, k));
        float[] tile = w.tile;
        long ldbBytes = (long) ldb * Float.BYTES;
        for (int pc = 0; pc < k; pc += kcMax) {
            int kc = Math.min(kcMax, k - pc);
            float blockBeta = pc == 0 ? beta : 1f;
            TileEpilogue blockEp = pc + kc == k ? ep : null;
            kernel.packA(a, lda, transA, m0, pc, mc, kc, ap);
            for (int jr = n0; jr < n1; jr += nr) {
                int cols = Math.min(nr, n1 - jr);
                if (cols == nr) {
                    long bOff = (long) pc * ldbBytes + (long) jr * Float.BYTES;
                    for (int ir = 0; ir < mc; ir += mr) {
                        kernel.runUnpackedB(kc, ap, ir * kc, b, bOff, ldbBytes, c, ldc, m0 + ir, jr,
                                Math.min(mr, mc - ir), alpha, blockBeta, blockEp, tile);
                    }
                } else {
                    kernel.packB(b, ldb, false, pc, jr, kc, cols, bp);
                    for (int ir = 0; ir < mc; ir += mr) {
                        kernel.run(kc, ap, ir * kc, bp, 0, c, ldc, m0 + ir, jr,
                                Math.min(mr, mc - ir), cols, alpha, blockBeta, blockEp, tile);
                    }
                }
            }
        }
    }

    /**
     * Copies op(B) (K×N, N ≤ one vector) into K rows of one full, zero-padded vector each, so the
     * narrow kernel's loads need no mask. At most K×16 floats: cheap next to the M·K·N multiply.
     */
    private void prepareNarrowB(Matrix bm) {
        int width = narrow.maxCols();
        long bytes = (long) k * width * Float.BYTES;
        if (narrowPacked.byteSize() < bytes) {
            narrowPacked = arena.allocate(bytes, 64);
        }
        MemorySegment dst = narrowPacked;
        long colStep = transB ? ldb : 1;
        long rowStep = transB ? 1 : ldb;
        for (int p = 0; p < k; p++) {
            long src = p * rowStep;
            long d = (long) p * width;
            int j = 0;
            for (; j < n; j++) {
                dst.setAtIndex(ValueLayout.JAVA_FLOAT, d + j, b.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, src + j * colStep));
            }
            for (; j < width; j++) {
                dst.setAtIndex(ValueLayout.JAVA_FLOAT, d + j, 0f);
            }
        }
        narrowB = dst;
        narrowBStep = (long) width * Float.BYTES;
    }

    /** The narrow path on rows [m0, m1) of C. */
    private void narrowRows(Workspace w, int m0, int m1) {
        int mr = narrow.mr();
        long rowStep = transA ? Float.BYTES : (long) lda * Float.BYTES;
        long kStep = transA ? (long) lda * Float.BYTES : Float.BYTES;
        for (int i = m0; i < m1; i += mr) {
            narrow.run(k, a, i * rowStep, rowStep, kStep, narrowB, 0, narrowBStep, n,
                    c, ldc, i, Math.min(mr, m1 - i), alpha, beta, ep, w.tile);
        }
    }

    private static int roundUp(int v, int unit) {
        return (v + unit - 1) / unit * unit;
    }

    @Override
    public void close() {
        team.close();
        arena.close();
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
