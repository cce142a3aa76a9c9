package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.optim.AdamW;
import dev.lanes.optim.Optimizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Options of {@code lanes train} that reach the optimizer. */
class TrainOptionsTest {
    @Test
    void adamwTakesTheLibrarysDefaultDecayOrTheGivenOne() {
        try (Optimizer byDefault = TrainCommand.optimizer(TrainCommand.Config.parse("train", List.of("--optimizer", "adamw")));
             Optimizer given = TrainCommand.optimizer(TrainCommand.Config.parse("train",
                     List.of("--optimizer", "adamw", "--weight-decay", "0.02")))) {
            // The same default as new AdamW(lr) and Optimizer.named("adamw"): the CLI used PyTorch's 0.01.
            assertEquals(AdamW.DEFAULT_WEIGHT_DECAY, ((AdamW) byDefault).weightDecay());
            assertEquals(0.02f, ((AdamW) given).weightDecay());
        }
    }
}
