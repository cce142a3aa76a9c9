package dev.lanes.kernel.gemm;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.Epilogue;
import java.lang.foreign.MemorySegment;

/**
 * An {@link Epilogue} resolved to raw memory for the micro-kernels: segments and strides instead of
 * matrices. The driver owns one and re-points it per call, so a call allocates nothing.
 */
public final class TileEpilogue {
    /** 1×N bias row, or null. */
    public MemorySegment bias;
    public Activation activation;
    public float leak;
    /** M×N pre-activation output, or null. */
    public MemorySegment pre;
    public int ldp;
    /**
     * M×N output of {@link #activation} for the activation-gradient epilogue (C = z ⊙ g′ through it;
     * see {@link Epilogue#activationOutput}), or null for the forward epilogue.
     */
    public MemorySegment output;
    public int ldo;
    /**
     * Fold max |C| of every stored vector into the running maxima kept at the end of the member's
     * tile array ({@link TileStore512#TRACK_FLOATS}); set by {@link GemmDriver#gemmMaxAbs}.
     */
    public boolean trackMaxAbs;

    /**
     * Whether a whole-tile merge ({@link TileStore512#mergeTile}, {@link TileStore256#mergeTile}) serves
     * {@code ep}: none (null), an activation that is a lane select, not a polynomial, or any
     * activation's derivative (a product or two).
     */
    static boolean servedWholeTile(TileEpilogue ep) {
        return ep == null || ep.output != null || ep.activation == Activation.IDENTITY
                || ep.activation == Activation.RELU || ep.activation == Activation.LEAKY_RELU;
    }

    /** Points this (reused, per-driver) holder at {@code ep}'s memory. */
    void set(Epilogue ep) {
        this.bias = ep.bias() == null ? null : ep.bias().segment();
        this.activation = ep.activation();
        this.leak = ep.leak();
        this.pre = ep.preActivation() == null ? null : ep.preActivation().segment();
        this.ldp = ep.preActivation() == null ? 0 : ep.preActivation().stride();
        this.output = ep.activationOutput() == null ? null : ep.activationOutput().segment();
        this.ldo = ep.activationOutput() == null ? 0 : ep.activationOutput().stride();
        this.trackMaxAbs = false;
    }
}
