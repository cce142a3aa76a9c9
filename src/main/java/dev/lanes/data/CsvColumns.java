package dev.lanes.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Turns text columns of a {@link CsvText} into floats: numbers, category codes, class ids; fills gaps. */
final class CsvColumns {
    /**
     * Whether {@code s} is a plain decimal with an optional exponent, {@code [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?}:
     * not Java's "1f", "0x1p3", "NaN" or "Infinity", nor blanks around it. Every cell of a numeric
     * column is checked, and a regex matcher was half of the time of reading a 200,000-row file.
     */
    static boolean isNumber(String s) {
        int n = s.length(), i = 0;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
        int start = i;
        while (i < n && isDigit(s.charAt(i))) i++;
        int whole = i - start;
        int fraction = 0;
        if (i < n && s.charAt(i) == '.') {
            int from = ++i;
            while (i < n && isDigit(s.charAt(i))) i++;
            fraction = i - from;
        }
        if (whole == 0 && fraction == 0) return false;
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            int from = i;
            while (i < n && isDigit(s.charAt(i))) i++;
            if (i == from) return false;
        }
        return i == n;
    }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

    private final Path file;
    private final List<String[]> rows;
    private final int[] lines;
    private final Set<String> missingTokens;
    /** Whether a missing token reads as a number ("-999"): only then must a number be looked up. */
    private final boolean numericMissingTokens;
    private final CsvReader.Missing missing;
    private final float constant;

    CsvColumns(CsvText text, Set<String> missingTokens, CsvReader.Missing missing, float constant) {
        this.file = text.file();
        this.rows = text.rows();
        this.lines = text.lines();
        this.missingTokens = missingTokens;
        this.numericMissingTokens = missingTokens.stream().anyMatch(CsvColumns::isNumber);
        this.missing = missing;
        this.constant = constant;
    }

    private int line(int row) { return lines[row]; }

    /** Parses column j into {@code out}; missing cells become NaN. */
    void parseNumeric(int j, String name, float[] out) {
        for (int r = 0; r < rows.size(); r++) {
            String cell = rows.get(r)[j];
            // Numbers first: hashing every cell into the token set took a third of the parse.
            boolean number = isNumber(cell);
            if (number ? numericMissingTokens && missingTokens.contains(cell) : missingTokens.contains(cell)) {
                out[r] = Float.NaN;
            } else if (number) {
                out[r] = Float.parseFloat(cell);
                if (!Float.isFinite(out[r])) {
                    throw DataFileException.atLine(file, line(r), j + 1, "'" + cell + "' in column '" + name + "' overflows a float");
                }
            } else {
                throw DataFileException.atLine(file, line(r), j + 1, "'" + cell + "' in column '" + name
                        + "' is not a number" + (missingTokens.contains("NA")
                                // pandas' markers, as the CLI reads files: its users declare no columns, and a
                                // text column is coded only when none of its cells is a number.
                                ? " (mark a missing value as an empty cell or NA; a column of categories must"
                                        + " hold no numbers)"
                                : " (a missing value must be an empty cell or one of the reader's missing tokens;"
                                        + " declare a column of categories categorical)"));
            }
        }
    }

    /** Codes column j into {@code out} (missing: NaN); returns the values in code order. */
    List<String> encodeCategorical(int j, String name, List<String> fixed, float[] out) {
        List<String> codes = fixed;
        if (codes == null) {
            TreeSet<String> values = new TreeSet<>();
            for (String[] row : rows) {
                if (!missingTokens.contains(row[j])) values.add(row[j]);
            }
            codes = List.copyOf(values);
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < codes.size(); i++) index.put(codes.get(i), i);
        for (int r = 0; r < rows.size(); r++) {
            String cell = rows.get(r)[j];
            if (missingTokens.contains(cell)) {
                out[r] = Float.NaN;
                continue;
            }
            Integer code = index.get(cell);
            if (code == null) {
                throw DataFileException.atLine(file, line(r), j + 1, "'" + cell + "' in column '" + name
                        + "' is not one of its categories " + codes);
            }
            out[r] = code;
        }
        return codes;
    }

    /** Class ids for the label column: integers 0..k-1 as they are, else sorted or given names. */
    List<String> encodeClasses(int j, String name, List<String> fixedClasses, float[] out) {
        for (int r = 0; r < rows.size(); r++) {
            if (missingTokens.contains(rows.get(r)[j])) {
                throw DataFileException.atLine(file, line(r), j + 1, "the label (column '" + name + "') is missing");
            }
        }
        List<String> classes = fixedClasses;
        if (classes == null) {
            int max = -1;
            boolean integers = true;
            TreeSet<Integer> distinct = new TreeSet<>();
            for (String[] row : rows) {
                int v = nonNegativeInt(row[j]);
                if (v < 0) {
                    integers = false;
                    break;
                }
                max = Math.max(max, v);
                distinct.add(v);
            }
            // Integers that number the classes (0..k-1, a few ids possibly unused) are the ids. Sparse
            // ones (codes such as 10 and 999999999) would make a class, and an output, per number in
            // between: they are named classes instead, in numeric order.
            if (integers && max < 2 * distinct.size() + 8) {
                classes = Dataset.numberedNames("", Math.max(max + 1, 2));
                for (int r = 0; r < rows.size(); r++) out[r] = nonNegativeInt(rows.get(r)[j]);
                return classes;
            }
            if (integers) {
                List<Integer> ids = List.copyOf(distinct);
                if (ids.size() < 2) {
                    throw DataFileException.ofFile(file, "the label column '" + name + "' has only the class " + ids, null);
                }
                for (int r = 0; r < rows.size(); r++) out[r] = Collections.binarySearch(ids, nonNegativeInt(rows.get(r)[j]));
                return ids.stream().map(String::valueOf).toList();
            } else {
                TreeSet<String> values = new TreeSet<>();
                for (String[] row : rows) values.add(row[j]);
                classes = List.copyOf(values);
            }
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) index.put(classes.get(i), i);
        for (int r = 0; r < rows.size(); r++) {
            Integer id = index.get(rows.get(r)[j]);
            if (id == null) {
                throw DataFileException.atLine(file, line(r), j + 1, "label '" + rows.get(r)[j]
                        + "' is not one of the classes " + classes);
            }
            out[r] = id;
        }
        if (classes.size() < 2) {
            throw DataFileException.ofFile(file, "the label column '" + name + "' has only the class " + classes, null);
        }
        return classes;
    }

    /** The value of a plain non-negative integer text (at most 9 digits), or -1. */
    private static int nonNegativeInt(String s) {
        if (s.isEmpty() || s.length() > 9) return -1;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return -1;
        }
        return Integer.parseInt(s);
    }

    /**
     * {@code given}: this column's fill value from {@link CsvReader.Builder#fill}, or NaN; {@code always}:
     * return the fill value of a column without gaps too (count 0), when imputing.
     */
    CsvTable.Imputed fillMissing(int j, String name, float[] values, boolean isCategorical, float given, boolean always) {
        int count = 0;
        for (float v : values) if (Float.isNaN(v)) count++;
        if (count == 0 && !(always && (missing != CsvReader.Missing.FAIL || !Float.isNaN(given)))) return null;
        if (missing == CsvReader.Missing.FAIL && Float.isNaN(given)) {
            failOnMissing(j, name, values, "cell");
        }
        float fill = !Float.isNaN(given) ? given : switch (missing) {
            case CONSTANT -> constant;
            case MEAN -> isCategorical ? mode(values) : mean(values);
            case MEDIAN -> isCategorical ? mode(values) : median(values, count);
            case FAIL -> throw new AssertionError();
        };
        if (Float.isNaN(fill)) {
            throw DataFileException.atLine(file, line(0), j + 1, "column '" + name + "' has no values to impute from");
        }
        for (int r = 0; r < values.length; r++) if (Float.isNaN(values[r])) values[r] = fill;
        return new CsvTable.Imputed(name, count, fill);
    }

    void failOnMissing(int j, String name, float[] values, String what) {
        int count = 0;
        int first = -1;
        for (int r = 0; r < values.length; r++) {
            if (Float.isNaN(values[r])) {
                if (first < 0) first = r;
                count++;
            }
        }
        if (count == 0) return;
        String problem = "missing " + what + " in column '" + name + "'" + (count > 1 ? " (" + count + " missing in this column)" : "");
        if (!"cell".equals(what)) throw DataFileException.atLine(file, line(first), j + 1, problem);
        throw DataFileException.missingCell(file, line(first), j + 1,
                problem + "; ask for imputation (mean, median or a constant) to fill it");
    }

    private static float mean(float[] values) {
        double sum = 0;
        int n = 0;
        for (float v : values) {
            if (!Float.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Float.NaN : (float) (sum / n);
    }

    private static float median(float[] values, int missingCount) {
        float[] present = new float[values.length - missingCount];
        int i = 0;
        for (float v : values) if (!Float.isNaN(v)) present[i++] = v;
        if (present.length == 0) return Float.NaN;
        Arrays.sort(present);
        int mid = present.length / 2;
        return present.length % 2 == 1 ? present[mid] : (present[mid - 1] + present[mid]) / 2f;
    }

    /** The most frequent code (lowest on ties). */
    private static float mode(float[] codes) {
        Map<Float, Integer> counts = new HashMap<>();
        for (float v : codes) if (!Float.isNaN(v)) counts.merge(v, 1, Integer::sum);
        float best = Float.NaN;
        int bestCount = 0;
        for (Map.Entry<Float, Integer> e : counts.entrySet()) {
            if (e.getValue() > bestCount || e.getValue() == bestCount && e.getKey() < best) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }
}
