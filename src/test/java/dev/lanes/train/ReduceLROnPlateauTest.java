package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Sgd;
import dev.lanes.tensor.Matrix;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReduceLROnPlateauTest {

    /**
     * The rate each epoch runs with, for a given sequence of monitored losses, against Keras's rule
     * worked by hand: patience 2, factor 0.5, cooldown 1, min_lr 0.02, starting at 0.1.
     */
    @Test
    void lowersTheRateAfterPatienceEpochsWithCooldownAndFloorAsKerasDoes() {
        double[] losses = {1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8};
        float[] expected = {0.1f, 0.1f, 0.1f, 0.1f, 0.05f, 0.05f, 0.05f, 0.05f, 0.025f, 0.025f, 0.025f, 0.02f, 0.02f, 0.02f};
        ReduceLROnPlateau cb = ReduceLROnPlateau.builder().monitor("loss").patience(2).factor(0.5f).cooldown(1)
                .minLr(0.02f).build();
        try (Kernels k = Kernels.create("loop", 1);
             Sequential net = Sequential.builder(2).kernels(k).seed(1).add(new Dense(1, Activation.sigmoid())).build();
             Trainer t = new Trainer(net, Loss.binaryCrossEntropy(), new Sgd(0.1f))) {
            cb.onTrainBegin(t, FitOptions.quiet(losses.length, 4));
            for (int e = 0; e < losses.length; e++) {
                t.optimizer().beginEpoch(e); // the schedule's rate, as fit sets it before the callbacks
                cb.onEpochBegin(e, t);
                assertEquals(expected[e], t.optimizer().learningRate(), 1e-7f, "epoch " + e);
                cb.onEpochEnd(e, new EpochLogs(e, Map.of("loss", losses[e]), 1, 1, t.optimizer().learningRate()), t);
            }
            assertEquals(3, cb.reductions());
        }
    }

    @Test
    void inAFitTheHistoryShowsTheLoweredRates() {
        // Labels that no weight can fit (the same input with both labels): the loss stops improving at once.
        try (Kernels k = Kernels.create("loop", 1);
             Matrix x = Matrix.of(4, 1, 1, 1, 1, 1); Matrix y = Matrix.of(4, 1, 0, 1, 0, 1);
             Sequential net = Sequential.builder(1).kernels(k).seed(1).add(new Dense(1, Activation.sigmoid())).build();
             Trainer t = new Trainer(net, Loss.binaryCrossEntropy(), new Sgd(0.01f))) {
            ReduceLROnPlateau cb = ReduceLROnPlateau.builder().monitor("loss").patience(1).factor(0.5f).minDelta(0.1).build();
            History h = t.fit(x, y, FitOptions.builder().epochs(4).batchSize(4).verbose(false).callbacks(cb).build());
            List<Double> rates = h.learningRates();
            assertEquals(0.01, rates.get(0), 1e-9);
            assertTrue(rates.get(3) < rates.get(0), rates.toString());
            assertTrue(cb.reductions() >= 2, rates.toString());
        }
    }

    @Test
    void badSettingsAndAMissingMonitorAreRefusedNamingThem() {
        assertThrows(IllegalArgumentException.class, () -> ReduceLROnPlateau.builder().factor(1f).build());
        assertThrows(IllegalArgumentException.class, () -> ReduceLROnPlateau.builder().minLr(-1f).build());
        try (Kernels k = Kernels.create("loop", 1);
             Sequential net = Sequential.builder(2).kernels(k).seed(1).add(new Dense(1, Activation.sigmoid())).build();
             Trainer t = new Trainer(net, Loss.binaryCrossEntropy(), new Sgd(0.1f))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ReduceLROnPlateau.builder().build().onTrainBegin(t, FitOptions.quiet(1, 4)));
            assertTrue(e.getMessage().contains("val_loss") && e.getMessage().contains("no validation"), e.getMessage());
        }
    }
}
