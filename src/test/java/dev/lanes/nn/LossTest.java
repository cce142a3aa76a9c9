package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import org.junit.jupiter.api.Test;

class LossTest {

    @Test
    void refusesCategoricalCrossEntropyOnOneSigmoidUnit() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Loss.categoricalCrossEntropy().checkOutput(Activation.sigmoid(), 1));
        assertTrue(e.getMessage().contains("softmax output layer with at least 2 units"), e.getMessage());
        assertTrue(e.getMessage().contains("binary_crossentropy"), e.getMessage());
    }

    @Test
    void refusesMismatchedOutputActivations() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Loss.binaryCrossEntropy().checkOutput(Activation.softmax(), 3));
        assertTrue(e.getMessage().contains("categorical_crossentropy"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Loss.sparseCategoricalCrossEntropy().checkOutput(Activation.linear(), 4));
        assertThrows(IllegalArgumentException.class,
                () -> Loss.binaryCrossEntropy().checkOutput(Activation.tanh(), 1));
        assertDoesNotThrow(() -> Loss.meanSquaredError().checkOutput(Activation.softmax(), 3));
        assertDoesNotThrow(() -> Loss.binaryCrossEntropy().checkOutput(Activation.sigmoid(), 5));
    }

    @Test
    void refusesTargetsOfTheWrongWidthOrRange() {
        try (Matrix oneHot = Matrix.allocate(4, 3); Matrix column = Matrix.of(4, 1, 0f, 1f, 2f, 3f)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Loss.categoricalCrossEntropy().checkTargets(column, 4, 3));
            assertTrue(e.getMessage().contains("needs targets with 3 columns, got 4x1"), e.getMessage());
            assertTrue(e.getMessage().contains("sparse_categorical_crossentropy"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Loss.sparseCategoricalCrossEntropy().checkTargets(oneHot, 4, 3));
            assertTrue(e.getMessage().contains("1 column"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Loss.sparseCategoricalCrossEntropy().checkTargets(column, 4, 3));
            assertTrue(e.getMessage().contains("row 3 holds class 3.0"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Loss.meanSquaredError().checkTargets(oneHot, 5, 3));
            assertTrue(e.getMessage().contains("4 rows but the inputs have 5"), e.getMessage());
        }
    }

    @Test
    void modelRefusesALossThatDoesNotFitItsOutput() {
        try (Kernels k = Kernels.create("loop", 1);
             Sequential model = Sequential.builder(4).kernels(k).add(new Dense(1, Activation.sigmoid())).build()) {
            assertThrows(IllegalArgumentException.class, () -> model.attachLoss(Loss.categoricalCrossEntropy()));
            model.attachLoss(Loss.binaryCrossEntropy());
            assertTrue(model.outputIsLogits());
            model.attachLoss(Loss.meanSquaredError());
            assertTrue(!model.outputIsLogits());
        }
    }

    @Test
    void parsesKerasNames() {
        assertEquals(Loss.huber(2f), Loss.parse("huber:2"));
        assertEquals(Loss.huber(1f), Loss.parse("Huber"));
        assertEquals(Loss.sparseCategoricalCrossEntropy(), Loss.parse("sparse_categorical_crossentropy"));
        assertEquals(Loss.meanAbsoluteError(), Loss.parse("mae"));
        assertThrows(IllegalArgumentException.class, () -> Loss.parse("hinge"));
        assertThrows(IllegalArgumentException.class, () -> Loss.huber(0f));
    }
}
