package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every work item of compare-backends and regress sets up and runs (no timing): all of them on simd,
 * and on loop all but the two slowest (the scalar 256×784×1024 GEMM and the training epoch take
 * seconds there, and set up exactly as on simd).
 */
class BackendWorkTest {
    @Test
    void everyItemRunsOnBothBackends() {
        try (Kernels loop = Kernels.create("loop", 1); Kernels simd = Kernels.create("simd", 2)) {
            for (BackendWork.Item item : BackendWork.all()) {
                boolean slowOnLoop = item.group().equals("training") || item.name().contains("256x784x1024");
                for (Kernels k : slowOnLoop ? List.of(simd) : List.of(loop, simd)) {
                    try (BackendWork.Workload w = item.setUp().apply(k)) {
                        w.run();
                    }
                }
            }
        }
    }

    @Test
    void namesAreUniqueAndCoverEveryKernelGroup() {
        Set<String> names = new HashSet<>();
        Set<String> groups = new HashSet<>();
        for (BackendWork.Item item : BackendWork.all()) {
            assertTrue(names.add(item.name()), "duplicate " + item.name());
            groups.add(item.group());
        }
        assertEquals(Set.of("gemm", "activation", "loss", "reduction", "elementwise", "optimizer", "dropout",
                "batch_norm", "training"), groups);
        assertTrue(names.contains("gemm NN 128x784x256") && names.contains("gemm NN 256x256x256"), names.toString());
    }

    @Test
    void regressionSetRunsOnSimd() {
        try (Kernels simd = Kernels.create("simd", 1)) {
            for (Regress.Benchmark b : Regress.benchmarks()) {
                try (BackendWork.Workload w = b.setUp().apply(simd)) {
                    w.run();
                }
            }
        }
    }

    @Test
    void referenceKernelRuns() {
        ReferenceFma fma = new ReferenceFma();
        fma.run();
        assertTrue(ReferenceFma.FLOP_PER_CALL > 0);
    }
}
