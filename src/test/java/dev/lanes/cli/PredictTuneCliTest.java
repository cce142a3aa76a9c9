package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.data.Datasets;
import dev.lanes.io.ModelFile;
import dev.lanes.kernel.Kernels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictTuneCliTest {
    @TempDir Path dir;

    @Test
    void predictsRawCsvRowsExactlyAsTheModelDoesOnThePreparedTestPart() throws Exception {
        Path model = dir.resolve("m.lanes");
        assertEquals(0, CliRun.of("train", "--dataset", "optdigits", "--epochs", "1", "--layers", "16", "--lr", "0.01",
                "--batch", "32", "--threads", "1", "--quiet", "--save", model.toString()).status());
        // The first 20 test rows as a user would have them: raw counts 0..16, label column dropped.
        List<String> rows = Files.readAllLines(Datasets.bundledRoot().resolve("optdigits/optdigits.tes")).subList(0, 20);
        Path input = dir.resolve("rows.csv");
        Files.write(input, rows.stream().map(r -> r.substring(0, r.lastIndexOf(','))).toList());
        Path output = dir.resolve("predictions.csv");
        CliRun run = CliRun.of("predict", "--model", model.toString(), "--input", input.toString(),
                "--output", output.toString(), "--threads", "1");
        assertEquals(0, run.status(), run::toString);
        List<String> lines = Files.readAllLines(output);
        assertEquals(21, lines.size());
        assertEquals("class,p_0,p_1,p_2,p_3,p_4,p_5,p_6,p_7,p_8,p_9", lines.get(0));

        int[] expected;
        try (Kernels k = Kernels.create("simd", 1);
             ModelFile.Loaded loaded = ModelFile.load(model, k);
             Recipe.Prepared test = Recipe.load("optdigits", null, null, null, 42,
                     Preparation.readFrom(loaded.preprocessing(), "m"));
             var first = test.test().features().rowRange(0, 20)) {
            expected = loaded.model().predictClasses(first);
        }
        for (int r = 0; r < 20; r++) {
            String[] cells = lines.get(r + 1).split(",");
            assertEquals(Integer.toString(expected[r]), cells[0], "row " + r);
            double sum = Arrays.stream(cells, 1, cells.length).mapToDouble(Double::parseDouble).sum();
            assertEquals(1.0, sum, 1e-5, "probabilities of row " + r);
        }
    }

    @Test
    void predictsRegressionValuesFromACsvWithAHeaderUsingTheSavedStandardization() throws Exception {
        Path model = dir.resolve("cal.lanes");
        assertEquals(0, CliRun.of("train", "--dataset", "california", "--epochs", "1", "--layers", "8", "--threads", "1",
                "--quiet", "--save", model.toString()).status());
        List<String> raw = Files.readAllLines(Datasets.bundledRoot().resolve("california-housing/cal_housing.data"))
                .subList(0, 3).stream().map(r -> r.substring(0, r.lastIndexOf(','))).toList();
        Path input = dir.resolve("houses.csv");
        Files.write(input, java.util.stream.Stream.concat(java.util.stream.Stream.of(
                "lon,lat,age,rooms,bedrooms,population,households,income"), raw.stream()).toList());
        CliRun run = CliRun.of("predict", "--model", model.toString(), "--input", input.toString(), "--header",
                "--threads", "1");
        assertEquals(0, run.status(), run::toString);
        List<String> lines = run.out().lines().toList();
        assertEquals(List.of("value"), lines.subList(0, 1));
        assertEquals(4, lines.size());

        try (Kernels k = Kernels.create("simd", 1); ModelFile.Loaded loaded = ModelFile.load(model, k)) {
            List<?> mean = (List<?>) loaded.preprocessing().get("standardize_mean");
            List<?> std = (List<?>) loaded.preprocessing().get("standardize_std");
            float[] x = new float[3 * 8];
            for (int r = 0; r < 3; r++) {
                String[] cells = raw.get(r).split(",");
                for (int c = 0; c < 8; c++) {
                    x[r * 8 + c] = (float) ((Double.parseDouble(cells[c]) - ((Number) mean.get(c)).doubleValue())
                            / ((Number) std.get(c)).doubleValue());
                }
            }
            try (var xs = dev.lanes.tensor.Matrix.of(3, 8, x); var p = loaded.model().predict(xs)) {
                for (int r = 0; r < 3; r++) {
                    assertEquals(p.get(r, 0), Float.parseFloat(lines.get(r + 1)), 1e-4f, "row " + r);
                }
            }
        }
    }

    @Test
    void tuneRunsASeededCoarseToFineSearchAndSavesTheBestModel() throws Exception {
        Path best = dir.resolve("best.lanes");
        String[] argv = {"tune", "--dataset", "optdigits", "--trials", "3", "--epochs", "1", "--coarse-to-fine",
                "--threads", "1", "--seed", "5", "--save", best.toString()};
        CliRun first = CliRun.of(argv);
        assertEquals(0, first.status(), first::toString);
        assertTrue(first.out().contains("rank trial round"), first::toString);
        assertTrue(first.out().contains("(round 2)"), first::toString);
        assertTrue(Files.exists(best));
        assertEquals(0, CliRun.of("evaluate", "--model", best.toString(), "--threads", "1", "--quiet").status());

        CliRun second = CliRun.of(argv);
        assertEquals(leaderboard(first.out()), leaderboard(second.out()), "same seed, same leaderboard");
    }

    private static List<String> leaderboard(String out) {
        List<String> lines = out.lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("rank")).findFirst().orElseThrow());
        return lines.subList(header, header + 4);
    }

    @Test
    void predictCodesCategoriesAndFillsEmptyCellsOfRawRowsAsTrainingDid() throws Exception {
        Path model = dir.resolve("ilpd.lanes");
        assertEquals(0, CliRun.of("train", "--dataset", "ilpd", "--epochs", "2", "--layers", "8", "--threads", "1",
                "--quiet", "--save", model.toString()).status());
        // Raw rows as the file has them, label dropped: Gender as text, and row 210's empty A/G Ratio.
        List<String> raw = Files.readAllLines(Datasets.bundledRoot().resolve("ilpd/Indian Liver Patient Dataset (ILPD).csv"));
        List<String> rows = java.util.stream.Stream.of(raw.get(0), raw.get(1), raw.get(209))
                .map(r -> r.substring(0, r.lastIndexOf(','))).toList();
        assertTrue(rows.get(0).contains(",Female,") && rows.get(1).contains(",Male,") && rows.get(2).endsWith(","), rows::toString);
        CliRun summary = CliRun.of("summary", "--model", model.toString());
        assertTrue(summary.out().contains("preparation: code 'Gender' Female = 0, Male = 1, fill empty cells of 10 columns"
                + " with the training file's medians"), summary::toString);
        Path input = dir.resolve("patients.csv");
        Files.write(input, rows);
        CliRun run = CliRun.of("predict", "--model", model.toString(), "--input", input.toString(), "--threads", "1");
        assertEquals(0, run.status(), run::toString);
        List<String> lines = run.out().lines().toList();
        assertEquals(4, lines.size(), run::toString);

        // The same rows coded by hand: Female 0, Male 1, the empty cell the training fill.
        try (Kernels k = Kernels.create("simd", 1); ModelFile.Loaded loaded = ModelFile.load(model, k)) {
            assertEquals(List.of("Female", "Male"), ((java.util.Map<?, ?>) loaded.preprocessing().get("categories")).get("Gender"));
            float fill = ((Number) ((java.util.Map<?, ?>) loaded.preprocessing().get("fills")).get("A/G Ratio")).floatValue();
            float[] x = new float[3 * 10];
            for (int r = 0; r < 3; r++) {
                String[] cells = rows.get(r).split(",", -1);
                for (int c = 0; c < 10; c++) {
                    x[r * 10 + c] = c == 1 ? (cells[c].equals("Male") ? 1f : 0f) : cells[c].isEmpty() ? fill : Float.parseFloat(cells[c]);
                }
            }
            try (var xs = dev.lanes.tensor.Matrix.of(3, 10, x)) {
                Preparation.readFrom(loaded.preprocessing(), "m").apply(xs);
                try (var p = loaded.model().predict(xs)) {
                    for (int r = 0; r < 3; r++) {
                        float p1 = Float.parseFloat(lines.get(r + 1).split(",")[2]);
                        assertEquals(p.get(r, 0), p1, 0f, "row " + r);
                    }
                }
            }
        }
    }
}
