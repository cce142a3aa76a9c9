package dev.lanes.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A CSV file's label column as written: each row's text and its 1-based line. What a caller looks
 * at before it decides how to read the column (class labels or a regression target, and which
 * classes), and what it quotes, value and line, when the column looks wrong. Read with
 * {@link CsvReader#labelColumn(Path)}.
 *
 * <p>Numbers are recognised as {@link CsvReader} parses them: plain decimals with an optional
 * exponent. A number is integral when it has no fractional part ({@code "2"}, {@code "-1"},
 * {@code "2.0"}).
 */
public final class LabelColumn {
    /** How many lines {@link Value#firstLines()} keeps per value. */
    public static final int LINES_KEPT = 5;

    /**
     * One distinct value of the column.
     *
     * @param text       the value as written
     * @param count      how many rows hold it
     * @param firstLines the lines of its first rows (at most {@link #LINES_KEPT})
     */
    public record Value(String text, int count, List<Integer> firstLines) {
        public Value {
            firstLines = List.copyOf(firstLines);
        }
    }

    private final Path file;
    private final String name;
    private final int column;
    private final List<String> texts;
    private final int[] lines;
    private final Set<String> missingTokens;

    LabelColumn(Path file, String name, int column, List<String> texts, int[] lines, Set<String> missingTokens) {
        this.file = file;
        this.name = name;
        this.column = column;
        this.texts = List.copyOf(texts);
        this.lines = lines.clone();
        this.missingTokens = Set.copyOf(missingTokens);
    }

    public Path file() { return file; }

    /** The column's name (from the header, or "column N"). */
    public String name() { return name; }

    /** The column's 1-based position in the file. */
    public int column() { return column; }

    /** Data rows (every row, missing labels included). */
    public int rows() { return texts.size(); }

    public String text(int row) { return texts.get(row); }

    /** The 1-based line of {@code row} in the file. */
    public int line(int row) { return lines[row]; }

    public boolean isMissing(int row) { return missingTokens.contains(texts.get(row)); }

    /** Whether every label present is a number. */
    public boolean numeric() {
        return nonNumericRows().isEmpty();
    }

    /** Rows whose label is present and not a number ({@code "cat"}, {@code "1,5"}). */
    public List<Integer> nonNumericRows() {
        List<Integer> out = new ArrayList<>();
        for (int r = 0; r < rows(); r++) {
            if (!isMissing(r) && !CsvColumns.isNumber(texts.get(r))) out.add(r);
        }
        return out;
    }

    /** Rows whose label is a number with a fractional part ({@code "0.5"}, {@code "21.6"}). */
    public List<Integer> nonIntegerRows() {
        List<Integer> out = new ArrayList<>();
        for (int r = 0; r < rows(); r++) {
            if (isMissing(r)) continue;
            String t = texts.get(r);
            if (CsvColumns.isNumber(t)) {
                double v = Double.parseDouble(t);
                if (v != Math.rint(v)) out.add(r);
            }
        }
        return out;
    }

    /**
     * The distinct labels present, in numeric order when all are numbers ({@code -1, 0, 1, 2, 10})
     * and in text order otherwise (the order {@link CsvReader} gives text classes).
     */
    public List<Value> distinct() {
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, List<Integer>> first = new LinkedHashMap<>();
        for (int r = 0; r < rows(); r++) {
            if (isMissing(r)) continue;
            String t = texts.get(r);
            counts.computeIfAbsent(t, k -> new int[1])[0]++;
            List<Integer> at = first.computeIfAbsent(t, k -> new ArrayList<>());
            if (at.size() < LINES_KEPT) at.add(lines[r]);
        }
        List<Value> out = new ArrayList<>(counts.size());
        for (var e : counts.entrySet()) out.add(new Value(e.getKey(), e.getValue()[0], first.get(e.getKey())));
        Comparator<Value> byText = Comparator.comparing(Value::text);
        out.sort(numeric() ? Comparator.comparingDouble((Value v) -> Double.parseDouble(v.text())).thenComparing(byText)
                : byText);
        return out;
    }

    @Override
    public String toString() {
        return "label column '" + name + "' of " + file + " (" + rows() + " rows)";
    }
}
