package dev.lanes.bench;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;

/**
 * Lanes' GEMM against a native CBLAS {@code sgemm} (numpy's OpenBLAS) inside one JVM: the same
 * operands, the same threads, timed in short slices that alternate between the two, with a pause
 * before each slice in which the other side's threads go to sleep.
 *
 * <p>Why in one process: on a shared machine the speed a process gets drifts by tens of per cent
 * from one minute to the next (the other tenants' use of the shared L3 and memory, not the FMA
 * units: the FMA peak stays put). Separate processes measured one after the other, as
 * {@code bench/gemm-report.sh} does, put that drift into the ratio; here both sides see the same
 * drift within a fraction of a second, and each round's ratio is taken from adjacent slices.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp bench/target/benchmarks.jar dev.lanes.bench.GemmVsBlas --blas LIBRARY.so \
 *     [--shapes NNx128x784x256,TNx784x128x256,...] [--threads T] [--rounds 7] [--slice 0.2] [--pause 0.3] [--json]
 * </pre>
 * A shape is {@code [NN|NT|TN|TT]xMxKxN}: C (M×N) = op(A)·op(B), K the inner size, the letters
 * saying which operands are stored transposed (NN when omitted). {@code bench/gemm-vs-openblas.sh}
 * finds numpy's OpenBLAS and sets its thread count, which OpenBLAS reads when it loads.
 *
 * <p>Results are checked too: the two Cs must agree to a relative 1e-4 of the largest |C|, or the
 * run stops with exit status 1, so the figures are never of a wrong product.
 */
public final class GemmVsBlas {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

    private record Shape(boolean transA, boolean transB, int m, int k, int n) {
        String label() {
            return (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "×" + k + "·" + k + "×" + n;
        }
    }

    /** The library's sgemm, and whether its integers are 64-bit (an ILP64 build, symbols ending in 64_). */
    private record Blas(MethodHandle sgemm, boolean ilp64, String symbol, String core) {
        void gemm(Shape s, Matrix a, Matrix b, Matrix c) throws Throwable {
            int ta = s.transA ? TRANS : NO_TRANS, tb = s.transB ? TRANS : NO_TRANS;
            if (ilp64) {
                sgemm.invokeExact(ROW_MAJOR, ta, tb, (long) s.m, (long) s.n, (long) s.k, 1f,
                        a.segment(), (long) a.stride(), b.segment(), (long) b.stride(), 0f, c.segment(), (long) c.stride());
            } else {
                sgemm.invokeExact(ROW_MAJOR, ta, tb, s.m, s.n, s.k, 1f,
                        a.segment(), a.stride(), b.segment(), b.stride(), 0f, c.segment(), c.stride());
            }
        }
    }

    public static void main(String[] args) throws Throwable {
        String blasPath = null;
        String shapes = "NNx128x784x256,TNx784x128x256,NTx128x128x256,NNx128x256x128,TNx256x128x128,"
                + "NNx256x784x1024,NNx256x256x256,NNx512x512x512,NNx1024x1024x1024";
        int threads = 1, rounds = 7;
        double slice = 0.2, pause = 0.3;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--blas" -> blasPath = value(args, ++i);
                case "--shapes" -> shapes = value(args, ++i);
                case "--threads" -> threads = Integer.parseInt(value(args, ++i));
                case "--rounds" -> rounds = Integer.parseInt(value(args, ++i));
                case "--slice" -> slice = Double.parseDouble(value(args, ++i));
                case "--pause" -> pause = Double.parseDouble(value(args, ++i));
                case "--json" -> json = true;
                default -> usage("unknown option " + args[i]);
            }
        }
        if (blasPath == null) usage("--blas LIBRARY is required");
        if (!Files.isReadable(Path.of(blasPath))) usage("cannot read the BLAS library " + blasPath);
        if (threads < 1 || rounds < 1 || !(slice > 0) || !(pause >= 0)) {
            usage("--threads, --rounds and --slice must be positive, --pause not negative");
        }
        List<Shape> list = parseShapes(shapes);
        Blas blas = load(Path.of(blasPath), threads);
        try (Kernels lanes = Kernels.create("simd", threads)) {
            if (!json) {
                System.out.printf(Locale.ROOT, "Lanes simd (tile %s) against %s (%s, core %s), %d thread(s), %d rounds of %.2f s slices%n",
                        lanes.gemmTile(), Path.of(blasPath).getFileName(), blas.symbol, blas.core, threads, rounds, slice);
            }
            for (Shape s : list) {
                compare(s, lanes, blas, threads, rounds, (long) (slice * 1e9), (long) (pause * 1e3), json, Path.of(blasPath).getFileName().toString());
            }
        }
    }

    private static void compare(Shape s, Kernels lanes, Blas blas, int threads, int rounds, long sliceNanos, long pauseMillis,
                                boolean json, String library) throws Throwable {
        try (Arena arena = Arena.ofShared()) {
            Matrix a = s.transA ? Matrix.allocate(arena, s.k, s.m) : Matrix.allocate(arena, s.m, s.k);
            Matrix b = s.transB ? Matrix.allocate(arena, s.n, s.k) : Matrix.allocate(arena, s.k, s.n);
            Matrix cLanes = Matrix.allocate(arena, s.m, s.n), cBlas = Matrix.allocate(arena, s.m, s.n);
            Random random = new Random(42);
            a.copyFrom(uniform(random, s.m * s.k));
            b.copyFrom(uniform(random, s.k * s.n));
            double flop = 2.0 * s.m * s.n * s.k;
            double[][] gflops = new double[2][rounds];
            // Round -1 warms both up and is not kept: at least a second each, since until C2 has compiled
            // it, Lanes' vector code runs interpreted at a thousandth of its speed.
            for (int round = -1; round < rounds; round++) {
                for (int turn = 0; turn < 2; turn++) {
                    int side = (round & 1) == 0 ? turn : 1 - turn; // who goes first alternates
                    long span = round < 0 ? Math.max(1_000_000_000L, 3 * sliceNanos) : sliceNanos;
                    // Idle first, so that the other side's threads have gone to sleep: OpenBLAS's workers
                    // spin for 2^28 cycles (about 0.1 s) after a call before they sleep, and a worker
                    // spinning on the second core would halve a 2-thread slice of Lanes.
                    Thread.sleep(pauseMillis);
                    long start = System.nanoTime(), calls = 0;
                    do {
                        if (side == 0) {
                            lanes.gemm(s.transA, s.transB, 1f, a, b, 0f, cLanes);
                        } else {
                            blas.gemm(s, a, b, cBlas);
                        }
                        calls++;
                    } while (System.nanoTime() - start < span);
                    if (round >= 0) gflops[side][round] = flop * calls / (System.nanoTime() - start);
                }
            }
            checkAgree(s, cLanes, cBlas);
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) ratio[r] = gflops[0][r] / gflops[1][r];
            double lanesG = median(gflops[0]), blasG = median(gflops[1]), med = median(ratio);
            double lo = Arrays.stream(ratio).min().orElseThrow(), hi = Arrays.stream(ratio).max().orElseThrow();
            if (json) {
                System.out.printf(Locale.ROOT, "{\"tool\": \"gemm-vs-blas\", \"trans\": \"%s%s\", \"m\": %d, \"k\": %d, \"n\": %d, "
                                + "\"threads\": %d, \"rounds\": %d, \"gemm_tile\": \"%s\", \"lanes_gflops\": %.2f, \"blas_gflops\": %.2f, "
                                + "\"ratio\": %.4f, \"ratio_min\": %.4f, \"ratio_max\": %.4f, \"blas_library\": \"%s\", \"blas_core\": \"%s\"}%n",
                        s.transA ? "T" : "N", s.transB ? "T" : "N", s.m, s.k, s.n, threads, rounds, lanes.gemmTile(),
                        lanesG, blasG, med, lo, hi, library, blas.core);
            } else {
                System.out.printf(Locale.ROOT, "%-22s Lanes %6.1f  BLAS %6.1f GFLOP/s  Lanes/BLAS %.3f (rounds %.2f–%.2f)%n",
                        s.label(), lanesG, blasG, med, lo, hi);
            }
        }
    }

    private static void checkAgree(Shape s, Matrix x, Matrix y) {
        double maxAbs = 0, maxDiff = 0;
        for (int i = 0; i < s.m; i++) {
            for (int j = 0; j < s.n; j++) {
                maxAbs = Math.max(maxAbs, Math.abs(y.get(i, j)));
                maxDiff = Math.max(maxDiff, Math.abs(x.get(i, j) - y.get(i, j)));
            }
        }
        if (!(maxDiff <= 1e-4 * Math.max(maxAbs, 1e-30))) {
            System.err.printf(Locale.ROOT, "gemm-vs-blas: %s: Lanes and the BLAS disagree: largest difference %.3g, largest |C| %.3g%n",
                    s.label(), maxDiff, maxAbs);
            System.exit(1);
        }
    }

    private static Blas load(Path path, int threads) {
        SymbolLookup lib = SymbolLookup.libraryLookup(path, Arena.global());
        Linker linker = Linker.nativeLinker();
        // numpy's wheels ship scipy-openblas: prefixed, ILP64 symbols; a system OpenBLAS has plain LP64 ones.
        String[] names = {"scipy_cblas_sgemm64_", "cblas_sgemm64_", "cblas_sgemm"};
        for (String name : names) {
            Optional<MemorySegment> symbol = lib.find(name);
            if (symbol.isEmpty()) continue;
            boolean ilp64 = name.endsWith("64_");
            ValueLayout integer = ilp64 ? ValueLayout.JAVA_LONG : ValueLayout.JAVA_INT;
            FunctionDescriptor sig = FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    integer, integer, integer, ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, integer,
                    ValueLayout.ADDRESS, integer, ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, integer);
            MethodHandle sgemm = linker.downcallHandle(symbol.get(), sig);
            setThreads(lib, linker, threads);
            return new Blas(sgemm, ilp64, name, coreName(lib, linker));
        }
        usage(path + " has no CBLAS sgemm (looked for " + String.join(", ", names) + ")");
        throw new AssertionError();
    }

    /** OpenBLAS also reads OPENBLAS_NUM_THREADS when it loads; setting it here makes --threads hold either way. */
    private static void setThreads(SymbolLookup lib, Linker linker, int threads) {
        for (String name : new String[] {"scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads"}) {
            Optional<MemorySegment> symbol = lib.find(name);
            if (symbol.isPresent()) {
                try {
                    linker.downcallHandle(symbol.get(), FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT)).invokeExact(threads);
                } catch (Throwable t) {
                    throw new IllegalStateException("calling " + name + " failed", t);
                }
                return;
            }
        }
    }

    private static String coreName(SymbolLookup lib, Linker linker) {
        for (String name : new String[] {"scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename"}) {
            Optional<MemorySegment> symbol = lib.find(name);
            if (symbol.isPresent()) {
                try {
                    MemorySegment s = (MemorySegment) linker.downcallHandle(symbol.get(), FunctionDescriptor.of(ValueLayout.ADDRESS)).invokeExact();
                    return s.reinterpret(256).getString(0);
                } catch (Throwable t) {
                    return "?";
                }
            }
        }
        return "?";
    }

    private static List<Shape> parseShapes(String text) {
        List<Shape> out = new ArrayList<>();
        for (String item : text.split(",")) {
            String[] p = item.trim().toUpperCase(Locale.ROOT).split("X");
            String trans = p.length == 4 ? p[0] : "NN";
            int first = p.length == 4 ? 1 : 0;
            if ((p.length != 3 && p.length != 4) || !trans.matches("[NT][NT]")) {
                usage("a shape is [NN|NT|TN|TT]xMxKxN, got '" + item + "'");
            }
            try {
                int m = Integer.parseInt(p[first]), k = Integer.parseInt(p[first + 1]), n = Integer.parseInt(p[first + 2]);
                if (m < 1 || k < 1 || n < 1) usage("shape sizes must be positive, got '" + item + "'");
                out.add(new Shape(trans.charAt(0) == 'T', trans.charAt(1) == 'T', m, k, n));
            } catch (NumberFormatException e) {
                usage("a shape is [NN|NT|TN|TT]xMxKxN, got '" + item + "'");
            }
        }
        return out;
    }

    private static float[] uniform(Random random, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) v[i] = random.nextFloat() - 0.5f;
        return v;
    }

    private static double median(double[] x) {
        double[] y = x.clone();
        Arrays.sort(y);
        int n = y.length;
        return n % 2 == 1 ? y[n / 2] : (y[n / 2 - 1] + y[n / 2]) / 2;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) usage(args[i - 1] + " needs a value");
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("gemm-vs-blas: " + problem);
        System.err.println("usage: GemmVsBlas --blas LIBRARY [--shapes [NN|NT|TN|TT]xMxKxN,...] [--threads T] [--rounds R] [--slice SECONDS] [--pause SECONDS] [--json]");
        System.exit(2);
    }
}
