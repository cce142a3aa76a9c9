package dev.lanes.reliability;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.data.MiniBatches;
import dev.lanes.nn.Activation;
import dev.lanes.nn.BatchNorm;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Regularizer;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adagrad;
import dev.lanes.optim.Adam;
import dev.lanes.optim.AdamW;
import dev.lanes.optim.LearningRateSchedule;
import dev.lanes.optim.RmsProp;
import dev.lanes.optim.Sgd;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.FitOptions;
import dev.lanes.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Public entry points refuse bad input up front, naming what is wrong and what is allowed. */
class ValidationTest {
    private static final float NAN = Float.NaN, INF = Float.POSITIVE_INFINITY;

    @Test
    void outOfRangeHyperparametersAreRefusedAtConstructionNamingParameterAndRange() {
        for (float lr : new float[] {0f, -1e-3f, NAN, INF}) {
            refused(() -> new Sgd(lr), "learning rate must be finite and > 0, got " + lr);
            refused(() -> new Adam(lr), "learning rate must be finite and > 0");
        }
        refused(() -> new Sgd(0.1f).setLearningRate(0f), "learning rate must be finite and > 0, got 0.0");
        for (float rate : new float[] {-0.1f, 1f, 1.5f, NAN}) {
            refused(() -> new Dropout(rate), "dropout rate must be in [0, 1), got " + rate);
        }
        LearningRateSchedule lr = LearningRateSchedule.constant(1e-3f);
        for (float beta : new float[] {-0.1f, 1f, NAN}) {
            refused(() -> new Adam(lr, beta, 0.999f, 1e-7f), "Adam beta1 must be in [0, 1), got " + beta);
            refused(() -> new Adam(lr, 0.9f, beta, 1e-7f), "Adam beta2 must be in [0, 1), got " + beta);
            refused(() -> new Sgd(lr, beta, false), "SGD momentum must be in [0, 1), got " + beta);
            refused(() -> new BatchNorm(beta, 1e-3f), "batch-norm momentum must be in [0, 1), got " + beta);
        }
        for (float eps : new float[] {0f, -1e-7f, NAN, INF}) {
            refused(() -> new Adam(lr, 0.9f, 0.999f, eps), "Adam epsilon must be finite and > 0, got " + eps);
            refused(() -> new RmsProp(lr, 0.9f, eps), "RMSProp epsilon must be finite and > 0, got " + eps);
            refused(() -> new Adagrad(lr, eps), "Adagrad epsilon must be finite and > 0, got " + eps);
            refused(() -> new BatchNorm(0.99f, eps), "batch-norm epsilon must be finite and > 0, got " + eps);
        }
        refused(() -> new RmsProp(lr, 1f, 1e-7f), "RMSProp rho must be in (0, 1), got 1.0");
        refused(() -> new AdamW(1e-3f, -1f), "weight decay must be finite and >= 0, got -1.0");
        refused(() -> new Sgd(0.1f).clipNorm(-1f), "clipNorm must be >= 0, got -1.0");
        refused(() -> new Sgd(0.1f).clipValue(NAN), "clipValue must be >= 0, got NaN");
        refused(() -> Regularizer.l2(-1f), "regularization strengths must be finite and >= 0");
        refused(() -> Loss.huber(0f), "Huber delta must be finite and > 0, got 0.0");
        refused(() -> new Dense(0), "Dense needs at least 1 unit, got 0");
        refused(() -> FitOptions.quiet(1, 0), "batch size must be >= 1, got 0");
        refused(() -> FitOptions.quiet(0, 8), "epochs must be >= 1, got 0");
        refused(() -> FitOptions.builder().validationSplit(1.0).build(), "validation split must be in [0, 1), got 1.0");
        refused(() -> new MiniBatches(null, 0, false, 1, false), "batch size must be >= 1, got 0");
    }

    @Test
    void shapeMismatchesNameBothShapesAndTheLayer() {
        try (Sequential model = Sequential.builder(4).add(new Dense(8, Activation.relu()))
                     .add(new Dense(3, Activation.softmax())).build();
             Trainer trainer = new Trainer(model, Loss.categoricalCrossEntropy(), new Adam(0.01f));
             Matrix x5 = Matrix.allocate(6, 5); Matrix x4 = Matrix.allocate(6, 4);
             Matrix y2 = Matrix.allocate(6, 2); Matrix out = Matrix.allocate(6, 2)) {
            refused(() -> trainer.trainBatch(x5, y2), "the model (first layer dense Dense) expects 4 input columns, got a 6x5 matrix");
            refused(() -> trainer.trainBatch(x4, y2), "needs 6x3 targets for the output layer dense_1 Dense (3 units), got 6x2");
            refused(() -> model.predict(x5), "the model expects 4 input columns, got a 6x5 matrix");
            refused(() -> model.forward(x5, false, 0), "the model (first layer dense Dense) expects 4 input columns, got a 6x5");
            refused(() -> model.predict(x4, out), "predict needs a 6x3 output matrix for a 6x4 input, got 6x2");
            refused(() -> model.layer(1).setWeights(new float[8 * 3], new float[2]),
                    "dense_1/bias has shape 1x3 (3 values), got an array of 2");
        }
    }

    @Test
    void labelsOutsideTheClassRangeAreReportedWithTheirRow() {
        try (Sequential model = Sequential.builder(2).add(new Dense(3, Activation.softmax())).build();
             Trainer trainer = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), new Adam(0.01f));
             Matrix x = Matrix.allocate(5, 2); Matrix y = Matrix.of(5, 1, 0, 1, 2, 3, 1)) {
            String expected = "target row 3 holds class 3.0, expected a whole number in [0, 3)";
            refused(() -> trainer.trainBatch(x, y), expected);
            refused(() -> trainer.fit(x, y, FitOptions.quiet(1, 2)), expected);
            refused(() -> trainer.evaluate(x, y), expected);
            y.set(3, 0, -1f);
            refused(() -> trainer.trainBatch(x, y), "target row 3 holds class -1.0");
            y.set(3, 0, 1.5f);
            refused(() -> trainer.trainBatch(x, y), "target row 3 holds class 1.5");
        }
        try (Matrix f = Matrix.allocate(3, 2); Matrix labels = Matrix.of(3, 1, 0, 4, 1)) {
            refused(() -> dev.lanes.data.Dataset.classification(f, labels, java.util.List.of("a", "b"),
                    java.util.List.of("x", "y", "z")), "label 4.0 in row 1 is not a class id 0..2");
        }
    }

    private static void refused(Executable call, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
    }
}
