package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.io.Json;
import dev.lanes.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three epochs straight against two epochs, then {@code --resume} for the third: the weights and the
 * optimizer state must match bit for bit. Dropout (keyed by the step), a decaying learning rate
 * (keyed by the epoch) and Adam (its moments and step count) each break this if not restored.
 */
class ResumeCliTest {
    @TempDir Path dir;

    private CliRun train(Path checkpoints, int epochs, Path json, String... extra) {
        List<String> argv = new java.util.ArrayList<>(List.of("train", "--dataset", "optdigits", "--layers", "24",
                "--dropout", "0.2", "--schedule", "exponential:0.8", "--lr", "0.005", "--batch", "64", "--threads", "1",
                "--seed", "3", "--quiet", "--epochs", Integer.toString(epochs), "--checkpoint", checkpoints.toString(),
                "--json", json.toString()));
        argv.addAll(List.of(extra));
        return CliRun.of(argv.toArray(String[]::new));
    }

    @Test
    void resumingAfterTwoEpochsEndsWithTheWeightsOfThreeEpochsStraight() throws Exception {
        Path straight = dir.resolve("straight"), resumed = dir.resolve("resumed");
        CliRun a = train(straight, 3, dir.resolve("a.json"));
        assertEquals(0, a.status(), a::toString);
        CliRun b1 = train(resumed, 2, dir.resolve("b1.json"));
        assertEquals(0, b1.status(), b1::toString);
        CliRun b2 = train(resumed, 3, dir.resolve("b2.json"), "--resume");
        assertEquals(0, b2.status(), b2::toString);

        // Only the newest two checkpoints are kept.
        try (var files = Files.list(straight)) {
            assertEquals(List.of("epoch-0002.lanes", "epoch-0003.lanes"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Map<String, SafeTensors.Tensor> expected = SafeTensors.read(straight.resolve("epoch-0003.lanes")).tensors();
        Map<String, SafeTensors.Tensor> actual = SafeTensors.read(resumed.resolve("epoch-0003.lanes")).tensors();
        assertEquals(expected.keySet(), actual.keySet());
        assertTrue(expected.keySet().stream().anyMatch(k -> k.startsWith("optimizer/")), expected.keySet()::toString);
        for (String name : expected.keySet()) {
            float[] e = expected.get(name).data(), r = actual.get(name).data();
            assertEquals(e.length, r.length, name);
            for (int i = 0; i < e.length; i++) {
                assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(r[i]), name + "[" + i + "]");
            }
        }

        // The resumed run reports all three epochs, the first two from the checkpoint, and the same test result.
        Map<?, ?> straightJson = (Map<?, ?>) Json.parse(Files.readString(dir.resolve("a.json")));
        Map<?, ?> resumedJson = (Map<?, ?>) Json.parse(Files.readString(dir.resolve("b2.json")));
        List<?> straightEpochs = (List<?>) straightJson.get("epochs"), resumedEpochs = (List<?>) resumedJson.get("epochs");
        assertEquals(3, resumedEpochs.size());
        for (int e = 0; e < 3; e++) {
            assertEquals(((Map<?, ?>) straightEpochs.get(e)).get("loss"), ((Map<?, ?>) resumedEpochs.get(e)).get("loss"));
        }
        assertEquals(straightJson.get("test"), resumedJson.get("test"));
    }

    @Test
    void aResumedRunLowersTheRateOnAPlateauAsTheUninterruptedRunDid() throws Exception {
        // Steps too small to improve val_loss by min_delta: the plateau rule halves the rate after every epoch.
        String[] plateau = {"--reduce-lr", "1:0.5", "--optimizer", "sgd", "--lr", "0.000001"};
        Path straight = dir.resolve("straight"), resumed = dir.resolve("resumed");
        assertEquals(0, train(straight, 4, dir.resolve("a.json"), plateau).status());
        assertEquals(0, train(resumed, 2, dir.resolve("b1.json"), plateau).status());
        String[] again = java.util.stream.Stream.concat(java.util.Arrays.stream(plateau), java.util.stream.Stream.of("--resume"))
                .toArray(String[]::new);
        CliRun b2 = train(resumed, 4, dir.resolve("b2.json"), again);
        assertEquals(0, b2.status(), b2::toString);
        List<Object> straightRates = rates(dir.resolve("a.json")), resumedRates = rates(dir.resolve("b2.json"));
        assertEquals(straightRates, resumedRates);
        // Below the schedule's own decay (x0.8 an epoch): the rule did act.
        assertTrue(((Number) straightRates.get(3)).doubleValue() < 0.5 * 0.8 * ((Number) straightRates.get(2)).doubleValue()
                + 1e-12, straightRates::toString);
        Map<String, SafeTensors.Tensor> expected = SafeTensors.read(straight.resolve("epoch-0004.lanes")).tensors();
        Map<String, SafeTensors.Tensor> actual = SafeTensors.read(resumed.resolve("epoch-0004.lanes")).tensors();
        for (String name : expected.keySet()) {
            assertTrue(java.util.Arrays.equals(expected.get(name).data(), actual.get(name).data()), name);
        }
        CliRun other = train(resumed, 5, dir.resolve("c.json"), "--resume", "--optimizer", "sgd", "--lr", "0.000001",
                "--reduce-lr", "2");
        assertEquals(2, other.status(), other::toString);
        assertTrue(other.err().contains("--reduce-lr 1:0.5") && other.err().contains("2:0.1"), other::toString);
    }

    private static List<Object> rates(Path json) throws Exception {
        List<?> epochs = (List<?>) ((Map<?, ?>) Json.parse(Files.readString(json))).get("epochs");
        return epochs.stream().map(e -> ((Map<?, ?>) e).get("lr")).map(Object.class::cast).toList();
    }

    @Test
    void aDamagedLatestCheckpointFallsBackToThePreviousOneWithAWarning() throws Exception {
        Path straight = dir.resolve("straight"), damaged = dir.resolve("damaged");
        assertEquals(0, train(straight, 3, dir.resolve("a.json")).status());
        assertEquals(0, train(damaged, 2, dir.resolve("b1.json")).status());
        Path latest = damaged.resolve("epoch-0002.lanes");
        byte[] whole = Files.readAllBytes(latest);
        Files.write(latest, java.util.Arrays.copyOf(whole, whole.length / 2));
        CliRun b2 = train(damaged, 3, dir.resolve("b2.json"), "--resume");
        assertEquals(0, b2.status(), b2::toString);
        assertTrue(b2.err().contains("warning") && b2.err().contains("epoch-0002.lanes")
                && b2.err().contains("resuming from") && b2.err().contains("epoch-0001.lanes"), b2::toString);
        // Epochs 2 and 3 redone from epoch 1's state: the same weights as three epochs straight.
        Map<String, SafeTensors.Tensor> expected = SafeTensors.read(straight.resolve("epoch-0003.lanes")).tensors();
        Map<String, SafeTensors.Tensor> actual = SafeTensors.read(damaged.resolve("epoch-0003.lanes")).tensors();
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name).data(), actual.get(name).data(), name);
        }
    }

    @Test
    void resumeRefusesACheckpointOfADifferentArchitecture() {
        Path checkpoints = dir.resolve("ck");
        assertEquals(0, train(checkpoints, 1, dir.resolve("x.json")).status());
        CliRun wrong = CliRun.of("train", "--dataset", "optdigits", "--layers", "25", "--dropout", "0.2", "--threads", "1",
                "--quiet", "--epochs", "2", "--checkpoint", checkpoints.toString(), "--resume");
        assertEquals(2, wrong.status(), wrong::toString);
        assertTrue(wrong.err().contains("different architecture"), wrong::toString);
        assertEquals(1, wrong.err().lines().count(), wrong::toString);

        CliRun otherBatch = train(checkpoints, 2, dir.resolve("y.json"), "--resume", "--batch", "32");
        assertEquals(2, otherBatch.status(), otherBatch::toString);
        assertTrue(otherBatch.err().contains("--batch 64"), otherBatch::toString);
    }

    @Test
    void aNewRunRefusesAFolderHoldingAnotherRunsCheckpoints() throws Exception {
        Path checkpoints = dir.resolve("ck");
        assertEquals(0, train(checkpoints, 2, dir.resolve("x.json")).status());
        byte[] before = Files.readAllBytes(checkpoints.resolve("epoch-0002.lanes"));
        // Without the check, this run's epoch 1 was written, then pruned as older than the first run's
        // epochs 1 and 2, and a later --resume continued the first run.
        CliRun again = train(checkpoints, 1, dir.resolve("y.json"), "--l2", "0.01");
        assertEquals(2, again.status(), again::toString);
        assertTrue(again.err().contains("already holds checkpoints") && again.err().contains("epoch-0002.lanes")
                && again.err().contains("--resume"), again::toString);
        try (var files = Files.list(checkpoints)) {
            assertEquals(List.of("epoch-0001.lanes", "epoch-0002.lanes"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertArrayEquals(before, Files.readAllBytes(checkpoints.resolve("epoch-0002.lanes")));
    }

    @Test
    void resumeRefusesAnotherRegularizationOrOptimizer() {
        Path checkpoints = dir.resolve("ck");
        assertEquals(0, train(checkpoints, 1, dir.resolve("x.json")).status());
        CliRun l2 = train(checkpoints, 2, dir.resolve("y.json"), "--resume", "--l2", "0.5");
        assertEquals(2, l2.status(), l2::toString);
        assertTrue(l2.err().contains("--l2 0.0") && l2.err().contains("0.5"), l2::toString);
        CliRun sgd = train(checkpoints, 2, dir.resolve("z.json"), "--resume", "--optimizer", "sgd");
        assertEquals(2, sgd.status(), sgd::toString);
        assertTrue(sgd.err().contains("trained with Adam") && sgd.err().contains("uses SGD"), sgd::toString);
    }

    @Test
    void resumeRefusesAnotherLearningRateOrScheduleNamingBoth() {
        Path checkpoints = dir.resolve("lr");
        assertEquals(0, train(checkpoints, 1, dir.resolve("x.json")).status());
        CliRun lower = train(checkpoints, 2, dir.resolve("y.json"), "--resume", "--lr", "0.001");
        assertEquals(2, lower.status(), lower::toString);
        assertTrue(lower.err().contains("exponential(0.005, rate=0.8)") && lower.err().contains("exponential(0.001, rate=0.8)"),
                lower::toString);
        CliRun constant = train(checkpoints, 2, dir.resolve("z.json"), "--resume", "--schedule", "constant");
        assertEquals(2, constant.status(), constant::toString);
        assertTrue(constant.err().contains("constant(0.005)"), constant::toString);
    }

    @Test
    void resumeRefusesAnotherLoss() {
        Path checkpoints = dir.resolve("ilpd");
        String[] common = {"train", "--dataset", "ilpd", "--layers", "8", "--threads", "1", "--quiet", "--checkpoint", checkpoints.toString()};
        CliRun first = CliRun.of(concat(common, "--epochs", "1"));
        assertEquals(0, first.status(), first::toString);
        CliRun mse = CliRun.of(concat(common, "--epochs", "2", "--loss", "mse", "--resume"));
        assertEquals(2, mse.status(), mse::toString);
        assertTrue(mse.err().contains("--loss binary_crossentropy") && mse.err().contains("mean_squared_error"), mse::toString);
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
