package dev.lanes.kernel.gemm;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.Epilogue;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The portable Goto/BLIS GEMM driver: five loops over NC, KC and MC blocks and NR/MR micro-panels
 * around one {@link MicroKernel}, with packing into per-thread buffers that are reused across
 * calls (no heap allocation once they have grown to the largest problem seen).
 *
 * <p>Threads split C into disjoint blocks along its larger dimension (in whole micro-tiles). Split by
 * columns, each runs the serial algorithm on its block with its own packed copies; split by rows,
 * the team packs each large block of B once and shares it (see {@link #runSharedB}), and each
 * member packs a small one for itself (see {@link #sharesPackedB}). Every element of C is
 * therefore computed by the same sequence of FMAs whatever the thread count, so results are
 * bitwise identical for any number of threads. K is never split. Matrices in a confined arena
 * can only be touched by their owner thread, so calls on them run on the caller alone.
 */
public final class GemmDriver implements AutoCloseable {
    /**
     * Below this many register-tile steps (one k of an MR×NR tile: MR·NR multiply-adds) a call runs
     * on the caller alone: what a split costs is mostly moving the operands between the cores (the
     * caller packs op(B) for the narrow path, the other member reads it; both write C), a few
     * microseconds whatever the size. Counted in tile steps, not multiply-adds, since a step takes
     * a few cycles whatever the tile: 512 steps are 131,072 multiply-adds on the 8×32 tile and
     * 49,152 on the AVX2 6×16. The three products of a 10-wide output layer at batch 128 (163,840
     * multiply-adds each, 640 steps on 8×32) are worth splitting on 2 threads: on Zen 5, hot and
     * repeated, NN 128×128·128×10 3.3 µs on the caller against 2.3–2.5 split, TN (folding max |C|)
     * 4.2–4.4 against 2.8–2.9, NT with the ReLU derivative 4.9–6.1 against 3.3–3.8, and training
     * 784-256-128-10 at batch 128 on 2 threads ran 1.005 and 1.013× as fast (in-process alternation,
     * medians of 40 epoch pairs). At batch 64 (320 steps) a split took 1.9–2.6× as long as the
     * caller alone. On Zen 3 (6×16) the batch-128 products, 1,667 steps, took 0.76–0.83× the time
     * split.
     */
    static final long PARALLEL_MIN_TILE_STEPS = 512;
    /** Row blocks up to this size read B in place instead of packing it (see {@link #blockByStrip}). */
    static final int SMALL_M = 64;
    /**
     * Row blocks up to this size read B in place too when all of op(B) fits in L2 (as much as
     * the packed A block is given), where the strips stay between their reuses.
     * 128×784·784×256 on 1 thread: 211 GFLOP/s against 199 packed; 256×512·512×512: 221 against
     * 211. With B of 3–4 MiB instead, reading it in place lost 12–25 %; such a B is packed a
     * strip at a time instead (see {@link #packsBByStrip}).
     */
    static final int MEDIUM_M = 256;
    /** Packed B blocks of at most this many floats (64 KiB) are swept once per row strip of C. */
    static final int SMALL_B_BLOCK = 16384;

    private final MicroKernel kernel;
    private final NarrowKernel narrow;
    private final BlockSizes blocks;
    private final ThreadTeam team;
    /** {@link #PARALLEL_MIN_TILE_STEPS} in this kernel's multiply-adds. */
    private final long parallelMinFmas;
    private final Workspace[] workspaces;
    private final TileEpilogue tileEpilogue = new TileEpilogue();
    private final ThreadTeam.Task task = this::runMember;
    private final ThreadTeam.Task packSharedTask = this::packSharedB;
    private final ThreadTeam.Task computeSharedTask = this::computeSharedB;

    // The current call, read by every member of the team (published by the team's volatile handoff).
    private boolean transA, transB;
    private float alpha, beta;
    private MemorySegment a, b, c;
    private int lda, ldb, ldc, m, n, k;
    private TileEpilogue ep;
    private boolean splitRows;
    private int parts;
    private boolean narrowPath;
    private boolean sharedB;
    /** Set for a {@link #gemmMaxAbs} call: the final K block's stores fold max |C| (see {@link TileEpilogue#trackMaxAbs}). */
    private boolean trackMaxAbs;
    // The K×N block of the shared-B path being worked on (see runSharedB).
    private int blockJc, blockNc, blockPc, blockKc;

    // op(B) for the narrow path in the narrow kernel's layout, shared by the team, grown on demand.
    private float[] narrowB = new float[0];
    // Packed op(B) block for the shared-B path, packed by the whole team and read by all of it.
    private float[] sharedPackedB = new float[0];

    /**
     * @param narrow kernel for outputs at most {@code narrow.maxCols()} wide, or {@code null} to send
     *               every shape through the packed path
     */
    public GemmDriver(MicroKernel kernel, NarrowKernel narrow, BlockSizes blocks, ThreadTeam team) {
        this.kernel = kernel;
        this.narrow = narrow;
        this.blocks = blocks;
        this.team = team;
        this.parallelMinFmas = PARALLEL_MIN_TILE_STEPS * kernel.mr() * kernel.nr();
        this.workspaces = new Workspace[team.size()];
        for (int i = 0; i < workspaces.length; i++) {
            workspaces[i] = new Workspace(Math.max(kernel.mr() * kernel.nr(),
                    narrow == null ? 0 : narrow.mr() * narrow.maxCols()));
        }
    }

    public BlockSizes blocks() { return blocks; }

    /** Throws if the driver's team was closed. */
    public void checkOpen() {
        team.checkOpen();
    }

    private boolean workersCanAccess(Epilogue e) {
        return team.workersCanAccess(a) && team.workersCanAccess(b) && team.workersCanAccess(c)
                && team.workersCanAccess(e.bias() == null ? null : e.bias().segment())
                && team.workersCanAccess(e.preActivation() == null ? null : e.preActivation().segment())
                && team.workersCanAccess(e.activationOutput() == null ? null : e.activationOutput().segment());
    }

    /** C = epilogue(alpha·op(A)·op(B) + beta·C); shapes must already be checked. */
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b,
                     float beta, Matrix c, Epilogue epilogue) {
        gemm(transA, transB, alpha, a, b, beta, c, epilogue, false);
    }

    /** Whether {@link #gemmMaxAbs} can be called: every kernel this driver runs folds max |C| into its stores. */
    public boolean foldsMaxAbs() {
        return kernel.foldsMaxAbs() && (narrow == null || narrow.foldsMaxAbs());
    }

    /** Whether an {@link Epilogue#activationOutput activation-gradient epilogue} can be passed: every kernel this driver runs applies it. */
    public boolean foldsActivationGradient() {
        return kernel.foldsActivationGradient() && (narrow == null || narrow.foldsActivationGradient());
    }

    /**
     * C = alpha·op(A)·op(B) + beta·C, returning max |C| over the result: NaN when C holds a NaN, +∞
     * when it holds an infinity. The stores of the last K block fold each vector's magnitudes in as
     * they write it (a few lane operations beside the FMA loop), where a separate pass would read
     * all of C back from memory: the weight gradients of backprop, whose magnitude the training loop
     * checks every step. Needs {@link #foldsMaxAbs}.
     */
    public synchronized float gemmMaxAbs(boolean transA, boolean transB, float alpha, Matrix a, Matrix b,
                                         float beta, Matrix c) {
        if (!foldsMaxAbs()) throw new IllegalStateException("this driver's kernels do not fold max |C|");
        trackMaxAbs = true;
        try {
            gemm(transA, transB, alpha, a, b, beta, c, Epilogue.NONE, false);
        } finally {
            trackMaxAbs = false;
        }
        float max = 0f;
        boolean nonFinite = false;
        for (Workspace w : workspaces) {
            int slot = w.tile.length - TileStore512.TRACK_FLOATS;
            for (int i = 0; i < TileStore512.TRACK_FLOATS / 2; i++) {
                max = Math.max(max, w.tile[slot + i]);
                nonFinite |= Float.isNaN(w.tile[slot + TileStore512.TRACK_FLOATS / 2 + i]);
            }
        }
        // The maxima skip NaN but not ±∞; only a step that is diverging anyway searches C for a NaN.
        return nonFinite && containsNaN(c) ? Float.NaN : max;
    }

    private static boolean containsNaN(Matrix c) {
        for (int r = 0; r < c.rows(); r++) {
            for (int j = 0; j < c.cols(); j++) {
                if (Float.isNaN(c.get(r, j))) return true;
            }
        }
        return false;
    }

    /**
     * As {@link #gemm(boolean, boolean, float, Matrix, Matrix, float, Matrix, Epilogue)}, but with
     * {@code withoutActivation} the epilogue stops before its activation (bias and pre-activation
     * output still fused), for a caller that applies the activation to C itself.
     */
    public synchronized void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b,
                                  float beta, Matrix c, Epilogue epilogue, boolean withoutActivation) {
        team.checkOpen();
        if (epilogue.activationOutput() != null && (withoutActivation || !foldsActivationGradient())) {
            throw new IllegalStateException("this driver's kernels do not apply an activation-gradient epilogue");
        }
        // Everything the call points at is let go in the finally, even when packing throws.
        try {
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
            if (epilogue.isNone() && !trackMaxAbs) {
                this.ep = null;
            } else {
                tileEpilogue.set(epilogue);
                if (withoutActivation) tileEpilogue.activation = Activation.IDENTITY;
                if (trackMaxAbs) {
                    tileEpilogue.trackMaxAbs = true;
                    for (Workspace w : workspaces) {
                        Arrays.fill(w.tile, w.tile.length - TileStore512.TRACK_FLOATS, w.tile.length, 0f);
                    }
                }
                this.ep = tileEpilogue;
            }
            narrowPath = narrow != null && n <= narrow.maxCols();
            if (narrowPath) {
                prepareNarrowB();
            }
            int mTiles = (m + blocks.mr() - 1) / blocks.mr();
            int nTiles = (n + blocks.nr() - 1) / blocks.nr();
            // Split the dimension whose packed copy is cheaper to duplicate: splitting rows makes every
            // member pack all of B (K×N), splitting columns makes every member pack all of A (M×K).
            // Except that a row block of at most SMALL_M rows reads untransposed B in place, so when
            // each member's share of the rows is that small, splitting rows duplicates nothing
            // (128×784·784×256 on 2 threads: 265 GFLOP/s split by columns, 340 by rows).
            int rowsPerMember = (m + team.size() - 1) / team.size();
            splitRows = narrowPath || m >= n
                    || (!transB && rowsPerMember <= SMALL_M && mTiles >= 2 * team.size());
            int tiles = splitRows ? mTiles : nTiles;
            long fmas = (long) m * n * k;
            parts = fmas < parallelMinFmas || !workersCanAccess(epilogue) ? 1 : Math.min(team.size(), tiles);
            int maxRowsPerPart = (mTiles + parts - 1) / parts * blocks.mr();
            // A member whose rows read B in place packs nothing, so there is nothing to share.
            sharedB = parts > 1 && splitRows && !narrowPath && !readsBInPlace(maxRowsPerPart, n) && sharesPackedB();
            if (parts == 1 && narrowPath) {
                narrowRows(workspaces[0], 0, m);
            } else if (parts == 1) {
                block(workspaces[0], 0, m, 0, n);
            } else if (sharedB) {
                runSharedB();
            } else {
                team.run(task);
            }
        } finally {
            this.a = this.b = this.c = null;
            tileEpilogue.bias = tileEpilogue.pre = tileEpilogue.output = null;
            tileEpilogue.trackMaxAbs = false;
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
        boolean inPlace = readsBInPlace(m1 - m0, n1 - n0);
        if (inPlace || packsBByStrip(m1 - m0, n1 - n0)) {
            blockByStrip(w, m0, m1, n0, n1, inPlace);
            return;
        }
        final int nr = blocks.nr(), kcMax = kcStep(), ncMax = blocks.nc();
        float[] bp = w.packedB(roundUp(Math.min(ncMax, n1 - n0), nr) * Math.min(kcMax, k));
        for (int jc = n0; jc < n1; jc += ncMax) {
            int nc = Math.min(ncMax, n1 - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                float blockBeta = pc == 0 ? beta : 1f;
                TileEpilogue blockEp = pc + kc == k ? ep : null;
                kernel.packB(b, ldb, transB, pc, jc, kc, nc, bp, 0);
                rowBlocks(w, bp, m0, m1, jc, nc, pc, kc, blockBeta, blockEp);
            }
        }
    }

    /**
     * Rows [m0, m1) of C against one packed K×N block of B: per MC rows, pack A, then the
     * macro-kernel. Its usual order keeps one B micro-panel in L1 while the A micro-panels pass, so
     * C is written a column strip at a time: rows a row of C apart (4 KiB at 1024 columns), each
     * store on a page of its own, where the prefetcher does not follow. That is free behind a long
     * K. With a few k per tile the writes are the work, and a block of B this small stays in
     * cache whatever the order, so C is written a row strip at a time instead (NT 256×10·10×1024
     * with C not in cache, 1 thread: 105 µs against 145; 2 threads: 141 against 175).
     */
    private void rowBlocks(Workspace w, float[] bp, int m0, int m1, int jc, int nc, int pc, int kc,
                           float blockBeta, TileEpilogue blockEp) {
        final int mr = blocks.mr(), nr = blocks.nr(), mcMax = mcStep(m1 - m0);
        float[] ap = w.packedA(mcMax * Math.min(kcStep(), k));
        float[] tile = w.tile;
        for (int ic = m0; ic < m1; ic += mcMax) {
            int mc = Math.min(mcMax, m1 - ic);
            kernel.packA(a, lda, transA, ic, pc, mc, kc, ap);
            if ((long) kc * nc <= SMALL_B_BLOCK) {
                for (int ir = 0; ir < mc; ir += mr) {
                    for (int jr = 0; jr < nc; jr += nr) {
                        kernel.run(kc, ap, ir * kc, bp, jr * kc, c, ldc, ic + ir, jc + jr,
                                Math.min(mr, mc - ir), Math.min(nr, nc - jr), alpha, blockBeta, blockEp, tile);
                    }
                }
                continue;
            }
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

    /**
     * Rows split across the team with one packed copy of B: per K×N block, the team first packs
     * B's micro-panels between its members, then each member runs its rows against all of them.
     * Splitting rows otherwise makes every member pack all of B (at 512³ on 2 threads, packing was
     * 4–5 % of each member's time, half of it duplicated, when that product still packed B; its
     * 256-row halves now read B in place). Two team calls per block are a few
     * microseconds against milliseconds of multiply. Same K blocks and FMA order as {@link #block}.
     */
    private void runSharedB() {
        final int nr = blocks.nr(), kcMax = kcStep(), ncMax = blocks.nc();
        int size = roundUp(Math.min(ncMax, n), nr) * Math.min(kcMax, k);
        if (sharedPackedB.length < size) {
            sharedPackedB = new float[size];
        }
        for (int jc = 0; jc < n; jc += ncMax) {
            for (int pc = 0; pc < k; pc += kcMax) {
                blockJc = jc;
                blockNc = Math.min(ncMax, n - jc);
                blockPc = pc;
                blockKc = Math.min(kcMax, k - pc);
                team.run(packSharedTask, parts);
                team.run(computeSharedTask, parts);
            }
        }
    }

    /**
     * Whether a row split shares one packed copy of each K×N block of B ({@link #runSharedB}) rather
     * than have every member pack its own: only for a block of at least half the packed A block's
     * floats (MC×KC/2, 256 KiB here). Sharing saves packing the block twice, but costs a second team
     * call per block, each member then reads the parts the others packed out of their cores'
     * caches, and on the next call each packer must take its lines back from the readers before
     * writing them. For a small block that traffic costs more than packing it again: backprop's
     * dW = Xᵀ·dZ of 784-256-128-10 at batch 128 (B = dZ, 128×256) spent 9.8 µs of its 2-thread
     * call in the shared packing phase alone, and packing privately made training that network on
     * 2 threads faster at batch 128 by 2.0 % and 1.2 % and at batch 32 by 0.6 % (in-process A/B,
     * medians of 16 per-epoch ratios). The product repeated alone, its operands hot, ran as fast
     * either way. Larger blocks stay shared: 1024³ (1M floats a block) and the 1024×1024 weight
     * gradient of 784-1024-1024-10 at batch 256 (256×1024). Measured on 2 cores; with more members
     * each would pack a small block again, which the rule does not weigh.
     */
    private boolean sharesPackedB() {
        return (long) kcStep() * Math.min(n, blocks.nc()) >= (long) blocks.mc() * blocks.kc() / 2;
    }

    /** Chunk {@code part} of packing the current block of B: a contiguous run of its NR-wide micro-panels. */
    private void packSharedB(int part, int parts) {
        int nr = blocks.nr(), kc = blockKc, nc = blockNc;
        int panels = (nc + nr - 1) / nr;
        int p0 = panels * part / parts, p1 = panels * (part + 1) / parts;
        if (p0 < p1) {
            int j0 = p0 * nr;
            kernel.packB(b, ldb, transB, blockPc, blockJc + j0, kc, Math.min(nc, p1 * nr) - j0, sharedPackedB, j0 * kc);
        }
    }

    /** Chunk {@code part} of multiplying with the current shared block of B: its share of C's rows. */
    private void computeSharedB(int part, int parts) {
        int mr = blocks.mr();
        int tiles = (m + mr - 1) / mr;
        int from = (int) Math.min(m, (long) tiles * part / parts * mr);
        int to = (int) Math.min(m, (long) tiles * (part + 1) / parts * mr);
        if (from >= to) {
            return;
        }
        int kc = blockKc, pc = blockPc;
        rowBlocks(workspaces[part], sharedPackedB, from, to, blockJc, blockNc, pc, kc,
                pc == 0 ? beta : 1f, pc + kc == k ? ep : null);
    }

    /** B as it lies can feed the micro-kernel: not transposed, and a kernel that reads it so. */
    private boolean canReadBInPlace() {
        return !transB && kernel.supportsUnpackedB();
    }

    /** op(B)'s columns [·, cols) fit in L2 beside a packed A block (as much as that block is given). */
    private boolean bFitsInL2(int cols) {
        return (long) k * cols <= 2L * blocks.mc() * blocks.kc();
    }

    private boolean readsBInPlace(int rows, int cols) {
        return canReadBInPlace() && (rows <= SMALL_M || (rows <= MEDIUM_M && bFitsInL2(cols)));
    }

    /**
     * A row block of at most {@link #MEDIUM_M} rows against a B too large for L2 (the forward and
     * input-gradient products of a 1024-wide layer at batch 256) packs B one NR-wide strip at a
     * time, just before its tiles, into a buffer that stays in L2, instead of packing a whole
     * KC×NC block first: that block, megabytes written and then read back for every MC rows, went
     * through DRAM whenever the step had evicted it. With every operand out of cache, 1 thread:
     * NN 256×1024·1024×1024 2,575 µs against 2,734; NN 256×784·784×1024 1,930 against 2,052;
     * NT 256×1024·1024×1024 2,564 against 2,733 (2 threads: 1,267 against 1,338, 1,006 against
     * 1,049, 1,361 against 1,419). In cache, unchanged (2,426 against 2,438; 2,436 against 2,457).
     */
    private boolean packsBByStrip(int rows, int cols) {
        return rows <= MEDIUM_M && !bFitsInL2(cols);
    }

    /**
     * C[m0:m1, n0:n1] for a block of at most {@link #MEDIUM_M} rows: A is packed once per K block,
     * then each NR-wide strip of B is multiplied by all of it. With {@code inPlace} (see
     * {@link #readsBInPlace}: B not transposed, a kernel that can read it so, and a block of at most
     * {@link #SMALL_M} rows or a B that fits in L2) full strips are read where they lie, since each
     * would be reused only (m1−m0)/MR times after packing; the right-edge strip narrower than NR is
     * packed (zero-padded) so no load runs past B's rows. Otherwise every strip is packed just
     * before use (see {@link #packsBByStrip}). Same arithmetic as {@link #block}, element for element.
     */
    private void blockByStrip(Workspace w, int m0, int m1, int n0, int n1, boolean inPlace) {
        final int mr = blocks.mr(), nr = blocks.nr(), kcMax = kcStep();
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
            int first = n0;
            if (inPlace && mc <= kernel.maxFewRows()) {
                // A few rows (predicting a few inputs): all full strips together, without MR-row tiles of padding.
                int strips = (n1 - n0) / nr;
                kernel.runFewRowsUnpackedB(mc, kc, ap, 0, b, (long) pc * ldbBytes + (long) n0 * Float.BYTES, ldbBytes,
                        strips, c, ldc, m0, n0, alpha, blockBeta, blockEp, tile);
                first = n0 + strips * nr;
            }
            for (int jr = first; jr < n1; jr += nr) {
                int cols = Math.min(nr, n1 - jr);
                if (inPlace && cols == nr) {
                    long bOff = (long) pc * ldbBytes + (long) jr * Float.BYTES;
                    for (int ir = 0; ir < mc; ir += mr) {
                        kernel.runUnpackedB(kc, ap, ir * kc, b, bOff, ldbBytes, c, ldc, m0 + ir, jr,
                                Math.min(mr, mc - ir), alpha, blockBeta, blockEp, tile);
                    }
                } else {
                    kernel.packB(b, ldb, transB, pc, jr, kc, cols, bp, 0);
                    for (int ir = 0; ir < mc; ir += mr) {
                        kernel.run(kc, ap, ir * kc, bp, 0, c, ldc, m0 + ir, jr,
                                Math.min(mr, mc - ir), cols, alpha, blockBeta, blockEp, tile);
                    }
                }
            }
        }
    }

    /** op(B) packed once per call for the narrow path (every team member reads it). */
    private void prepareNarrowB() {
        int size = narrow.packedBSize(k, n);
        if (narrowB.length < size) {
            narrowB = new float[size];
        }
        narrow.packB(b, ldb, transB, k, n, narrowB);
    }

    /**
     * The narrow path on rows [m0, m1) of C: per chunk of rows the kernel packs at once and K
     * block, pack that part of op(A) and run the narrow kernel on each of its MR-row panels.
     */
    private void narrowRows(Workspace w, int m0, int m1) {
        // K blocks start at even k: the narrow kernel works on pairs of k. (Only odd KC block sizes,
        // set by hand, need the rounding; the narrow path serves its shapes at every thread count,
        // so its blocks need not match the wide path's.)
        int mr = narrow.mr(), step = narrow.packRows(transA), kcMax = Math.max(2, kcStep() & ~1);
        int panel = narrow.packedASize(Math.min(kcMax, k));
        double[] ap = w.narrowA(step / mr * panel);
        for (int i = m0; i < m1; i += step) {
            int chunk = Math.min(step, m1 - i);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                if (!narrow.readsAInPlace(transA, kc)) narrow.packA(a, lda, transA, i, pc, chunk, kc, ap, w.narrowAView);
                for (int s = 0; s < chunk; s += mr) {
                    narrow.run(kc, a, lda, transA, ap, s / mr * narrow.packedASize(kc), narrowB, pc, n,
                            c, ldc, i + s, Math.min(mr, chunk - s), alpha, pc == 0 ? beta : 1f,
                            pc + kc == k ? ep : null, w.tile);
                }
            }
        }
    }

    /**
     * K block length for this call: K split into ceil(K/KC) equal blocks (rounded up to 8), so a
     * K just over a multiple of KC does not leave a sliver of a block whose C update costs more than
     * its multiply. Depends on K alone, so every thread count uses the same blocks.
     */
    private int kcStep() {
        int kBlocks = (k + blocks.kc() - 1) / blocks.kc();
        return Math.min(blocks.kc(), roundUp((k + kBlocks - 1) / kBlocks, 8));
    }

    /**
     * Row block length for {@code rows} rows of this call. The packed A block is MC×KC floats in L2:
     * when K is shorter than KC, MC grows to fill the same bytes (a 256-deep product gets
     * 4× the rows per block). The rows are then cut into equal blocks, so 1024 rows with MC = 336
     * do not end in a 16-row block that still streams all of B through the core.
     */
    private int mcStep(int rows) {
        int mr = blocks.mr();
        long scaled = (long) blocks.mc() * blocks.kc() / kcStep();
        int mcMax = (int) Math.max(mr, Math.min(1 << 20, scaled) / mr * mr);
        int count = (rows + mcMax - 1) / mcMax;
        return roundUp((rows + count - 1) / count, mr);
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
        private double[] narrowA = new double[0];
        /** {@code narrowA} seen as memory, for the narrow kernel's bulk copies into it. */
        MemorySegment narrowAView = MemorySegment.ofArray(narrowA);

        Workspace(int tileSize) {
            tile = new float[tileSize + TileStore512.TRACK_FLOATS];
        }

        float[] packedA(int size) {
            if (a.length < size) a = new float[size];
            return a;
        }

        double[] narrowA(int size) {
            if (narrowA.length < size) {
                narrowA = new double[size];
                narrowAView = MemorySegment.ofArray(narrowA);
            }
            return narrowA;
        }

        float[] packedB(int size) {
            if (b.length < size) b = new float[size];
            return b;
        }
    }
}
