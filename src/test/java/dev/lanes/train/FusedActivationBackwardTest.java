package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lanes.kernel.KernelProvider;
import dev.lanes.kernel.Kernels;
import dev.lanes.kernel.ProfilingKernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.ActivationLayer;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Parameter;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.tensor.Matrix;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A Dense layer's activation derivative is applied by the layer above, in the epilogue of the
 * product that computes its input gradient. Training with that must give exactly the bits of
 * training without it: the same network built as linear Dense layers each followed by an
 * {@link ActivationLayer} (which keeps its derivative to itself) must end with the same weights,
 * for every activation, on both backends, at 1 and 2 threads, including a shorter last batch; and
 * the fused network must never run the activation kernels on their own.
 */
class FusedActivationBackwardTest {
    private static final Activation[] HIDDEN = {
        Activation.relu(), Activation.tanh(), Activation.leakyRelu(0.1f), Activation.sigmoid(), Activation.relu(),
    };
    /** Wide enough at the start that the input-gradient products there are shared out at 2 threads. */
    private static final int[] WIDTHS = {160, 97, 16, 9, 48};

    private static Sequential fused(Kernels kernels) {
        Sequential.Builder b = Sequential.builder(20).kernels(kernels).seed(7);
        for (int i = 0; i < HIDDEN.length; i++) b.add(new Dense(WIDTHS[i], HIDDEN[i]));
        return b.add(new Dense(5, Activation.softmax())).build();
    }

    private static Sequential unfused(Kernels kernels) {
        Sequential.Builder b = Sequential.builder(20).kernels(kernels).seed(7);
        for (int i = 0; i < HIDDEN.length; i++) {
            b.add(new Dense(WIDTHS[i], Activation.linear())).add(new ActivationLayer(HIDDEN[i]));
        }
        return b.add(new Dense(5, Activation.softmax())).build();
    }

    @Test
    void trainsToTheSameBitsAsActivationLayersThatKeepTheirDerivative() {
        SplittableRandom rnd = new SplittableRandom(3);
        int rows = 150;
        Matrix x = Matrix.allocate(rows, 20), y = Matrix.allocate(rows, 1);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < 20; c++) x.set(r, c, (float) rnd.nextGaussian());
            y.set(r, 0, rnd.nextInt(5));
        }
        for (String backend : new String[] {"simd", "loop"}) {
            if (backend.equals("simd") && KernelProvider.simdUnavailableReason() != null) continue;
            for (int threads : new int[] {1, 2}) {
                try (ProfilingKernels kernels = new ProfilingKernels(Kernels.create(backend, threads));
                     Sequential a = fused(kernels); Sequential b = unfused(kernels)) {
                    b.setWeights(a.getWeights());
                    try (Trainer ta = new Trainer(a, Loss.sparseCategoricalCrossEntropy(), new Adam(1e-2f));
                         Trainer tb = new Trainer(b, Loss.sparseCategoricalCrossEntropy(), new Adam(1e-2f))) {
                        // 150 rows in batches of 64: two full batches and a shorter one, every epoch.
                        FitOptions options = FitOptions.builder().epochs(3).batchSize(64).seed(11).verbose(false).build();
                        kernels.reset();
                        History ha = ta.fit(x, y, options);
                        assertEquals(0, kernels.calls(ProfilingKernels.Group.ACTIVATION),
                                backend + " " + threads + "T: the fused network ran an activation kernel");
                        History hb = tb.fit(x, y, options);
                        assertTrue(kernels.calls(ProfilingKernels.Group.ACTIVATION) > 0, "the unfused network must run them");
                        assertEquals(hb.last("loss"), ha.last("loss"), backend + " " + threads + "T loss");
                    }
                    List<float[]> wa = a.getWeights(), wb = b.getWeights();
                    List<Parameter> names = a.parameters();
                    for (int i = 0; i < wa.size(); i++) {
                        float[] p = wa.get(i), q = wb.get(i);
                        for (int j = 0; j < p.length; j++) {
                            if (Float.floatToIntBits(p[j]) != Float.floatToIntBits(q[j])) {
                                fail(backend + " " + threads + "T: " + names.get(i).name() + "[" + j + "] is " + p[j]
                                        + " fused, " + q[j] + " with activation layers");
                            }
                        }
                    }
                }
            }
        }
    }
}
