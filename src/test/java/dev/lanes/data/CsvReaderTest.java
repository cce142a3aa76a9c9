package dev.lanes.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CsvReaderTest {
    @TempDir
    Path dir;

    Path csv(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    static DataFileException fails(CsvReader reader, Path file, long line, int column) {
        DataFileException e = assertThrows(DataFileException.class, () -> reader.read(file).close());
        assertEquals(file, e.file());
        assertEquals(line, e.line().orElse(-1), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("line " + line), e.getMessage());
        return e;
    }

    @Test
    void headerNamesTheFeaturesAndTheLabelColumnIsTakenOut() throws IOException {
        Path f = csv("t.csv", "a,label,b\n1,0,2\n3,1,4\n5,2,6\n");
        try (CsvTable t = CsvReader.builder().header(true).classLabels("label").build().read(f)) {
            Dataset d = t.dataset();
            assertEquals(List.of("a", "b"), d.featureNames());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, d.features().toArray());
            assertArrayEquals(new float[] {0, 1, 2}, d.labels().toArray());
            assertEquals(3, d.numClasses());
        }
    }

    @Test
    void labelByNegativeIndexCountsFromTheEndAndTargetsStayReal() throws IOException {
        Path f = csv("r.csv", "1.5,2e1,-0.25\n.5,+3,1E-2\n");
        try (CsvTable t = CsvReader.builder().target(-1).build().read(f)) {
            Dataset d = t.dataset();
            assertFalse(d.isClassification());
            assertEquals(List.of("column 1", "column 2"), d.featureNames());
            assertArrayEquals(new float[] {1.5f, 20f, 0.5f, 3f}, d.features().toArray());
            assertArrayEquals(new float[] {-0.25f, 0.01f}, d.labels().toArray());
        }
    }

    @Test
    void sparseIntegerLabelsAreNamedClassesNotOneClassPerNumberBetween() throws IOException {
        // Read as ids, 999999999 made a billion classes and ran out of memory.
        Path f = csv("s.csv", "x,label\n1,0\n2,999999999\n3,0\n4,0070\n");
        try (CsvTable t = CsvReader.builder().header(true).classLabels("label").build().read(f)) {
            assertEquals(List.of("0", "70", "999999999"), t.dataset().classNames());
            assertArrayEquals(new float[] {0, 2, 0, 1}, t.dataset().labels().toArray());
        }
        // Ids 0..k-1 with a few unused stay ids: class 3 is simply empty.
        Path dense = csv("d.csv", "x,label\n1,0\n2,4\n3,1\n");
        try (CsvTable t = CsvReader.builder().header(true).classLabels("label").build().read(dense)) {
            assertEquals(5, t.dataset().numClasses());
            assertArrayEquals(new float[] {0, 4, 1}, t.dataset().labels().toArray());
        }
        Path one = csv("o.csv", "x,label\n1,500\n2,500\n");
        DataFileException e = assertThrows(DataFileException.class,
                () -> CsvReader.builder().header(true).classLabels("label").build().read(one));
        assertTrue(e.getMessage().contains("only the class [500]"), e.getMessage());
    }

    @Test
    void aFileThatIsNotUtf8IsPlacedByLineColumnAndByte() throws IOException {
        Path f = dir.resolve("latin1.csv");
        Files.write(f, new byte[] {'a', ',', 'b', '\n', '1', ',', '2', '\n', '3', ',', 'x', (byte) 0xE9, '\n'});
        DataFileException e = fails(CsvReader.builder().header(true).build(), f, 3, 2);
        assertTrue(e.getMessage().contains("0xE9") && e.getMessage().contains("offset 11") && e.getMessage().contains("UTF-8"),
                e.getMessage());
    }

    @Test
    void givenFillsReplaceMissingCellsOfTheirColumnsOnly() throws IOException {
        Path f = csv("f.csv", "a,b,c\n1,,3\n,5,\n");
        try (CsvTable t = CsvReader.builder().header(true).fill("b", 7f).fill(0, -1f).imputeConstant(9f).build().read(f)) {
            assertArrayEquals(new float[] {1, 7, 3, -1, 5, 9}, t.dataset().features().toArray());
        }
        // Without imputation, a column with no fill of its own still fails, at its cell.
        DataFileException e = fails(CsvReader.builder().header(true).fill("b", 7f).fill("a", 0f).build(), f, 3, 3);
        assertTrue(e.getMessage().contains("'c'"), e.getMessage());
    }

    @Test
    void textLabelsGetSortedIdsOrTheGivenOrder() throws IOException {
        Path f = csv("c.csv", "1,yes\n2,no\n3,maybe\n4,no\n");
        try (CsvTable t = CsvReader.builder().classLabels(1).build().read(f)) {
            assertEquals(List.of("maybe", "no", "yes"), t.dataset().classNames());
            assertArrayEquals(new float[] {2, 1, 0, 1}, t.dataset().labels().toArray());
        }
        try (CsvTable t = CsvReader.builder().classLabels(1).classNames("no", "yes", "maybe").build().read(f)) {
            assertArrayEquals(new float[] {1, 0, 2, 0}, t.dataset().labels().toArray());
        }
        Path g = csv("d.csv", "1,yes\n2,perhaps\n");
        DataFileException e = fails(CsvReader.builder().classLabels(1).classNames("no", "yes").build(), g, 2, 2);
        assertTrue(e.getMessage().contains("'perhaps'"), e.getMessage());
    }

    @Test
    void quotedFieldsMayHoldDelimitersAndQuotes() throws IOException {
        Path f = csv("q.csv", "\"x, y\",\"say \"\"hi\"\"\",n\n\"1\", \"2\" ,7\n");
        try (CsvTable t = CsvReader.builder().header(true).target("n").build().read(f)) {
            assertEquals(List.of("x, y", "say \"hi\""), t.dataset().featureNames());
            assertArrayEquals(new float[] {1, 2}, t.dataset().features().toArray());
        }
        Path open = csv("open.csv", "1,2\n3,\"4\n");
        assertTrue(fails(CsvReader.builder().build(), open, 2, 2).getMessage().contains("unterminated quote"));
        Path after = csv("after.csv", "1,\"2\"x\n");
        fails(CsvReader.builder().build(), after, 1, 2);
    }

    @Test
    void missingCellIsReportedWithLineAndColumn() throws IOException {
        Path f = csv("m.csv", "1,2,0\n3,,1\n5,,0\n");
        DataFileException e = fails(CsvReader.builder().classLabels(-1).build(), f, 2, 2);
        assertTrue(e.getMessage().contains("2 missing"), e.getMessage());
        assertTrue(e.getMessage().contains("imputation"), e.getMessage());
    }

    @Test
    void missingCellsCanBeImputedByMeanMedianOrConstant() throws IOException {
        Path f = csv("m.csv", "1,2\n,4\n10,6\n7,NA\n");
        CsvReader.Builder base = CsvReader.builder().missingTokens("", "NA");
        try (CsvTable t = base.impute(CsvReader.Missing.MEAN).build().read(f)) {
            assertArrayEquals(new float[] {1, 2, 6, 4, 10, 6, 7, 4}, t.dataset().features().toArray());
            assertEquals(List.of(new CsvTable.Imputed("column 1", 1, 6f), new CsvTable.Imputed("column 2", 1, 4f)), t.imputed());
        }
        try (CsvTable t = base.impute(CsvReader.Missing.MEDIAN).build().read(f)) {
            assertArrayEquals(new float[] {1, 2, 7, 4, 10, 6, 7, 4}, t.dataset().features().toArray());
        }
        try (CsvTable t = base.imputeConstant(-1).build().read(f)) {
            assertArrayEquals(new float[] {1, 2, -1, 4, 10, 6, 7, -1}, t.dataset().features().toArray());
        }
    }

    /** A sentinel such as -999 reads as a number; declared a missing token, it is missing all the same. */
    @Test
    void aNumericMissingTokenIsMissingNotANumber() throws IOException {
        Path f = csv("n.csv", "1,-999\n-999,4\n3,-999.0\n");
        try (CsvTable t = CsvReader.builder().missingTokens("", "-999").impute(CsvReader.Missing.MEDIAN).build().read(f)) {
            // Only the exact text is the token: -999.0 stays a number, and column 2's median is that of 4 and -999.
            assertArrayEquals(new float[] {1, -497.5f, 2, 4, 3, -999}, t.dataset().features().toArray());
            assertEquals(List.of(new CsvTable.Imputed("column 1", 1, 2f), new CsvTable.Imputed("column 2", 1, -497.5f)), t.imputed());
        }
    }

    @Test
    void missingLabelIsNeverImputed() throws IOException {
        Path f = csv("l.csv", "1,0\n2,\n");
        fails(CsvReader.builder().classLabels(1).impute(CsvReader.Missing.MEAN).build(), f, 2, 2);
        fails(CsvReader.builder().target(1).impute(CsvReader.Missing.MEAN).build(), f, 2, 2);
    }

    @Test
    void categoriesAreCodedAndTheMappingIsRecorded() throws IOException {
        Path f = csv("g.csv", "age,sex,y\n30,Male,1\n40,Female,0\n50,Male,1\n");
        try (CsvTable t = CsvReader.builder().header(true).categorical("sex").classLabels("y").build().read(f)) {
            assertEquals(Map.of("sex", List.of("Female", "Male")), t.categories());
            assertArrayEquals(new float[] {30, 1, 40, 0, 50, 1}, t.dataset().features().toArray());
        }
        try (CsvTable t = CsvReader.builder().header(true).categorical("sex", "Male", "Female").classLabels("y").build().read(f)) {
            assertArrayEquals(new float[] {30, 0, 40, 1, 50, 0}, t.dataset().features().toArray());
        }
        DataFileException e = fails(CsvReader.builder().header(true).categorical("sex", "Male").classLabels("y").build(), f, 3, 2);
        assertTrue(e.getMessage().contains("'Female'"), e.getMessage());
    }

    @Test
    void aOneHotColumnBecomesOneZeroOneColumnPerValueNamedAsPandasDoes() throws IOException {
        Path f = csv("o.csv", "age,colour,y\n30,red,1\n40,green,0\n50,blue,1\n60,red,0\n");
        try (CsvTable t = CsvReader.builder().header(true).oneHot("colour").classLabels("y").build().read(f)) {
            assertEquals(List.of("age", "colour_blue", "colour_green", "colour_red"), t.dataset().featureNames());
            assertEquals(List.of("age", "colour"), t.columns());
            assertEquals(Map.of("colour", List.of("blue", "green", "red")), t.oneHot());
            assertEquals(Map.of(), t.categories());
            assertArrayEquals(new float[] {30, 0, 0, 1, 40, 0, 1, 0, 50, 1, 0, 0, 60, 0, 0, 1}, t.dataset().features().toArray());
        }
        // Given values fix the columns' order; a value not among them is an error at its cell.
        try (CsvTable t = CsvReader.builder().header(true).oneHot(1, "red", "green", "blue", "violet").classLabels("y")
                .build().read(f)) {
            assertEquals(5, t.dataset().featureCount());
            assertArrayEquals(new float[] {30, 1, 0, 0, 0, 40, 0, 1, 0, 0}, java.util.Arrays.copyOf(t.dataset().features().toArray(), 10));
        }
        DataFileException e = fails(CsvReader.builder().header(true).oneHot("colour", "red", "green").classLabels("y").build(), f, 4, 2);
        assertTrue(e.getMessage().contains("'blue'"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> CsvReader.builder().header(true).oneHot("colour").categorical("colour").classLabels("y").build().read(f));
    }

    @Test
    void aWordInANumberColumnPointsTheLibraryUserAtMissingTokensAndCategoricalColumns() throws IOException {
        Path f = csv("w.csv", "1,2\n?,3\n");
        DataFileException e = fails(CsvReader.builder().build(), f, 2, 1);
        assertTrue(e.getMessage().contains("missing tokens") && e.getMessage().contains("declare a column of categories"),
                e.getMessage());
    }

    @Test
    void fillEveryColumnRecordsTheFillOfColumnsWithoutGaps() throws IOException {
        Path f = csv("e.csv", "1,B,0\n4,A,1\n,B,0\n");
        try (CsvTable t = CsvReader.builder().categorical(1).classLabels(2).impute(CsvReader.Missing.MEDIAN)
                .fillEveryColumn().build().read(f)) {
            assertEquals(List.of(new CsvTable.Imputed("column 1", 1, 2.5f), new CsvTable.Imputed("column 2", 0, 1f)),
                    t.imputed());
            assertArrayEquals(new float[] {1, 1, 4, 0, 2.5f, 1}, t.dataset().features().toArray());
        }
        // Without imputation there is nothing to record for a column without gaps.
        try (CsvTable t = CsvReader.builder().categorical(1).classLabels(2).fillEveryColumn().build().read(csv("n.csv", "1,B,0\n4,A,1\n"))) {
            assertEquals(List.of(), t.imputed());
        }
    }

    @Test
    void aMissingOneHotCellTakesTheMostFrequentValue() throws IOException {
        Path f = csv("p.csv", "B,1\nA,2\n,3\nB,4\nC,5\n");
        try (CsvTable t = CsvReader.builder().oneHot(0).impute(CsvReader.Missing.MEDIAN).build().read(f)) {
            assertArrayEquals(new float[] {0, 1, 0, 1, 1, 0, 0, 2, 0, 1, 0, 3, 0, 1, 0, 4, 0, 0, 1, 5},
                    t.dataset().features().toArray());
            assertEquals(List.of(new CsvTable.Imputed("column 1", 1, 1f)), t.imputed());
        }
        // A fill given for the column (a code, as recorded) wins over the data's own.
        try (CsvTable t = CsvReader.builder().oneHot(0, "A", "B", "C").fill(0, 2f).impute(CsvReader.Missing.MEDIAN).build().read(f)) {
            assertArrayEquals(new float[] {0, 0, 1, 3}, java.util.Arrays.copyOfRange(t.dataset().features().toArray(), 8, 12));
        }
    }

    @Test
    void missingCategoryIsImputedWithTheMostFrequentOne() throws IOException {
        Path g = csv("h.csv", "B,1\nA,2\n,3\nB,4\n");
        try (CsvTable t = CsvReader.builder().categorical(0).impute(CsvReader.Missing.MEDIAN).build().read(g)) {
            assertArrayEquals(new float[] {1, 1, 0, 2, 1, 3, 1, 4}, t.dataset().features().toArray());
        }
    }

    @Test
    void textInANumericColumnNamesLineAndColumn() throws IOException {
        Path f = csv("n.csv", "h1,h2\n1,2\n3,Male\n");
        DataFileException e = fails(CsvReader.builder().header(true).build(), f, 3, 2);
        assertTrue(e.getMessage().contains("'Male'") && e.getMessage().contains("categorical"), e.getMessage());
        for (String notANumber : new String[] {"1d", "0x10", "NaN", "Infinity", "1.2.3", "--1", "1e"}) {
            Path g = csv("bad.csv", "1,2\n3," + notANumber + "\n");
            fails(CsvReader.builder().build(), g, 2, 2);
        }
    }

    @Test
    void raggedRowsAreReported() throws IOException {
        Path shortRow = csv("short.csv", "1,2,3\n4,5\n");
        assertTrue(fails(CsvReader.builder().build(), shortRow, 2, 3).getMessage().contains("2 fields, expected 3"));
        Path longRow = csv("long.csv", "a,b\n1,2\n3,4,5\n");
        fails(CsvReader.builder().header(true).build(), longRow, 3, 3);
    }

    @Test
    void crlfBomBlankLinesAndOtherDelimitersAreHandled() throws IOException {
        Path f = csv("w.csv", "\uFEFFx;y\r\n1;2\r\n\r\n3;4\r\n");
        try (CsvTable t = CsvReader.builder().header(true).delimiter(';').target("y").build().read(f)) {
            assertEquals(List.of("x"), t.dataset().featureNames());
            assertArrayEquals(new float[] {1, 3}, t.dataset().features().toArray());
            assertArrayEquals(new float[] {2, 4}, t.dataset().labels().toArray());
        }
        // A blank line still counts for the line numbers of later errors.
        Path g = csv("blank.csv", "1,2\n\n3,oops\n");
        fails(CsvReader.builder().build(), g, 3, 2);
    }

    @Test
    void headerProblemsAndEmptyFilesAreClear() throws IOException {
        Path dup = csv("dup.csv", "a,b,a\n1,2,3\n");
        fails(CsvReader.builder().header(true).build(), dup, 1, 3);
        Path f = csv("a.csv", "a,b\n1,2\n");
        fails(CsvReader.builder().header(true).target("c").build(), f, 1, 0);
        Path empty = csv("empty.csv", "a,b\n");
        DataFileException e = assertThrows(DataFileException.class, () -> CsvReader.builder().header(true).build().read(empty));
        assertTrue(e.getMessage().contains("no data rows"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CsvReader.builder().target("y").build());
    }

    @Test
    void withoutALabelTheDatasetIsUnlabeled() throws IOException {
        Path f = csv("p.csv", "1,2\n3,4\n");
        try (CsvTable t = CsvReader.builder().build().read(f)) {
            assertFalse(t.dataset().hasLabels());
            assertEquals(2, t.dataset().featureCount());
        }
    }
}
