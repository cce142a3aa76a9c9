package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lanes train and lanes predict read a CSV file alike: its separator and header line recognised. */
class CsvDialectsCliTest {
    @TempDir Path dir;

    private Path write(String name, char sep, boolean header, boolean label) throws Exception {
        StringBuilder sb = new StringBuilder();
        if (header) sb.append(label ? "a" + sep + "b" + sep + "label\n" : "a" + sep + "b\n");
        for (int i = 0; i < 200; i++) {
            int a = i % 10, b = (i * 7) % 13;
            sb.append(String.format(Locale.ROOT, "%d%c%d", a, sep, b));
            if (label) sb.append(sep).append(a > 4 ? 1 : 0);
            sb.append('\n');
        }
        Path p = dir.resolve(name);
        Files.writeString(p, sb);
        return p;
    }

    /** A model trained on a comma-separated file with a header, saved as {@code m.lanes}. */
    private Path trainedModel() throws Exception {
        Path csv = write("train.csv", ',', true, true), model = dir.resolve("m.lanes");
        assertEquals(0, CliRun.of("train", "--dataset", "csv", "--data", csv.toString(), "--label", "label", "--layers",
                "4", "--epochs", "1", "--threads", "1", "--quiet", "--save", model.toString()).status());
        return model;
    }

    @Test
    void aHeaderIsALineOfNamesOnlyNotADataRowWithOneTextCell() throws Exception {
        Path names = dir.resolve("names.csv"), data = dir.resolve("data.csv");
        Files.writeString(names, "age,sex\n30,1\n");
        Files.writeString(data, "30,Female\n40,Male\n");
        assertTrue(Recipe.sniff(names).header());
        assertFalse(Recipe.sniff(data).header(), "a data row with a category is data");
    }

    @Test
    void predictReadsTheFirstLineAsDataWhenToldThereIsNoHeader() throws Exception {
        Path model = trainedModel();
        Path rows = write("rows.csv", ',', true, false);
        CliRun run = CliRun.of("predict", "--model", model.toString(), "--input", rows.toString(), "--header=false");
        assertEquals(2, run.status(), "the names line is then data, and not numbers: " + run);
    }

    @Test
    void savingIntoAFolderThatDoesNotExistYetCreatesIt() throws Exception {
        Path csv = write("train.csv", ',', true, true), model = dir.resolve("runs/new/m.lanes");
        CliRun run = CliRun.of("train", "--dataset", "csv", "--data", csv.toString(), "--label", "label", "--layers", "4",
                "--epochs", "1", "--threads", "1", "--quiet", "--save", model.toString());
        assertEquals(0, run.status(), run.toString());
        assertTrue(Files.isRegularFile(model));
    }

    @Test
    void emptyCellsFilledForTrainingAreReported() throws Exception {
        Path csv = write("holes.csv", ',', true, true);
        java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(csv));
        lines.set(5, lines.get(5).replaceFirst(",[0-9]+,", ",,"));
        Files.write(csv, lines);
        CliRun run = CliRun.of("train", "--dataset", "csv", "--data", csv.toString(), "--label", "label", "--layers", "4",
                "--epochs", "1", "--threads", "1", "--quiet");
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.err().contains("1 missing cell (empty or NA) of column 'b' in holes.csv filled with the column's median"),
                run.toString());
    }

    @Test
    void aSemicolonSeparatedFileTrains() throws Exception {
        Path csv = write("semi.csv", ';', true, true);
        CliRun run = CliRun.of("train", "--dataset", "csv", "--data", csv.toString(), "--label", "label", "--layers", "4",
                "--epochs", "1", "--threads", "1", "--quiet");
        assertEquals(0, run.status(), run.toString());
    }

    @Test
    void predictRecognisesAHeaderLineAsTrainDoes() throws Exception {
        Path model = trainedModel();
        Path rows = write("rows.csv", ';', true, false);
        CliRun run = CliRun.of("predict", "--model", model.toString(), "--input", rows.toString(), "--threads", "1");
        assertEquals(0, run.status(), run.toString());
        assertEquals(201, run.out().strip().lines().count(), "a header and one line per row: " + run.out());
        assertTrue(run.out().lines().skip(1).allMatch(l -> l.startsWith("0,") || l.startsWith("1,")), run.out());
    }

    /**
     * pandas' read_csv reads NA, NaN, nan, NULL, N/A, ... as missing, and R and pandas write NA and
     * NaN for them: such a cell was "not a number" to lanes, with advice (declare the column
     * categorical) the command line has no option for.
     */
    @Test
    void naAndNanCellsAreMissingAsPandasReadsThemInTrainAndPredict() throws Exception {
        Path csv = write("na.csv", ',', true, true);
        java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(csv));
        lines.set(5, lines.get(5).replaceFirst(",[0-9]+,", ",NA,"));
        lines.set(9, lines.get(9).replaceFirst(",[0-9]+,", ",NaN,"));
        lines.set(12, lines.get(12).replaceFirst("^[0-9]+,", "nan,"));
        Files.write(csv, lines);
        Path model = dir.resolve("na.lanes");
        CliRun run = CliRun.of("train", "--dataset", "csv", "--data", csv.toString(), "--label", "label", "--layers", "4",
                "--epochs", "1", "--threads", "1", "--quiet", "--save", model.toString());
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.err().contains("2 missing cells (empty or NA) of column 'b' in na.csv filled with the column's median"),
                run.toString());
        // Predict fills an NA cell as it fills an empty one: with the training fill.
        Path na = dir.resolve("na-rows.csv"), empty = dir.resolve("empty-rows.csv");
        Files.writeString(na, "a,b\n3,NA\nNULL,4\n");
        Files.writeString(empty, "a,b\n3,\n,4\n");
        CliRun p1 = CliRun.of("predict", "--model", model.toString(), "--input", na.toString(), "--threads", "1");
        CliRun p2 = CliRun.of("predict", "--model", model.toString(), "--input", empty.toString(), "--threads", "1");
        assertEquals(0, p1.status(), p1.toString());
        assertEquals(p2.out(), p1.out());
    }

    /**
     * Excel in a European locale saves CSV with semicolons and decimal commas ("1,5"): the semicolon
     * was recognised, but every fraction was text, and a column of them refused as "an identifier or
     * free text"; without a header line the commas were even taken for the separator.
     */
    @Test
    void aSemicolonFileWithDecimalCommasReadsAsItsDecimalPointTwin() throws Exception {
        StringBuilder dots = new StringBuilder("a,b,label\n"), commas = new StringBuilder("a;b;label\n");
        for (int i = 0; i < 200; i++) {
            String a = String.format(Locale.ROOT, "%.2f", (i % 10) / 3.0), b = String.format(Locale.ROOT, "%.3f", Math.sin(i));
            dots.append(a).append(',').append(b).append(',').append(i % 10 > 4 ? 1 : 0).append('\n');
            commas.append(a.replace('.', ',')).append(';').append(b.replace('.', ',')).append(';').append(i % 10 > 4 ? 1 : 0)
                    .append('\n');
        }
        Path dot = dir.resolve("dot.csv"), comma = dir.resolve("comma.csv"), bare = dir.resolve("bare.csv");
        Files.writeString(dot, dots);
        Files.writeString(comma, commas);
        Files.writeString(bare, commas.substring(commas.indexOf("\n") + 1));
        Path m1 = dir.resolve("dot.lanes"), m2 = dir.resolve("comma.lanes");
        for (Path[] p : new Path[][] {{dot, m1}, {comma, m2}}) {
            CliRun run = CliRun.of("train", "--dataset", "csv", "--data", p[0].toString(), "--label", "label", "--layers", "4",
                    "--epochs", "1", "--threads", "1", "--quiet", "--save", p[1].toString());
            assertEquals(0, run.status(), run.toString());
        }
        CliRun noHeader = CliRun.of("train", "--dataset", "csv", "--data", bare.toString(), "--label", "-1", "--layers", "4",
                "--epochs", "1", "--threads", "1", "--quiet");
        assertEquals(0, noHeader.status(), noHeader.toString());
        Path rowsDot = dir.resolve("rows-dot.csv"), rowsComma = dir.resolve("rows-comma.csv");
        Files.writeString(rowsDot, "a,b\n1.25,-0.5\n3,0.125\n");
        Files.writeString(rowsComma, "a;b\n1,25;-0,5\n3;0,125\n");
        CliRun p1 = CliRun.of("predict", "--model", m1.toString(), "--input", rowsDot.toString(), "--threads", "1");
        CliRun p2 = CliRun.of("predict", "--model", m2.toString(), "--input", rowsComma.toString(), "--threads", "1");
        assertEquals(0, p2.status(), p2.toString());
        assertEquals(p1.out(), p2.out(), "the same numbers, the same model, the same predictions");
    }

    /**
     * A gap in a column that had none in training is filled with that column's training median, as a
     * fitted scikit-learn SimpleImputer fills any column, and the note says so.
     */
    @Test
    void aGapInAColumnWithoutGapsInTrainingIsFilledWithItsTrainingMedian() throws Exception {
        Path model = trainedModel();
        float median;
        try (dev.lanes.kernel.Kernels k = dev.lanes.kernel.Kernels.create("simd", 1);
             dev.lanes.io.ModelFile.Loaded loaded = dev.lanes.io.ModelFile.load(model, k)) {
            median = ((Number) ((java.util.Map<?, ?>) loaded.preprocessing().get("fills")).get("a")).floatValue();
        }
        Path rows = dir.resolve("gap.csv");
        Files.writeString(rows, "a,b\n" + median + ",5\n,5\n");
        CliRun run = CliRun.of("predict", "--model", model.toString(), "--input", rows.toString(), "--threads", "1");
        assertEquals(0, run.status(), run.toString());
        List<String> lines = run.out().lines().toList();
        assertEquals(lines.get(1), lines.get(2), "the gap and the median by hand, the same prediction");
        assertTrue(run.err().contains("1 empty cell of column 'a' in gap.csv filled with " + median + ", as in training"),
                run.toString());
    }

    /** The ILPD recipe records every column's fill, as a fitted imputer would: a gap in Age gets its median. */
    @Test
    void anIlpdModelFillsAGapInAnyColumnWithTrainingsMedian() throws Exception {
        Path model = dir.resolve("ilpd.lanes");
        assertEquals(0, CliRun.of("train", "--dataset", "ilpd", "--epochs", "1", "--layers", "4", "--threads", "1",
                "--quiet", "--save", model.toString()).status());
        Path rows = dir.resolve("gap.csv");
        Files.writeString(rows, "65,Female,0.7,0.1,187,16,18,6.8,3.3,0.9\n,Male,10.9,5.5,699,64,100,7.5,3.2,0.74\n");
        CliRun gap = CliRun.of("predict", "--model", model.toString(), "--input", rows.toString(), "--threads", "1");
        assertEquals(0, gap.status(), gap.toString());
        // 45 is the median of the 583 ages in the ILPD file.
        assertTrue(gap.err().contains("1 empty cell of column 'Age' in gap.csv filled with 45.0, as in training"), gap.toString());
        Path filled = dir.resolve("filled.csv");
        Files.writeString(filled, "65,Female,0.7,0.1,187,16,18,6.8,3.3,0.9\n45,Male,10.9,5.5,699,64,100,7.5,3.2,0.74\n");
        CliRun same = CliRun.of("predict", "--model", model.toString(), "--input", filled.toString(), "--threads", "1");
        assertEquals(same.out(), gap.out(), "the gap filled by predict and by hand");
    }

    /**
     * A model that records no fills (optdigits reads files without gaps): the reader's advice, "ask
     * for imputation", names nothing predict has, so the message says why and where.
     */
    @Test
    void aMissingCellPredictHasNoFillForSaysSoWithItsLine() throws Exception {
        Path model = dir.resolve("digits.lanes");
        assertEquals(0, CliRun.of("train", "--dataset", "optdigits", "--epochs", "1", "--layers", "4", "--threads", "1",
                "--quiet", "--save", model.toString()).status());
        Path rows = dir.resolve("gap.csv");
        String full = "0,1,6,15,12,1,0,0,0,7,16,6,6,10,0,0,0,8,16,2,0,11,2,0,0,5,16,3,0,5,7,0,0,7,13,3,0,8,7,0,0,4,12,0,1,13,5,0,0,0,14,9,15,9,0,0,0,0,6,14,7,1,0,0";
        Files.writeString(rows, full + "\n" + full.replaceFirst("^0,1,", "0,,") + "\n");
        CliRun run = CliRun.of("predict", "--model", model.toString(), "--input", rows.toString(), "--threads", "1");
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().contains("gap.csv:2: missing cell in column 'column 2'"), run.toString());
        assertTrue(run.err().contains("of the training file had no missing cells, so the model has no value to fill it"
                + " with; fill the cell, or drop the row (line 2, column 2)"), run.toString());
        assertFalse(run.err().contains("ask for imputation"), run.toString());
    }

    /** Evaluate re-reads the training file, whose path the model does not record: the message names the file to pass. */
    @Test
    void evaluatingACsvModelWithoutDataNamesTheFileItWasTrainedOn() throws Exception {
        Path model = trainedModel();
        CliRun run = CliRun.of("evaluate", "--model", model.toString(), "--threads", "1");
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().contains("the model was trained on the CSV file train.csv; pass --data PATH/train.csv"),
                run.toString());
    }
}
