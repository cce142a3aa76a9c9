package dev.lanes.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * For test classes that hold a simd kernel to its loop twin: one instance of each backend on one
 * thread, created before the class's tests and closed after them.
 */
abstract class LoopAndSimd {
    static Kernels loop;
    static Kernels simd;

    @BeforeAll
    static void createBackends() {
        loop = Kernels.create("loop", 1);
        simd = Kernels.create("simd", 1);
    }

    @AfterAll
    static void closeBackends() {
        loop.close();
        simd.close();
    }
}
