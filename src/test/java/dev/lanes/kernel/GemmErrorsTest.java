package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** GEMM argument errors read the same on both backends, name every shape involved, and leave C alone. */
class GemmErrorsTest {
    private static final List<Kernels> BACKENDS = new ArrayList<>();

    @BeforeAll
    static void createKernels() {
        BACKENDS.add(Kernels.create("loop", 2));
        if (KernelProvider.simdUnavailableReason() == null) BACKENDS.add(Kernels.create("simd", 2));
    }

    @AfterAll
    static void closeKernels() {
        BACKENDS.forEach(Kernels::close);
        BACKENDS.clear();
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), () -> "expected '" + p + "' in: " + message);
        }
    }

    /** Expects {@code call} to fail with every part in its message and C untouched. */
    private static void assertRefused(Matrix c, Executable call, String... parts) {
        c.fill(7f);
        float[] before = c.toArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertContains(e.getMessage(), parts);
        assertArrayEquals(before, c.toArray(), "C must not be touched by a refused call");
    }

    @Test
    void innerDimensionMismatchNamesBothShapes() {
        try (Matrix a = Matrix.allocate(3, 4); Matrix b = Matrix.allocate(5, 6); Matrix c = Matrix.allocate(3, 6)) {
            for (Kernels k : BACKENDS) {
                assertRefused(c, () -> k.gemm(false, false, 1f, a, b, 0f, c), "3x4", "5x6");
                assertRefused(c, () -> k.gemm(true, false, 1f, a, b, 0f, c), "3x4", "5x6", "transposed");
                assertRefused(c, () -> k.gemm(false, true, 1f, a, b, 0f, c), "3x4", "5x6", "transposed");
                assertRefused(c, () -> k.matmul(a, b, c), "3x4", "5x6");
            }
        }
    }

    @Test
    void outputShapeMismatchNamesCAndTheProduct() {
        try (Matrix a = Matrix.allocate(3, 4); Matrix b = Matrix.allocate(4, 5); Matrix c = Matrix.allocate(3, 6);
             Matrix ct = Matrix.allocate(5, 3)) {
            for (Kernels k : BACKENDS) {
                assertRefused(c, () -> k.gemm(false, false, 1f, a, b, 0f, c), "3x6", "3x5", "3x4", "4x5");
                // C holding the transposed product is still the wrong shape, also when beta != 0.
                assertRefused(ct, () -> k.gemm(false, false, 1f, a, b, 1f, ct), "5x3", "3x5");
            }
        }
    }

    @Test
    void transposedShapesAreCheckedAsTransposed() {
        // Aᵀ·Bᵀ with A 4x3 and B 5x4 is 3x5: accepted; the same matrices untransposed are not.
        try (Matrix a = Matrix.allocate(4, 3); Matrix b = Matrix.allocate(5, 4); Matrix c = Matrix.allocate(3, 5)) {
            for (Kernels k : BACKENDS) {
                k.gemm(true, true, 1f, a, b, 0f, c);
                assertRefused(c, () -> k.gemm(false, false, 1f, a, b, 0f, c), "4x3", "5x4");
            }
        }
    }

    @Test
    void biasAndPreActivationShapesAreChecked() {
        try (Matrix a = Matrix.allocate(3, 4); Matrix b = Matrix.allocate(4, 5); Matrix c = Matrix.allocate(3, 5);
             Matrix shortBias = Matrix.allocate(1, 4); Matrix pre = Matrix.allocate(3, 4); Matrix preT = Matrix.allocate(5, 3)) {
            for (Kernels k : BACKENDS) {
                assertRefused(c, () -> k.gemm(false, false, 1f, a, b, 0f, c, Epilogue.bias(shortBias)),
                        "bias", "1x4", "5", "3x5");
                assertRefused(c, () -> k.gemm(false, false, 1f, a, b, 0f, c,
                        new Epilogue(null, Activation.RELU, 0f, pre)), "preActivation", "3x4", "3x5");
                assertRefused(c, () -> k.gemm(false, false, 1f, a, b, 0f, c,
                        new Epilogue(null, Activation.TANH, 0f, preT)), "5x3", "3x5");
            }
        }
    }

    @Test
    void epilogueRefusesAMatrixBiasAndANullActivation() {
        try (Matrix bias = Matrix.allocate(2, 5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Epilogue.bias(bias));
            assertContains(e.getMessage(), "1xN", "2x5");
            IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
                    () -> new Epilogue(null, null, 0f, null));
            assertContains(n.getMessage(), "activation");
        }
        assertTrue(Epilogue.NONE.isNone());
    }

    @Test
    void freedOperandsSayTheyWereFreed() {
        try (Matrix b = Matrix.allocate(4, 5); Matrix c = Matrix.allocate(3, 5)) {
            Matrix a = Matrix.allocate(3, 4);
            a.close();
            for (Kernels k : BACKENDS) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> k.matmul(a, b, c));
                assertContains(e.getMessage(), "3x4", "freed");
            }
        }
    }

    @Test
    void closedLoopKernelsRefuseEveryCall() {
        assertClosedKernelsRefuse(Kernels.create("loop", 1));
        assertClosedKernelsRefuse(Kernels.create("loop", 2));
    }

    @Test
    void closedSimdKernelsRefuseEveryCall() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null);
        assertClosedKernelsRefuse(Kernels.create("simd", 1));
        assertClosedKernelsRefuse(Kernels.create("simd", 2));
    }

    private static void assertClosedKernelsRefuse(Kernels k) {
        k.close();
        for (int size : new int[] {4, 128}) {
            try (Matrix a = Matrix.allocate(size, size); Matrix c = Matrix.allocate(size, size)) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> k.matmul(a, a, c),
                        k.name() + " " + k.threads() + " threads, " + size + "x" + size);
                assertContains(e.getMessage(), "closed");
            }
        }
    }

    @Test
    void confinedArenaMatricesEitherWorkOrAreRefusedClearly() {
        for (Kernels k : BACKENDS) {
            try (Arena arena = Arena.ofConfined()) {
                Matrix a = Matrix.allocate(arena, 128, 128).fill(1f);
                Matrix c = Matrix.allocate(arena, 128, 128);
                try {
                    k.matmul(a, a, c);
                    float[] out = c.toArray();
                    for (float v : out) assertTrue(v == 128f, k.name() + ": wrong result " + v);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    assertContains(e.getMessage(), "arena");
                }
            }
        }
    }
}
