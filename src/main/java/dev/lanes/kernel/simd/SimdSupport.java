package dev.lanes.kernel.simd;

import jdk.incubator.vector.FloatVector;

/** Probed reflectively by {@code KernelProvider} before any other simd class is touched. */
public final class SimdSupport {
    private SimdSupport() {}

    /** Bit size of this CPU's preferred float vector (512 with AVX-512, 256 with AVX2). */
    public static int preferredBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
