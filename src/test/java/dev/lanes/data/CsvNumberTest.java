package dev.lanes.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link CsvColumns#isNumber} accepts exactly what the grammar in its comment, as a regex, accepts. */
class CsvNumberTest {
    private static final Pattern GRAMMAR = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    @Test
    void agreesWithTheGrammarOnChosenCells() {
        String[] cells = {"", "0", "7", "-7", "+7", "1.", ".5", "-.5", "+.5e-3", "1.5", "12.25E+10", "1e5", "1e", "1e+",
            "e5", ".", "-", "+", "+-1", "1.2.3", "1..2", "..5", "1.e3", ".e3", "1 ", " 1", "1f", "0x1p3", "NaN", "Infinity",
            "-Infinity", "1,5", "١٢", "1_000", "0.0000001", "-0", "00012", "3e-45", "1E0", "1e5.5"};
        for (String cell : cells) {
            assertEquals(GRAMMAR.matcher(cell).matches(), CsvColumns.isNumber(cell), "'" + cell + "'");
        }
    }

    @Test
    void agreesWithTheGrammarOnRandomCells() {
        String alphabet = "0123456789+-.eE x";
        SplittableRandom random = new SplittableRandom(20261123);
        int accepted = 0;
        for (int t = 0; t < 200_000; t++) {
            char[] cell = new char[random.nextInt(8)];
            for (int i = 0; i < cell.length; i++) {
                // Digits twice as likely as the rest, so that well-formed numbers come up often.
                cell[i] = random.nextBoolean() ? (char) ('0' + random.nextInt(10)) : alphabet.charAt(random.nextInt(alphabet.length()));
            }
            String s = new String(cell);
            boolean expected = GRAMMAR.matcher(s).matches();
            assertEquals(expected, CsvColumns.isNumber(s), "'" + s + "'");
            if (expected) accepted++;
        }
        // Both answers came up many times: the comparison tested something.
        assertEquals(true, accepted > 10_000 && accepted < 190_000, "accepted " + accepted);
    }
}
