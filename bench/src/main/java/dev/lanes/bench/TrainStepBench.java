package dev.lanes.bench;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.optim.Optimizer;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.Trainer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * One full training step, {@link Trainer#trainBatch}: forward, softmax cross-entropy, backward and
 * the Adam update, for W1 = 784-256-128-10 at batch 128 (the network and data of
 * {@code lanes bench train}), by backend and thread count. Run with {@code -prof gc}: its
 * {@code gc.alloc.rate.norm} is the heap allocation per step, which must be ~0 B/op once warmed up.
 *
 * <pre>
 * bench/run TrainStepBench -p backend=simd -prof gc
 * bench/run TrainStepBench -p backend=loop -wi 2 -i 3 -prof gc     (the scalar loop takes ~0.1 s per step)
 * </pre>
 *
 * <p>Every call trains on the same batch: the step's cost does not depend on the values, and a
 * fixed batch keeps batch gathering (measured by {@code lanes bench train}) out of this figure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// As for GemmBench: Vector API code is orders of magnitude slower until C2 has compiled it, which
// takes seconds on a busy machine; a step starts ~50× slower than compiled, so it needs more warm-up
// iterations than GemmBench.
@Warmup(iterations = 15, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class TrainStepBench {
    static final int FEATURES = 784, CLASSES = 10, BATCH = 128;
    static final int[] HIDDEN = {256, 128};

    @Param({"simd", "loop"})
    public String backend;

    @Param({"1", "2"})
    public int threads;

    private Kernels kernels;
    private Sequential model;
    private Optimizer optimizer;
    private Trainer trainer;
    private Matrix x;
    private Matrix labels;

    @Setup(Level.Trial)
    public void setUp() {
        kernels = Kernels.create(backend, threads);
        Sequential.Builder b = Sequential.builder(FEATURES).kernels(kernels).seed(1);
        for (int h : HIDDEN) b.add(new Dense(h, Activation.relu()));
        b.add(new Dense(CLASSES, Activation.softmax()));
        model = b.build();
        optimizer = new Adam(1e-3f);
        trainer = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), optimizer);
        SplittableRandom random = new SplittableRandom(1);
        float[] xs = new float[BATCH * FEATURES];
        float[] ys = new float[BATCH];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) random.nextDouble();
        for (int i = 0; i < ys.length; i++) ys[i] = random.nextInt(CLASSES);
        x = Matrix.allocate(BATCH, FEATURES).copyFrom(xs);
        labels = Matrix.allocate(BATCH, 1).copyFrom(ys);
        trainer.reserve(BATCH);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        trainer.close();
        optimizer.close();
        model.close();
        kernels.close();
        x.close();
        labels.close();
    }

    /** Returns the batch loss so the step cannot be optimised away. */
    @Benchmark
    public float trainStep() {
        return trainer.trainBatch(x, labels);
    }
}
