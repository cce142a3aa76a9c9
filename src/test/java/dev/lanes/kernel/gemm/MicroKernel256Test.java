package dev.lanes.kernel.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Which AVX2 tile {@link MicroKernel256#forThisJvm} picks, and that the choice can be forced (and not mistyped). */
class MicroKernel256Test {

    @Test
    void readsWhetherCountedLoopsKeepSafepointsFromTheRunningJvm() {
        String value = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .getVMOption("UseCountedLoopSafepoints").getValue();
        assertEquals(Boolean.parseBoolean(value), MicroKernel256.countedLoopsKeepSafepoints());
    }

    @Test
    void picksTheTileThatKeepsItsAccumulatorsInRegistersUnderThisJit() {
        String saved = System.clearProperty("lanes.gemm.tile");
        try {
            int expected = MicroKernel256.countedLoopsKeepSafepoints() ? 4 : 6;
            assertEquals(expected, MicroKernel256.forThisJvm().mr());
        } finally {
            if (saved != null) System.setProperty("lanes.gemm.tile", saved);
        }
    }

    @Test
    void theSimdBackendNamesTheTileItRuns() {
        try (var simd = new dev.lanes.kernel.simd.SimdKernels(1, false)) {
            String expected = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512
                    ? "8x32" : MicroKernel256.forThisJvm().mr() + "x16";
            assertEquals(expected, simd.gemmTile());
        }
    }

    @Test
    void aPropertyForcesEitherTile() {
        String saved = System.getProperty("lanes.gemm.tile");
        try {
            System.setProperty("lanes.gemm.tile", "6x16");
            assertEquals(6, MicroKernel256.forThisJvm().mr());
            System.setProperty("lanes.gemm.tile", "4x16");
            assertEquals(4, MicroKernel256.forThisJvm().mr());
            System.setProperty("lanes.gemm.tile", "6X16");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, MicroKernel256::forThisJvm);
            assertTrue(e.getMessage().contains("6x16 or 4x16") && e.getMessage().contains("'6X16'"), e.getMessage());
        } finally {
            if (saved != null) System.setProperty("lanes.gemm.tile", saved);
            else System.clearProperty("lanes.gemm.tile");
        }
    }
}
