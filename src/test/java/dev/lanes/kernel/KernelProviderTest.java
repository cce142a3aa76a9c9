package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.tensor.Matrix;
import org.junit.jupiter.api.Test;

class KernelProviderTest {

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), () -> "expected '" + p + "' in: " + message);
        }
    }

    @Test
    void createsTheNamedBackendWithItsThreadCount() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null);
        try (Kernels simd = Kernels.create("simd", 3); Kernels loop = Kernels.create("loop", 2)) {
            assertEquals("simd", simd.name());
            assertEquals(3, simd.threads());
            assertEquals("loop", loop.name());
            assertEquals(2, loop.threads());
            assertContains(simd.toString(), "simd", "3 threads");
            assertContains(loop.toString(), "loop", "2 threads");
        }
        try (Kernels upper = Kernels.create(" SIMD ", 1); Kernels loop = KernelProvider.create("Loop", 1)) {
            assertEquals("simd", upper.name());
            assertEquals("loop", loop.name());
        }
    }

    @Test
    void unknownBackendIsRefusedWithTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.create("cuda", 1));
        assertContains(e.getMessage(), "'cuda'", "loop", "simd");
    }

    @Test
    void fewerThanOneThreadIsRefused() {
        for (String backend : new String[] {"loop", "simd"}) {
            for (int threads : new int[] {0, -3}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Kernels.create(backend, threads));
                assertContains(e.getMessage(), "threads", ">= 1", String.valueOf(threads));
            }
        }
    }

    @Test
    void simdIsRefusedWithTheReasonWhenUnavailable() {
        String why = KernelProvider.simdUnavailableReason();
        if (why == null) {
            // Tests run with --add-modules jdk.incubator.vector; then only a CPU below 256 bits says no.
            assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
            try (Kernels simd = Kernels.create("simd", 1)) {
                assertEquals("simd", simd.name());
            }
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Kernels.create("simd", 1));
            assertContains(e.getMessage(), why);
        }
    }

    @Test
    void theDefaultIsSharedChosenOnceAndSurvivesClose() {
        Kernels k = Kernels.get();
        assertSame(k, Kernels.get());
        assertEquals(KernelProvider.defaultBackend(), k.name());
        if (System.getProperty("lanes.backend") == null) {
            assertEquals(KernelProvider.simdUnavailableReason() == null ? "simd" : "loop", k.name());
        }
        if (System.getProperty("lanes.threads") == null) {
            assertEquals(Runtime.getRuntime().availableProcessors(), k.threads());
        }
        k.close(); // a no-op for the shared instance
        try (Matrix a = Matrix.of(1, 2, 1f, 2f); Matrix b = Matrix.of(2, 1, 3f, 4f); Matrix c = Matrix.allocate(1, 1)) {
            Kernels.get().matmul(a, b, c);
            assertEquals(11f, c.get(0, 0));
        }
        try (Matrix a = Matrix.allocate(128, 128).fill(1f); Matrix c = Matrix.allocate(128, 128)) {
            Kernels.get().matmul(a, a, c); // big enough to wake the shared workers
            assertEquals(128f, c.get(127, 127));
        }
    }

    @Test
    void defaultThreadsReadsTheProperty() {
        String saved = System.getProperty("lanes.threads");
        try {
            System.clearProperty("lanes.threads");
            assertEquals(Runtime.getRuntime().availableProcessors(), KernelProvider.defaultThreads());
            System.setProperty("lanes.threads", " 3 ");
            assertEquals(3, KernelProvider.defaultThreads());
            for (String bad : new String[] {"0", "-2", "many", "1.5"}) {
                System.setProperty("lanes.threads", bad);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, KernelProvider::defaultThreads);
                assertContains(e.getMessage(), "-Dlanes.threads", "'" + bad + "'");
            }
        } finally {
            if (saved == null) System.clearProperty("lanes.threads"); else System.setProperty("lanes.threads", saved);
        }
    }
}
