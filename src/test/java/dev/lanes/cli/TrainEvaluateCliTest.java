package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lanes train} for one short epoch, then the saved model through evaluate and summary. */
class TrainEvaluateCliTest {
    @TempDir Path dir;

    @Test
    void trainsOneEpochSavesAndEvaluatesTheSavedModelToTheSameTestReport() throws Exception {
        Path model = dir.resolve("optdigits.lanes"), trainJson = dir.resolve("train.json"), evalJson = dir.resolve("eval.json");
        CliRun train = CliRun.of("train", "--dataset", "optdigits", "--epochs", "1", "--layers", "32", "--lr", "0.01", "--batch", "32", "--threads", "1",
                "--save", model.toString(), "--json", trainJson.toString());
        assertEquals(0, train.status(), train::toString);
        assertTrue(train.out().contains("Epoch 1/1"), train::toString);
        assertTrue(train.out().contains("test: loss"), train::toString);
        assertTrue(train.out().contains("confusion matrix"), train::toString);
        Map<?, ?> trained = (Map<?, ?>) Json.parse(Files.readString(trainJson));
        assertEquals(1, ((List<?>) trained.get("epochs")).size());
        Map<?, ?> trainTest = (Map<?, ?>) trained.get("test");
        assertTrue((Double) trainTest.get("accuracy") > 0.8, "one epoch on optdigits should beat chance by far: " + trainTest);

        CliRun eval = CliRun.of("evaluate", "--model", model.toString(), "--threads", "1", "--json", evalJson.toString());
        assertEquals(0, eval.status(), eval::toString);
        assertTrue(eval.out().contains("weighted avg"), eval::toString);
        Map<?, ?> evalTest = (Map<?, ?>) ((Map<?, ?>) Json.parse(Files.readString(evalJson))).get("test");
        // Same weights, same preparation, same test rows, same thread count: the very same numbers.
        assertEquals(trainTest, evalTest);

        CliRun summary = CliRun.of("summary", "--model", model.toString());
        assertEquals(0, summary.status(), summary::toString);
        assertTrue(summary.out().contains("Total params: 2,410"), summary::toString); // 64·32+32 + 32·10+10
        assertTrue(summary.out().contains("divide by 16.0"), summary::toString);
        assertTrue(summary.out().contains("sparse"), summary::toString);
    }

    @Test
    void evaluatesAStandardizedRegressionModelWithItsSavedStatistics() throws Exception {
        Path model = dir.resolve("cal.lanes"), trainJson = dir.resolve("train.json"), evalJson = dir.resolve("eval.json");
        CliRun train = CliRun.of("train", "--dataset", "california", "--epochs", "1", "--layers", "16", "--threads", "1",
                "--seed", "7", "--quiet", "--save", model.toString(), "--json", trainJson.toString());
        assertEquals(0, train.status(), train::toString);
        CliRun eval = CliRun.of("evaluate", "--model", model.toString(), "--threads", "1", "--json", evalJson.toString());
        assertEquals(0, eval.status(), eval::toString);
        assertTrue(eval.out().contains("RMSE"), eval::toString);
        Map<?, ?> trainTest = (Map<?, ?>) ((Map<?, ?>) Json.parse(Files.readString(trainJson))).get("test");
        Map<?, ?> evalTest = (Map<?, ?>) ((Map<?, ?>) Json.parse(Files.readString(evalJson))).get("test");
        assertEquals(trainTest, evalTest);
    }

    /** --warmup then --schedule cosine: the epochs' rates in --json are torch's LinearLR then CosineAnnealingLR. */
    @Test
    void warmupThenCosineRatesReachTheJsonReport() throws Exception {
        Path json = dir.resolve("cosine.json");
        CliRun run = CliRun.of("train", "--dataset", "ilpd", "--epochs", "4", "--layers", "4", "--threads", "1", "--quiet",
                "--lr", "0.001", "--schedule", "cosine", "--warmup", "1", "--json", json.toString());
        assertEquals(0, run.status(), run::toString);
        List<?> epochs = (List<?>) ((Map<?, ?>) Json.parse(Files.readString(json))).get("epochs");
        // Warm-up epoch at half the rate, then cosine over the other 3: 1, (1 + cos(pi/3))/2, (1 + cos(2pi/3))/2.
        double[] expected = {0.0005, 0.001, 0.00075, 0.00025};
        assertEquals(expected.length, epochs.size(), run::toString);
        for (int e = 0; e < expected.length; e++) {
            assertEquals(expected[e], ((Number) ((Map<?, ?>) epochs.get(e)).get("lr")).doubleValue(), 1e-9, "epoch " + e);
        }
    }
}
