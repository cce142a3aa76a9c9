package dev.lanes.bench;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code C = A·B} through {@link Kernels#gemm} by backend, thread count and shape. The primary
 * score is calls per second; the secondary {@code gflop} score is GFLOP/s directly (2·M·N·K per
 * call), so no post-processing is needed to compare with numpy or the FMA peak.
 *
 * <p>{@code threads} is the size of the engine's own worker team (the JMH benchmark itself runs on
 * one JMH thread). The loop backend is a textbook triple loop, seconds per call at 1024: run it with
 * fewer iterations, e.g. {@code bench/run GemmBench -p backend=loop -wi 1 -i 1 -r 5s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// Vector API code runs orders of magnitude slower until C2 has compiled it, and on a busy 2-core
// machine that took up to 8 s at 128×128·128×128 with 2 threads: warm up for 10 s.
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class GemmBench {

    /** M×K·K×N as {@code MxKxN}: square sizes, then the MLP layer shapes (batch × in · in × out). */
    @Param({"64x64x64", "128x128x128", "256x256x256", "512x512x512", "1024x1024x1024",
            "128x784x256", "256x784x1024", "256x1024x1024", "128x256x10"})
    public String shape;

    @Param({"simd", "loop"})
    public String backend;

    @Param({"1", "2"})
    public int threads;

    private Kernels kernels;
    private Matrix a;
    private Matrix b;
    private Matrix c;
    private double gflopPerCall;

    @Setup(Level.Trial)
    public void setUp() {
        int[] mkn = parseShape(shape);
        int m = mkn[0], k = mkn[1], n = mkn[2];
        kernels = Kernels.create(backend, threads);
        a = randomMatrix(m, k, 1);
        b = randomMatrix(k, n, 2);
        c = Matrix.allocate(m, n);
        gflopPerCall = 2.0 * m * n * k / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kernels.close();
        a.close();
        b.close();
        c.close();
    }

    @Benchmark
    public void gemm(Flops flops) {
        kernels.gemm(false, false, 1f, a, b, 0f, c);
        flops.gflop += gflopPerCall;
    }

    /** GFLOP done, reported by JMH per second of measurement: GFLOP/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() {
            gflop = 0;
        }
    }

    static int[] parseShape(String shape) {
        String[] parts = shape.split("x");
        if (parts.length != 3) {
            throw new IllegalArgumentException("shape must be MxKxN (M×K·K×N), got '" + shape + "'");
        }
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
    }

    private static Matrix randomMatrix(int rows, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return Matrix.allocate(rows, cols).copyFrom(values);
    }
}
