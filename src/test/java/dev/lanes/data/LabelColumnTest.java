package dev.lanes.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LabelColumnTest {
    @TempDir
    Path dir;

    Path csv(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    static List<String> texts(LabelColumn c) {
        return c.distinct().stream().map(LabelColumn.Value::text).toList();
    }

    @Test
    void numericLabelsAreDistinctInNumericOrderWithCountsAndFirstLines() throws IOException {
        // Text order would be -1, 10, 2; blank line 4 is skipped, so rows keep their own line numbers.
        Path f = csv("n.csv", "a,y\n1,10\n2,-1\n\n3,2\n4,10\n5,-1\n6,10\n");
        LabelColumn c = CsvReader.builder().header(true).classLabels("y").build().labelColumn(f);
        assertEquals("y", c.name());
        assertEquals(2, c.column());
        assertEquals(6, c.rows());
        assertTrue(c.numeric());
        assertEquals(List.of("-1", "2", "10"), texts(c));
        LabelColumn.Value ten = c.distinct().get(2);
        assertEquals(3, ten.count());
        assertEquals(List.of(2, 6, 8), ten.firstLines());
        assertEquals(5, c.line(2));
        assertTrue(c.nonIntegerRows().isEmpty());
    }

    @Test
    void textLabelsAreInTextOrderAndFractionsAreFoundByRow() throws IOException {
        Path f = csv("t.csv", "1,yes\n2,no\n3,maybe\n");
        LabelColumn c = CsvReader.builder().classLabels(-1).build().labelColumn(f);
        assertFalse(c.numeric());
        assertEquals(List.of("maybe", "no", "yes"), texts(c));

        Path g = csv("g.csv", "1,0\n2,1\n3,0.5\n4,2.0\n5,1e1\n");
        LabelColumn d = CsvReader.builder().classLabels(1).build().labelColumn(g);
        assertTrue(d.numeric());
        assertEquals(List.of(2), d.nonIntegerRows(), "2.0 and 1e1 are integral; 0.5 (row 2) is not");
        assertEquals("0.5", d.text(2));
    }

    @Test
    void missingLabelsAreNotValuesAndAReaderWithoutALabelHasNoLabelColumn() throws IOException {
        Path f = csv("m.csv", "1,a\n2,\n3,b\n");
        LabelColumn c = CsvReader.builder().classLabels(1).build().labelColumn(f);
        assertTrue(c.isMissing(1));
        assertEquals(List.of("a", "b"), texts(c));
        assertThrows(IllegalStateException.class, () -> CsvReader.builder().build().labelColumn(f));
        DataFileException e = assertThrows(DataFileException.class,
                () -> CsvReader.builder().header(true).classLabels("nope").build().labelColumn(csv("h.csv", "a,b\n1,2\n")));
        assertTrue(e.getMessage().contains("no column named 'nope'"), e.getMessage());
    }

    @Test
    void manyRowsOfOneValueKeepOnlyTheFirstLines() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < 20; r++) sb.append(r).append(",x\n");
        LabelColumn c = CsvReader.builder().classLabels(1).build().labelColumn(csv("x.csv", sb.toString()));
        LabelColumn.Value x = c.distinct().getFirst();
        assertEquals(20, x.count());
        assertEquals(List.of(1, 2, 3, 4, 5), x.firstLines());
    }
}
