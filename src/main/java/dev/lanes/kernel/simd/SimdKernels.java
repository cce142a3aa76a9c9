package dev.lanes.kernel.simd;

import dev.lanes.kernel.Epilogue;
import dev.lanes.kernel.GemmShapes;
import dev.lanes.kernel.Kernels;
import dev.lanes.kernel.gemm.BlockSizes;
import dev.lanes.kernel.gemm.GemmDriver;
import dev.lanes.kernel.gemm.MicroKernel;
import dev.lanes.kernel.gemm.MicroKernel6x16;
import dev.lanes.kernel.gemm.MicroKernel8x32;
import dev.lanes.kernel.gemm.NarrowKernel;
import dev.lanes.kernel.gemm.NarrowKernel8x16;
import dev.lanes.kernel.gemm.ThreadTeam;
import dev.lanes.tensor.Matrix;
import jdk.incubator.vector.FloatVector;

/** The Vector API backend. Create through {@link Kernels#create} or {@link Kernels#get()}. */
public final class SimdKernels implements Kernels {
    private final ThreadTeam team;
    private final GemmDriver gemm;
    private final boolean shared;

    public SimdKernels(int threads, boolean shared) {
        this.team = new ThreadTeam(threads, "lanes-simd");
        boolean wide = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
        MicroKernel mk = wide ? new MicroKernel8x32() : new MicroKernel6x16();
        NarrowKernel narrow = wide ? new NarrowKernel8x16() : null;
        this.gemm = new GemmDriver(mk, narrow, BlockSizes.forTile(mk.mr(), mk.nr()), team);
        this.shared = shared;
    }

    @Override public String name() { return "simd"; }

    @Override public int threads() { return team.size(); }

    /** The GEMM block sizes in use (for reports). */
    public BlockSizes gemmBlocks() { return gemm.blocks(); }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c,
                     Epilogue epilogue) {
        GemmShapes.check(transA, transB, a, b, c, epilogue);
        gemm.gemm(transA, transB, alpha, a, b, beta, c, epilogue);
    }

    @Override
    public void close() {
        if (!shared) team.close();
    }

    @Override
    public String toString() {
        return "simd kernels (" + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors, "
                + threads() + " threads, GEMM " + gemm.blocks() + ")";
    }
}
