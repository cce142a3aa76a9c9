package dev.lanes.cli;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.optim.Optimizer;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.FitOptions;
import dev.lanes.train.Trainer;
import java.util.SplittableRandom;

/**
 * One epoch of Adam training of an MLP on synthetic data shaped like {@code lanes bench train}'s
 * (inputs uniform in [0,1), 10 random classes, fixed seed), as a repeatable {@link BackendWork.Workload}:
 * every {@link #run} is one more epoch on the same model, data and shuffle seed.
 */
final class TrainingEpoch implements BackendWork.Workload {
    static final int FEATURES = 784, CLASSES = 10;
    static final int[] SMALL_HIDDEN = {128};
    static final int SMALL_BATCH = 128, SMALL_SAMPLES = 2048;
    static final String NAME = "train epoch " + network(SMALL_HIDDEN) + " batch " + SMALL_BATCH + ", "
            + SMALL_SAMPLES + " samples";

    private final Matrix x;
    private final Matrix y;
    private final Sequential model;
    private final Optimizer optimizer;
    private final Trainer trainer;
    private final FitOptions options;

    /** The small MLP of compare-backends: 784-128-10, batch 128, 2048 samples. */
    TrainingEpoch(Kernels kernels) {
        this(kernels, SMALL_HIDDEN, SMALL_BATCH, SMALL_SAMPLES);
    }

    TrainingEpoch(Kernels kernels, int[] hidden, int batch, int samples) {
        x = Matrix.allocate(samples, FEATURES);
        y = Matrix.allocate(samples, 1);
        SplittableRandom rnd = new SplittableRandom(1);
        float[] xs = new float[samples * FEATURES];
        float[] ys = new float[samples];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) rnd.nextDouble();
        for (int i = 0; i < samples; i++) ys[i] = rnd.nextInt(CLASSES);
        x.copyFrom(xs);
        y.copyFrom(ys);
        Sequential.Builder b = Sequential.builder(FEATURES).kernels(kernels).seed(1);
        for (int h : hidden) b.add(new Dense(h, Activation.relu()));
        b.add(new Dense(CLASSES, Activation.softmax()));
        model = b.build();
        optimizer = new Adam(1e-3f);
        trainer = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), optimizer);
        options = FitOptions.builder().epochs(1).batchSize(batch).seed(1).verbose(false).build();
    }

    static String network(int[] hidden) {
        StringBuilder sb = new StringBuilder().append(FEATURES);
        for (int h : hidden) sb.append('-').append(h);
        return sb.append('-').append(CLASSES).toString();
    }

    @Override
    public void run() {
        trainer.fit(x, y, options);
    }

    @Override
    public void close() {
        trainer.close();
        optimizer.close();
        model.close();
        x.close();
        y.close();
    }
}
