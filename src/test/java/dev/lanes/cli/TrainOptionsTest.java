package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.optim.AdamW;
import dev.lanes.optim.Optimizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Options of {@code lanes train} that reach the optimizer. */
class TrainOptionsTest {
    @Test
    void onOffFlagsTakeTrueOrFalse() {
        assertFalse(TrainCommand.Config.parse("train", List.of("--batch-norm=false")).batchNorm());
        assertTrue(TrainCommand.Config.parse("train", List.of("--batch-norm=true")).batchNorm());
        assertTrue(TrainCommand.Config.parse("train", List.of("--batch-norm")).batchNorm());
        assertFalse(TrainCommand.Config.parse("train", List.of()).batchNorm());
    }

    @Test
    void theValidationFractionIsTheDecimalTyped() {
        // Not 0.10000000149011612: it is shown back to the user and decides how many rows are held out.
        assertEquals(0.1, TrainCommand.Config.parse("train", List.of()).validationSplit());
        assertEquals(0.25, TrainCommand.Config.parse("train", List.of("--validation-split", "0.25")).validationSplit());
    }

    @Test
    void helpAnywherePrintsTheUsage() {
        CliRun run = CliRun.of("train", "--help");
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().contains("--weight-decay") && run.out().contains("bench train"), run.out());
    }

    @Test
    void earlyStoppingSaysWhenItStoppedAndWhichEpochItRestored() {
        CliRun run = CliRun.of("train", "--dataset", "optdigits", "--layers", "8", "--epochs", "60", "--early-stopping",
                "1", "--lr", "0.05", "--threads", "1");
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().matches("(?s).*optdigits: \\d+ training rows \\(\\d+ of them held out for validation\\).*"),
                run.out());
        assertTrue(run.out().matches("(?s).*early stopping: val_loss has not improved for 1 epochs; stopped after epoch "
                + "\\d+ and restored the weights of epoch \\d+.*"), run.out());
    }

    @Test
    void aModelLargerThanMemoryIsOneLineNotAStackTrace() throws Exception {
        // Where the kernel promises any amount of memory (overcommit mode 1), the allocation would
        // succeed and zeroing it would bring in the OOM killer instead of an error.
        Path overcommit = Path.of("/proc/sys/vm/overcommit_memory");
        assumeTrue(!Files.exists(overcommit) || !Files.readString(overcommit).trim().equals("1"), "overcommit always");
        // 2e9 units × 784 inputs × 4 B is terabytes: the off-heap allocation fails at once.
        CliRun run = CliRun.of("train", "--dataset", "optdigits", "--layers", "2000000000", "--threads", "1", "--quiet");
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().startsWith("lanes: out of memory") && run.err().strip().lines().count() == 1, run.toString());
    }

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
