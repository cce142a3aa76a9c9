package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How files laid out as other tools write them (pandas' index, trailing separators, ...) are read by the CSV recipe. */
class CsvLayoutCliTest {
    @TempDir Path dir;

    private static CliRun train(Path csv, String label) {
        return CliRun.of("train", "--dataset", "csv", "--data", csv.toString(), "--label", label, "--layers", "4",
                "--epochs", "1", "--threads", "1", "--quiet");
    }

    /** Rows {@code a,b,label} (label sorted, as files often are), each line prefixed by {@code prefix.apply(row)}. */
    private Path write(String name, String header, java.util.function.IntFunction<String> prefix) throws Exception {
        StringBuilder sb = new StringBuilder(header + "\n");
        for (int i = 0; i < 100; i++) {
            sb.append(prefix.apply(i)).append(String.format(Locale.ROOT, "%.3f,%d,%d%n", Math.sin(i), i % 7, i < 50 ? 0 : 1));
        }
        return Files.writeString(dir.resolve(name), sb);
    }

    /**
     * pandas' {@code to_csv} writes the row index as an unnamed first column. Trained on as a feature
     * it predicted the label of a sorted file perfectly and new rows not at all, without a word.
     */
    @Test
    void pandasIndexColumnIsRefusedNamingIt() throws Exception {
        Path csv = write("indexed.csv", ",a,b,label", i -> i + ",");
        CliRun run = train(csv, "label");
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("column 1 of indexed.csv has no name and holds a different integer on every row"),
                run::toString);
        assertTrue(run.err().contains("index=False"), run::toString);
        // Read back into pandas and written again, the index column is named "Unnamed: 0".
        Path again = write("again.csv", "Unnamed: 0,a,b,label", i -> (99 - i) + ",");
        CliRun second = train(again, "label");
        assertEquals(2, second.status(), second::toString);
        assertTrue(second.err().contains("column 1 of again.csv has no name"), second::toString);
        // A named column of distinct integers is the user's: trained on.
        Path named = write("named.csv", "visits,a,b,label", i -> (i * 37 % 101) + ",");
        CliRun visits = train(named, "label");
        assertEquals(0, visits.status(), visits::toString);
        assertTrue(!visits.err().contains("warning"), visits::toString);
        // ... with a warning when its name says it identifies the rows.
        for (String id : new String[] {"id", "patient_id", "Row ID", "PatientID", "userId"}) {
            Path ids = write(id.replace(' ', '-') + ".csv", id + ",a,b,label", i -> (1000 + 3 * i) + ",");
            CliRun run2 = train(ids, "label");
            assertEquals(0, run2.status(), run2::toString);
            assertTrue(run2.err().contains("warning: column '" + id + "'") && run2.err().contains("(1000, 1003, ...)")
                    && run2.err().contains("drop it"), run2::toString);
        }
    }

    /**
     * A column that counts the rows in file order is a row number whatever its name; in a file sorted
     * by label the model would learn the label from it. Warned about, once, and still trained on.
     */
    @Test
    void aColumnCountingTheRowsDrawsAWarningWhateverItsName() throws Exception {
        Path counted = write("counted.csv", "n,a,b,label", i -> (i + 1) + ",");
        CliRun run = train(counted, "label");
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.err().contains("warning: column 'n' of counted.csv counts the rows (1, 2, ..., 100): if it numbers"
                + " the rows, drop it"), run::toString);
        // Named as an identifier: the identifier warning alone.
        Path id = write("rowid.csv", "id,a,b,label", i -> i + ",");
        CliRun idRun = train(id, "label");
        assertEquals(1, idRun.err().split("warning", -1).length - 1, idRun::toString);
        // Off by one anywhere: not a count of the rows.
        Path gap = write("gap.csv", "n,a,b,label", i -> (i < 60 ? i : i + 1) + ",");
        CliRun gapRun = train(gap, "label");
        assertTrue(!gapRun.err().contains("counts the rows"), gapRun::toString);
    }

    /**
     * Some exporters end every line with the separator. pandas reads an all-NaN "Unnamed" column there;
     * lanes refused the file: "column '' has no values to impute from".
     */
    @Test
    void aSeparatorEndingEveryLineAddsNoColumn() throws Exception {
        Path plain = write("plain.csv", "a,b,label", i -> ""), trailing = dir.resolve("trailing.csv");
        Files.writeString(trailing, Files.readString(plain).replace("\n", ",\n"));
        Path m1 = dir.resolve("plain.lanes"), m2 = dir.resolve("trailing.lanes");
        for (Path[] p : new Path[][] {{plain, m1}, {trailing, m2}}) {
            CliRun run = CliRun.of("train", "--dataset", "csv", "--data", p[0].toString(), "--label", "label", "--layers", "4",
                    "--epochs", "1", "--threads", "1", "--quiet", "--save", p[1].toString());
            assertEquals(0, run.status(), run::toString);
        }
        CliRun noHeader = CliRun.of("train", "--dataset", "csv", "--data",
                Files.writeString(dir.resolve("bare.csv"), Files.readString(trailing).substring(Files.readString(trailing).indexOf('\n') + 1)).toString(),
                "--label", "-1", "--layers", "4", "--epochs", "1", "--threads", "1", "--quiet");
        assertEquals(0, noHeader.status(), noHeader::toString);
        Path rows = Files.writeString(dir.resolve("rows.csv"), "a,b\n0.5,3\n-0.25,6\n");
        Path rowsTrailing = Files.writeString(dir.resolve("rows-trailing.csv"), "a,b,\n0.5,3,\n-0.25,6,\n");
        CliRun p1 = CliRun.of("predict", "--model", m1.toString(), "--input", rows.toString(), "--threads", "1");
        CliRun p2 = CliRun.of("predict", "--model", m2.toString(), "--input", rowsTrailing.toString(), "--threads", "1");
        assertEquals(0, p2.status(), p2::toString);
        assertEquals(p1.out(), p2.out());
    }

    /**
     * A whitespace-separated file (scikit-learn's diabetes data, many UCI files) is one column to a
     * CSV reader. The refusal quoted a whole line as a label in a column named by another whole line.
     */
    @Test
    void aFileWithOneColumnIsRefusedSayingNoSeparatorWasFound() throws Exception {
        Path spaced = write("spaced.txt", "a b label", i -> "");
        Files.writeString(spaced, Files.readString(spaced).replace(',', ' '));
        for (String label : new String[] {"-1", "label"}) {
            CliRun run = train(spaced, label);
            assertEquals(2, run.status(), run::toString);
            assertTrue(run.err().contains("spaced.txt has a single column: its first line holds no comma, semicolon or tab"),
                    run::toString);
        }
    }
}
