package dev.lanes.bench;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
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
 * Every fused kernel, loop against simd. {@link Elementwise} runs the element-wise kernels at 4K,
 * 64K and 1M floats; {@link RowWise} the row- and column-wise ones at 128×10 (a classifier's
 * logits) and 256×1024 (a hidden layer). The primary score is calls per second; the secondary
 * {@code gbs} score is GB/s of compulsory traffic (every operand read or written once per call,
 * counted per kernel below), so a memory-bound kernel can be compared with the {@code copy} rows
 * measured in the same run: {@code copy} is {@link Kernels#copy} on the backend under test and
 * {@code segmentCopy} the JDK's {@link MemorySegment#copy} (backend-independent).
 *
 * <pre>
 * bench/run FusedKernelsBench -prof gc                       the whole matrix (long: ~25 min)
 * bench/run 'FusedKernelsBench.Elementwise' -p kernel=sigmoid -p size=65536
 * </pre>
 *
 * <p>Run with {@code -prof gc}: {@code gc.alloc.rate.norm} must be ~0 B/op for every simd kernel
 * (the Vector API boxes a vector that crosses a call C2 did not inline, so this is the check that
 * none does). Until C2 has compiled a kernel it runs boxed and allocates heavily; on a loaded
 * machine that took up to 7 s here, so if a measurement still shows kilobytes per op or a
 * warm-up that is still climbing, raise {@code -wi}.
 */
public class FusedKernelsBench {
    private FusedKernelsBench() {}

    /** One prepared kernel call; returns its scalar result (a loss or a sum), or 0. */
    @FunctionalInterface
    interface Call {
        double run();
    }

    /** Bytes of compulsory traffic per call, reported per second of measurement: GB/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Traffic {
        public double gbs;

        @Setup(Level.Iteration)
        public void reset() {
            gbs = 0;
        }
    }

    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    // C2 needs several seconds to compile the vector loops on a loaded 2-core machine (measured: 3 s
    // at 64K sigmoid, load 7), and until then the Vector API boxes every vector: warm up for 10 s.
    @Warmup(iterations = 10, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xmx2g"})
    public static class Elementwise {
        @Param({"copy", "segmentCopy", "fill", "scale", "axpy", "multiply", "clamp",
            "relu", "leakyRelu", "sigmoid", "tanh", "reluBackward", "sigmoidBackward", "tanhBackward",
            "mse", "mae", "huber", "bce", "sumOfSquares", "sumOfAbs",
            "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "dropout"})
        public String kernel;

        @Param({"4096", "65536", "1048576"})
        public int size;

        @Param({"simd", "loop"})
        public String backend;

        private Kernels k;
        private Matrix a;
        private Matrix b;
        private Matrix c;
        private Matrix d;
        private Call call;
        private double gbPerCall;
        private long step;

        @Setup(Level.Trial)
        public void setUp() {
            k = Kernels.create(backend, 1);
            a = random(1, size, -2, 2, 1);
            b = random(1, size, -2, 2, 2);
            c = random(1, size, 0, 0.1, 3);
            d = random(1, size, 0, 0.01, 4);
            int floatsMoved = prepare();
            gbPerCall = (double) floatsMoved * size * Float.BYTES / 1e9;
        }

        /** Sets {@link #call}; returns the floats moved per element. */
        private int prepare() {
            Matrix x = a, y = b, s = c, v = d;
            switch (kernel) {
                case "copy" -> call = () -> { k.copy(x, y); return 0; };
                case "segmentCopy" -> call = () -> {
                    MemorySegment.copy(x.segment(), 0, y.segment(), 0, (long) size * Float.BYTES);
                    return 0;
                };
                case "fill" -> { call = () -> { k.fill(y, 0.5f); return 0; }; return 1; }
                // −1 flips signs exactly: repeated calls neither drift nor reach denormals.
                case "scale" -> call = () -> { k.scale(-1f, y); return 0; };
                case "axpy" -> { call = () -> { k.axpy(1e-3f, x, y); return 0; }; return 3; }
                case "multiply" -> { call = () -> { k.multiply(x, y, s); return 0; }; return 3; }
                case "clamp" -> call = () -> { k.clamp(y, -1f, 1f); return 0; };
                case "relu" -> call = () -> { k.activate(Activation.RELU, 0f, x, y); return 0; };
                case "leakyRelu" -> call = () -> { k.activate(Activation.LEAKY_RELU, 0.01f, x, y); return 0; };
                case "sigmoid" -> call = () -> { k.activate(Activation.SIGMOID, 0f, x, y); return 0; };
                case "tanh" -> call = () -> { k.activate(Activation.TANH, 0f, x, y); return 0; };
                case "reluBackward" -> {
                    call = () -> { k.activationBackward(Activation.RELU, 0f, x, y, s); return 0; };
                    return 3;
                }
                case "sigmoidBackward" -> {
                    call = () -> { k.activationBackward(Activation.SIGMOID, 0f, x, y, s); return 0; };
                    return 3;
                }
                case "tanhBackward" -> {
                    call = () -> { k.activationBackward(Activation.TANH, 0f, x, y, s); return 0; };
                    return 3;
                }
                case "mse" -> { call = () -> k.meanSquaredError(x, y, s); return 3; }
                case "mae" -> { call = () -> k.meanAbsoluteError(x, y, s); return 3; }
                case "huber" -> { call = () -> k.huber(x, y, 1f, s); return 3; }
                case "bce" -> {
                    k.clamp(y, 0f, 1f);
                    call = () -> k.sigmoidBinaryCrossEntropy(x, y, s);
                    return 3;
                }
                case "sumOfSquares" -> { call = () -> k.sumOfSquares(x); return 1; }
                case "sumOfAbs" -> { call = () -> k.sumOfAbs(x); return 1; }
                case "sgd" -> { call = () -> { k.sgdUpdate(y, x, 1e-4f, 0f); return 0; }; return 3; }
                case "momentum" -> {
                    call = () -> { k.momentumUpdate(y, x, s, 1e-4f, 0.9f, false, 0f); return 0; };
                    return 5;
                }
                case "nesterov" -> {
                    call = () -> { k.momentumUpdate(y, x, s, 1e-4f, 0.9f, true, 0f); return 0; };
                    return 5;
                }
                case "adagrad" -> { call = () -> { k.adagradUpdate(y, x, s, 1e-4f, 1e-7f, 0f); return 0; }; return 5; }
                case "rmsprop" -> {
                    call = () -> { k.rmspropUpdate(y, x, s, 1e-4f, 0.9f, 1e-7f, 0f); return 0; };
                    return 5;
                }
                case "adam" -> {
                    call = () -> { k.adamUpdate(y, x, s, v, 1e-4f, 0.9f, 0.999f, 1e-8f, 10, 0f, 0f); return 0; };
                    return 7;
                }
                case "adamw" -> {
                    call = () -> { k.adamUpdate(y, x, s, v, 1e-4f, 0.9f, 0.999f, 1e-8f, 10, 0f, 0.01f); return 0; };
                    return 7;
                }
                case "dropout" -> {
                    call = () -> { k.dropoutForward(x, s, y, 0.8f, 42L, step++); return 0; };
                    return 3;
                }
                default -> throw new IllegalArgumentException("unknown kernel " + kernel);
            }
            return 2;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            k.close();
            a.close();
            b.close();
            c.close();
            d.close();
        }

        @Benchmark
        public double run(Traffic traffic) {
            traffic.gbs += gbPerCall;
            return call.run();
        }
    }

    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    // C2 needs several seconds to compile the vector loops on a loaded 2-core machine (measured: 3 s
    // at 64K sigmoid, load 7), and until then the Vector API boxes every vector: warm up for 10 s.
    @Warmup(iterations = 10, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xmx2g"})
    public static class RowWise {
        @Param({"copy", "softmax", "crossEntropy", "sparseCrossEntropy", "argmax", "columnSums",
            "batchNormTrain", "batchNormInference", "batchNormBackward"})
        public String kernel;

        /** rows x cols. */
        @Param({"128x10", "256x1024"})
        public String shape;

        @Param({"simd", "loop"})
        public String backend;

        private Kernels k;
        private Matrix x;
        private Matrix y;
        private Matrix out;
        private Matrix labels;
        private Matrix xhat;
        private Matrix[] rows;
        private int[] argmax;
        private Call call;
        private double gbPerCall;

        @Setup(Level.Trial)
        public void setUp() {
            String[] rc = shape.split("x");
            int m = Integer.parseInt(rc[0]), n = Integer.parseInt(rc[1]);
            k = Kernels.create(backend, 1);
            x = random(m, n, -4, 4, 5);
            y = Matrix.allocate(m, n);
            out = Matrix.allocate(m, n);
            labels = Matrix.allocate(m, 1);
            SplittableRandom rnd = new SplittableRandom(6);
            for (int r = 0; r < m; r++) {
                int label = rnd.nextInt(n);
                y.set(r, label, 1f);
                labels.set(r, 0, label);
            }
            argmax = new int[m];
            rows = new Matrix[7];
            rows[0] = random(1, n, 0.5, 1.5, 7);              // gamma
            rows[1] = random(1, n, -1, 1, 8);                 // beta
            rows[2] = Matrix.allocate(1, n);                  // running mean
            rows[3] = Matrix.allocate(1, n).fill(1f);         // running variance
            rows[4] = Matrix.allocate(1, n);                  // invStd
            rows[5] = Matrix.allocate(1, n);                  // dGamma / column sums
            rows[6] = Matrix.allocate(1, n);                  // dBeta
            xhat = Matrix.allocate(m, n);
            k.batchNormForwardTrain(x, rows[0], rows[1], rows[2], rows[3], 0.9f, 1e-5f, xhat, rows[4], out);
            int floatsMoved = prepare(xhat);
            gbPerCall = (double) floatsMoved * m * n * Float.BYTES / 1e9;
        }

        /** Sets {@link #call}; returns the m×n matrices' worth of floats moved. */
        private int prepare(Matrix xhat) {
            Matrix g = rows[0], b = rows[1], rm = rows[2], rv = rows[3], inv = rows[4], d1 = rows[5], d2 = rows[6];
            switch (kernel) {
                case "copy" -> call = () -> { k.copy(x, out); return 0; };
                case "softmax" -> call = () -> { k.softmaxRows(x, out); return 0; };
                case "crossEntropy" -> { call = () -> k.softmaxCrossEntropy(x, y, out); return 3; }
                case "sparseCrossEntropy" -> call = () -> k.sparseSoftmaxCrossEntropy(x, labels, out);
                case "argmax" -> { call = () -> { k.argmaxRows(x, argmax); return argmax[0]; }; return 1; }
                case "columnSums" -> { call = () -> { k.columnSums(x, 1f / x.rows(), d1); return 0; }; return 1; }
                case "batchNormTrain" -> {
                    call = () -> {
                        k.batchNormForwardTrain(x, g, b, rm, rv, 0.9f, 1e-5f, xhat, inv, out);
                        return 0;
                    };
                    return 3;
                }
                case "batchNormInference" -> call = () -> {
                    k.batchNormForwardInference(x, g, b, rm, rv, 1e-5f, out);
                    return 0;
                };
                case "batchNormBackward" -> {
                    call = () -> { k.batchNormBackward(x, xhat, g, inv, d1, d2, out); return 0; };
                    return 3;
                }
                default -> throw new IllegalArgumentException("unknown kernel " + kernel);
            }
            return 2;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            k.close();
            for (Matrix m : new Matrix[] {x, y, out, labels, xhat}) m.close();
            for (Matrix m : rows) m.close();
        }

        @Benchmark
        public double run(Traffic traffic) {
            traffic.gbs += gbPerCall;
            return call.run();
        }
    }

    static Matrix random(int rows, int cols, double lo, double hi, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextDouble(lo, hi);
        return Matrix.of(rows, cols, v);
    }
}
