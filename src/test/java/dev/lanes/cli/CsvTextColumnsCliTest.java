package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A two-valued text column of a user's CSV is coded 0/1 for training and for predict; wider ones are refused. */
class CsvTextColumnsCliTest {
    @TempDir Path dir;

    private Path csv(String name, String third) throws Exception {
        StringBuilder s = new StringBuilder("age,smoker,label\n");
        for (int i = 0; i < 60; i++) s.append(20 + i).append(',').append(third.split("\\|")[i % third.split("\\|").length]).append(',').append(i % 2).append('\n');
        return Files.writeString(dir.resolve(name), s);
    }

    @Test
    void aTwoValuedTextColumnIsCodedForTrainingAndForPredict() throws Exception {
        Path data = csv("people.csv", "yes|no");
        Path model = dir.resolve("m.lanes");
        CliRun train = CliRun.of("train", "--dataset", "csv", "--data", data.toString(), "--label", "label", "--layers", "4",
                "--epochs", "1", "--threads", "1", "--quiet", "--save", model.toString());
        assertEquals(0, train.status(), train::toString);
        assertTrue(train.err().contains("column 'smoker' of people.csv coded no = 0, yes = 1"), train::toString);
        Path rows = Files.writeString(dir.resolve("rows.csv"), "age,smoker\n30,yes\n61,no\n");
        CliRun predict = CliRun.of("predict", "--model", model.toString(), "--input", rows.toString());
        assertEquals(0, predict.status(), predict::toString);
        assertEquals(3, predict.out().lines().count(), predict::toString);
        Path unknown = Files.writeString(dir.resolve("unknown.csv"), "age,smoker\n30,maybe\n");
        CliRun bad = CliRun.of("predict", "--model", model.toString(), "--input", unknown.toString());
        assertEquals(2, bad.status(), bad::toString);
        assertTrue(bad.err().contains("maybe"), bad::toString);
    }

    @Test
    void aTextColumnWithMoreValuesIsRefusedWithThem() throws Exception {
        Path data = csv("colours.csv", "red|green|blue");
        CliRun train = CliRun.of("train", "--dataset", "csv", "--data", data.toString(), "--label", "label", "--epochs", "1",
                "--threads", "1", "--quiet");
        assertEquals(2, train.status(), train::toString);
        assertTrue(train.err().contains("column 'smoker'") && train.err().contains("[blue, green, red]")
                && train.err().contains("two values"), train::toString);
    }
}
