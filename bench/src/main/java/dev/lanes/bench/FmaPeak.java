package dev.lanes.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures this CPU's FP32 fused-multiply-add peak through the Vector API: the ceiling a GEMM
 * micro-kernel written with the same API can reach, so "% of peak" in the GEMM report is measured
 * on the machine, not read from a data sheet.
 *
 * <p>Each thread runs {@value #CHAINS} independent FMA chains on {@code SPECIES_PREFERRED} vectors,
 * registers only. Independent chains hide the FMA latency (about 4 cycles on two FMA pipes needs 8
 * in flight); 12 accumulators plus 2 constants also fit in 16 AVX2 registers, so there is no spill on
 * either AVX2 or AVX-512. Each figure is the faster of two chain forms, timed one after the other:
 * <ul>
 *   <li>{@code acc = acc·b + c} with {@code 0 < b < 1}, the chain through the multiplier;</li>
 *   <li>{@code acc = b·c + acc}, the chain through the addend, as in a GEMM micro-kernel.</li>
 * </ul>
 * On a Zen 3 core (256-bit vectors) the first ran at 62–75 GFLOP/s and the second at 91–100, and
 * OpenBLAS's sgemm reached 72–89: the multiplier form alone understated the peak by a third. Both
 * stay normal: the first converges to c/(1−b), the second grows by b·c a step until the addition
 * rounds away, and neither overflows or reaches denormals, whose slow path would understate the
 * peak.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lanes.bench.FmaPeak \
 *     [--threads 1,2] [--repeats 5] [--seconds 0.2] [--json]
 * </pre>
 * Prints one line per thread count: GFLOP/s (median over repeats), or with {@code --json} one JSON
 * object per line: {@code lib, threads, vector_bits, chains, gflops, min_gflops, max_gflops, repeats}.
 */
public final class FmaPeak {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int CHAINS = 12;
    private static final double FLOP_PER_ITERATION = 2.0 * CHAINS * SPECIES.length();

    private FmaPeak() {}

    public static void main(String[] argv) throws Exception {
        int[] threadCounts = {1, 2};
        int repeats = 5;
        double seconds = 0.2;
        boolean json = false;
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--threads" -> threadCounts = Arrays.stream(value(argv, ++i).split(",")).mapToInt(Integer::parseInt).toArray();
                case "--repeats" -> repeats = Integer.parseInt(value(argv, ++i));
                case "--seconds" -> seconds = Double.parseDouble(value(argv, ++i));
                case "--json" -> json = true;
                default -> {
                    System.err.println("usage: FmaPeak [--threads 1,2] [--repeats 5] [--seconds 0.2] [--json]");
                    System.exit(2);
                }
            }
        }
        if (repeats < 1 || seconds <= 0 || Arrays.stream(threadCounts).anyMatch(t -> t < 1)) {
            System.err.println("FmaPeak: --repeats and --threads must be >= 1, --seconds > 0");
            System.exit(2);
        }
        long iterations = calibrate(seconds);
        for (int threads : threadCounts) {
            double[] gflops = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                gflops[r] = measure(threads, iterations);
            }
            Arrays.sort(gflops);
            double median = gflops[repeats / 2];
            if (json) {
                System.out.printf(Locale.ROOT, "{\"lib\":\"fma-peak\",\"threads\":%d,\"vector_bits\":%d,\"chains\":%d,"
                                + "\"gflops\":%.3f,\"min_gflops\":%.3f,\"max_gflops\":%.3f,\"repeats\":%d}%n",
                        threads, SPECIES.vectorBitSize(), CHAINS, median, gflops[0], gflops[repeats - 1], repeats);
            } else {
                System.out.printf(Locale.ROOT, "FP32 FMA peak, %d-bit vectors, %d thread%s: %.1f GFLOP/s"
                                + " (median of %d; min %.1f, max %.1f)%n",
                        SPECIES.vectorBitSize(), threads, threads == 1 ? "" : "s", median, repeats,
                        gflops[0], gflops[repeats - 1]);
            }
        }
    }

    private static String value(String[] argv, int i) {
        if (i >= argv.length) {
            System.err.println("FmaPeak: " + argv[i - 1] + " needs a value");
            System.exit(2);
        }
        return argv[i];
    }

    /** Warms the chain loop up to C2 and returns the iteration count that takes about {@code seconds}. */
    private static long calibrate(double seconds) {
        long iterations = 10_000;
        float sink = 0;
        for (int i = 0; i < 200; i++) {
            sink += chains(iterations, i) + addendChains(iterations, i);
        }
        while (true) {
            long t0 = System.nanoTime();
            sink += chains(iterations, 1);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            if (elapsed > seconds / 4) {
                consume(sink);
                return (long) (iterations * seconds / elapsed);
            }
            iterations *= 2;
        }
    }

    /**
     * GFLOP/s of {@code threads} threads each running {@code iterations} of the chains at once. The
     * workers time themselves (first start to last end): a main thread descheduled between the
     * barrier and its clock read would otherwise miss part of the work and overstate the peak.
     */
    private static double measure(int threads, long iterations, boolean addend) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        long[] starts = new long[threads];
        long[] ends = new long[threads];
        float[] sinks = new float[threads];
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                starts[id] = System.nanoTime();
                sinks[id] = addend ? addendChains(iterations, id) : chains(iterations, id);
                ends[id] = System.nanoTime();
            }, "fma-peak-" + t);
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            w.join();
        }
        long elapsed = Arrays.stream(ends).max().orElseThrow() - Arrays.stream(starts).min().orElseThrow();
        float sum = 0;
        for (float s : sinks) sum += s;
        consume(sum);
        return FLOP_PER_ITERATION * iterations * threads / elapsed;
    }

    /** The faster of the two chain forms (see the class comment). */
    private static double measure(int threads, long iterations) throws Exception {
        return Math.max(measure(threads, iterations, false), measure(threads, iterations, true));
    }

    /** {@value #CHAINS} independent {@code acc = b·c + acc} chains; the sum keeps them all live. */
    static float addendChains(long iterations, float seed) {
        FloatVector b = FloatVector.broadcast(SPECIES, 0.9999999f);
        FloatVector c = FloatVector.broadcast(SPECIES, 1e-3f);
        FloatVector a0 = FloatVector.broadcast(SPECIES, seed), a1 = FloatVector.broadcast(SPECIES, seed + 1);
        FloatVector a2 = FloatVector.broadcast(SPECIES, seed + 2), a3 = FloatVector.broadcast(SPECIES, seed + 3);
        FloatVector a4 = FloatVector.broadcast(SPECIES, seed + 4), a5 = FloatVector.broadcast(SPECIES, seed + 5);
        FloatVector a6 = FloatVector.broadcast(SPECIES, seed + 6), a7 = FloatVector.broadcast(SPECIES, seed + 7);
        FloatVector a8 = FloatVector.broadcast(SPECIES, seed + 8), a9 = FloatVector.broadcast(SPECIES, seed + 9);
        FloatVector a10 = FloatVector.broadcast(SPECIES, seed + 10), a11 = FloatVector.broadcast(SPECIES, seed + 11);
        for (long i = 0; i < iterations; i++) {
            a0 = b.fma(c, a0);
            a1 = b.fma(c, a1);
            a2 = b.fma(c, a2);
            a3 = b.fma(c, a3);
            a4 = b.fma(c, a4);
            a5 = b.fma(c, a5);
            a6 = b.fma(c, a6);
            a7 = b.fma(c, a7);
            a8 = b.fma(c, a8);
            a9 = b.fma(c, a9);
            a10 = b.fma(c, a10);
            a11 = b.fma(c, a11);
        }
        FloatVector sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11);
        return sum.reduceLanes(VectorOperators.ADD);
    }

    /** {@value #CHAINS} independent {@code acc = acc·b + c} chains; the sum keeps them all live. */
    static float chains(long iterations, float seed) {
        FloatVector b = FloatVector.broadcast(SPECIES, 0.9999999f);
        FloatVector c = FloatVector.broadcast(SPECIES, 1e-3f);
        FloatVector a0 = FloatVector.broadcast(SPECIES, seed), a1 = FloatVector.broadcast(SPECIES, seed + 1);
        FloatVector a2 = FloatVector.broadcast(SPECIES, seed + 2), a3 = FloatVector.broadcast(SPECIES, seed + 3);
        FloatVector a4 = FloatVector.broadcast(SPECIES, seed + 4), a5 = FloatVector.broadcast(SPECIES, seed + 5);
        FloatVector a6 = FloatVector.broadcast(SPECIES, seed + 6), a7 = FloatVector.broadcast(SPECIES, seed + 7);
        FloatVector a8 = FloatVector.broadcast(SPECIES, seed + 8), a9 = FloatVector.broadcast(SPECIES, seed + 9);
        FloatVector a10 = FloatVector.broadcast(SPECIES, seed + 10), a11 = FloatVector.broadcast(SPECIES, seed + 11);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(b, c);
            a1 = a1.fma(b, c);
            a2 = a2.fma(b, c);
            a3 = a3.fma(b, c);
            a4 = a4.fma(b, c);
            a5 = a5.fma(b, c);
            a6 = a6.fma(b, c);
            a7 = a7.fma(b, c);
            a8 = a8.fma(b, c);
            a9 = a9.fma(b, c);
            a10 = a10.fma(b, c);
            a11 = a11.fma(b, c);
        }
        FloatVector sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11);
        return sum.reduceLanes(VectorOperators.ADD);
    }

    private static volatile float blackhole;

    private static void consume(float value) {
        blackhole = value;
    }
}
