package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.Matrix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The profiler's per-shape GEMM lines: one per distinct call shape, its kind, and its call count. */
class ProfilingKernelsTest {
    @Test
    void gemmCallsAreCountedPerShapeAndKind() {
        try (Kernels loop = Kernels.create("loop", 1);
             Matrix x = Matrix.allocate(5, 7); Matrix w = Matrix.allocate(7, 3); Matrix y = Matrix.allocate(5, 3);
             Matrix dw = Matrix.allocate(7, 3); Matrix dx = Matrix.allocate(5, 7)) {
            ProfilingKernels p = new ProfilingKernels(loop);
            for (int i = 0; i < 3; i++) p.gemm(false, false, 1f, x, w, 0f, y);
            p.gemm(true, false, 1f, x, y, 0f, dw);
            p.gemm(false, true, 1f, y, w, 0f, dx);
            p.gemm(false, true, 1f, y, w, 0f, dx);
            List<String> lines = p.gemmShapeReport().lines().toList();
            assertEquals(3, lines.size(), p.gemmShapeReport());
            assertLine(lines, "NN 5×7·7×3", 3);
            assertLine(lines, "TN 7×5·5×3", 1);
            assertLine(lines, "NT 5×3·3×7", 2);
            assertEquals(6, p.calls(ProfilingKernels.Group.GEMM));
            p.reset();
            assertEquals("", p.gemmShapeReport());
        }
    }

    @Test
    void shapesBeyondTheTableArePooled() {
        try (Kernels loop = Kernels.create("loop", 1)) {
            ProfilingKernels p = new ProfilingKernels(loop);
            for (int n = 1; n <= 40; n++) {
                try (Matrix a = Matrix.allocate(2, 2); Matrix b = Matrix.allocate(2, n); Matrix c = Matrix.allocate(2, n)) {
                    p.gemm(false, false, 1f, a, b, 0f, c);
                }
            }
            String report = p.gemmShapeReport();
            assertEquals(33, report.lines().count(), report);
            assertTrue(report.lines().anyMatch(l -> l.trim().startsWith("other shapes") && l.contains(" 8 calls")), report);
        }
    }

    private static void assertLine(List<String> lines, String shape, int calls) {
        assertTrue(lines.stream().anyMatch(l -> l.trim().startsWith(shape + " ") && l.contains(" " + calls + " calls ")),
                shape + " with " + calls + " calls in\n" + String.join("\n", lines));
    }
}
