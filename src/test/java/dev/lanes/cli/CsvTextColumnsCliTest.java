package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.io.ModelFile;
import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text feature columns of a user's CSV: two values coded 0/1, more one-hot, an identifier-like one refused;
 * predict and evaluate code rows as training did.
 */
class CsvTextColumnsCliTest {
    @TempDir Path dir;

    private Path csv(String name, String third) throws Exception {
        StringBuilder s = new StringBuilder("age,smoker,label\n");
        for (int i = 0; i < 60; i++) s.append(20 + i).append(',').append(third.split("\\|")[i % third.split("\\|").length]).append(',').append(i % 2).append('\n');
        return Files.writeString(dir.resolve(name), s);
    }

    /** One quiet epoch of a 4-unit network on {@code data}, label column "label". */
    private static CliRun train(Path data, String... extra) {
        List<String> argv = new java.util.ArrayList<>(List.of("train", "--dataset", "csv", "--data", data.toString(),
                "--label", "label", "--layers", "4", "--epochs", "1", "--threads", "1", "--quiet"));
        argv.addAll(List.of(extra));
        return CliRun.of(argv.toArray(String[]::new));
    }

    @Test
    void aTwoValuedTextColumnIsCodedForTrainingAndForPredict() throws Exception {
        Path data = csv("people.csv", "yes|no");
        Path model = dir.resolve("m.lanes");
        CliRun train = train(data, "--save", model.toString());
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
    void aTextColumnWithMoreValuesIsOneHotCodedForTrainingAndForPredict() throws Exception {
        Path data = csv("colours.csv", "red|green|blue");
        Path model = dir.resolve("c.lanes");
        CliRun train = train(data, "--save", model.toString());
        assertEquals(0, train.status(), train::toString);
        assertTrue(train.err().contains("column 'smoker' of colours.csv one-hot coded into 3 columns, one per value: "
                + "[blue, green, red]"), train::toString);
        CliRun summary = CliRun.of("summary", "--model", model.toString());
        assertTrue(summary.out().contains("4 features; preparation: one-hot 'smoker' into 3 columns [blue, green, red],"
                + " fill empty 'age' cells with 49.5, fill empty 'smoker' cells with blue, then standardize 4 features"),
                summary::toString);

        // Raw rows, one per colour, against the same rows coded by hand and prepared as the model records.
        Path rows = Files.writeString(dir.resolve("rows.csv"), "age,smoker\n30,red\n61,blue\n45,green\n");
        CliRun predict = CliRun.of("predict", "--model", model.toString(), "--input", rows.toString(), "--threads", "1");
        assertEquals(0, predict.status(), predict::toString);
        List<String> lines = predict.out().lines().toList();
        assertEquals(4, lines.size(), predict::toString);
        try (Kernels k = Kernels.create("simd", 1); ModelFile.Loaded loaded = ModelFile.load(model, k)) {
            assertEquals(List.of("age", "smoker_blue", "smoker_green", "smoker_red"),
                    loaded.preprocessing().get("feature_names"));
            assertEquals(List.of("age", "smoker"), loaded.preprocessing().get("columns"));
            float[] x = {30, 0, 0, 1, 61, 1, 0, 0, 45, 0, 1, 0};
            try (Matrix xs = Matrix.of(3, 4, x)) {
                Preparation.readFrom(loaded.preprocessing(), "m").apply(xs);
                try (Matrix p = loaded.model().predict(xs)) {
                    for (int r = 0; r < 3; r++) {
                        assertEquals(p.get(r, 0), Float.parseFloat(lines.get(r + 1).split(",")[2]), 0f, "row " + r);
                    }
                }
            }
        }

        // The file's columns are counted before the coding widens them, and named when they differ.
        Path wide = Files.writeString(dir.resolve("wide.csv"), "age,smoker,label\n30,red,1\n");
        CliRun bad = CliRun.of("predict", "--model", model.toString(), "--input", wide.toString());
        assertEquals(2, bad.status(), bad::toString);
        assertTrue(bad.err().contains("has 3 columns, the model was trained on 2 [age, smoker]"), bad::toString);
        Path unknown = Files.writeString(dir.resolve("violet.csv"), "age,smoker\n30,violet\n");
        CliRun violet = CliRun.of("predict", "--model", model.toString(), "--input", unknown.toString());
        assertEquals(2, violet.status(), violet::toString);
        assertTrue(violet.err().contains("'violet'") && violet.err().contains("[blue, green, red]"), violet::toString);
    }

    @Test
    void aTextColumnOfMostlyDistinctValuesIsRefusedWithSomeOfThem() throws Exception {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < 40; i++) names.append(i == 0 ? "" : "|").append("name").append((char) ('A' + i % 26)).append(i);
        Path data = csv("people.csv", names.toString());
        CliRun train = train(data);
        assertEquals(2, train.status(), train::toString);
        assertTrue(train.err().contains("column 'smoker' of people.csv holds text with 40 distinct values in 60 rows")
                && train.err().contains("(32 more)]") && train.err().contains("identifier"), train::toString);
    }

    @Test
    void evaluateCodesTextColumnsAsTheModelDidEvenWhenTheFileShowsFewerValues() throws Exception {
        Path data = csv("people.csv", "yes|no");
        Path model = dir.resolve("m.lanes");
        assertEquals(0, train(data, "--save", model.toString()).status());
        // The same file with every 'yes' gone: read afresh, its one value would not be a two-valued column.
        Path fewer = Files.writeString(dir.resolve("fewer.csv"), Files.readString(data).replace(",yes,", ",no,"));
        CliRun eval = CliRun.of("evaluate", "--model", model.toString(), "--data", fewer.toString(), "--threads", "1");
        assertEquals(0, eval.status(), eval::toString);
        assertTrue(eval.out().contains("accuracy"), eval::toString);
        // A column that held numbers in training and text now is not the model's file.
        Path other = Files.writeString(dir.resolve("other.csv"), Files.readString(data).replaceAll("(?m)^\\d+,", "x,"));
        CliRun wrong = CliRun.of("evaluate", "--model", model.toString(), "--data", other.toString(), "--threads", "1");
        assertEquals(2, wrong.status(), wrong::toString);
        assertTrue(wrong.err().contains("column 'age' of other.csv holds text, but the model was trained with numbers in it"),
                wrong::toString);
    }

    @Test
    void aStrayMarkInANumberColumnGetsAdviceTheCliCanFollow() throws Exception {
        Path data = csv("marks.csv", "yes|no");
        Path marked = Files.writeString(dir.resolve("marked.csv"), Files.readString(data).replace("\n23,", "\n?,"));
        CliRun train = train(marked);
        assertEquals(2, train.status(), train::toString);
        assertTrue(train.err().contains("'?' in column 'age' is not a number (mark a missing value as an empty cell or NA")
                && !train.err().contains("declare"), train::toString);
    }

    @Test
    void valuesWithCommasAreQuotedWhereTheyAreListed() throws Exception {
        StringBuilder s = new StringBuilder("age,clinic,label\n");
        String[] clinics = {"\"Clinic A, North\"", "Clinic B", "Clinic C"};
        for (int i = 0; i < 30; i++) s.append(i).append(',').append(clinics[i % 3]).append(',').append(i % 2).append('\n');
        Path data = Files.writeString(dir.resolve("clinics.csv"), s);
        CliRun train = train(data);
        assertEquals(0, train.status(), train::toString);
        assertTrue(train.err().contains("one per value: ['Clinic A, North', 'Clinic B', 'Clinic C']"), train::toString);
    }
}
