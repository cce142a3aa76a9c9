package dev.lanes.data;

import dev.lanes.tensor.Matrix;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads a numeric table from CSV into a {@link Dataset}.
 *
 * <ul>
 *   <li>Optional header row; columns are named by the header or numbered (column 1, 2, …).</li>
 *   <li>One label column, by name or index (negative counts from the end), read as class labels or a
 *       regression target; or none, for data to predict on.</li>
 *   <li>Categorical columns: text values become codes 0, 1, … in sorted order, or in an order given.</li>
 *   <li>Missing cells (empty, or a chosen token) are an error naming line and column, unless imputation
 *       with the column mean, median or a constant is asked for. Labels are never imputed.</li>
 *   <li>Fields may be double-quoted ({@code ""} inside quotes is a quote); a quoted field cannot span lines.
 *       Blank lines are skipped. A UTF-8 byte order mark is ignored; line ends may be LF or CRLF.</li>
 * </ul>
 *
 * Every error names the file, the 1-based line and the 1-based column.
 */
public final class CsvReader {
    /** How to read the label column. */
    public enum LabelKind { NONE, CLASSES, TARGET }

    /** What to do with missing cells in feature columns. */
    public enum Missing { FAIL, MEAN, MEDIAN, CONSTANT }

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private final char delimiter;
    private final boolean header;
    private final LabelKind labelKind;
    private final Column label;
    private final List<String> classNames;
    private final Map<Column, List<String>> categorical;
    private final Missing missing;
    private final float constant;
    private final Set<String> missingTokens;
    private final List<String> columnNames;

    private CsvReader(Builder b) {
        this.delimiter = b.delimiter;
        this.header = b.header;
        this.labelKind = b.labelKind;
        this.label = b.label;
        this.classNames = b.classNames;
        this.categorical = new LinkedHashMap<>(b.categorical);
        this.missing = b.missing;
        this.constant = b.constant;
        this.missingTokens = Set.copyOf(b.missingTokens);
        this.columnNames = b.columnNames;
    }

    public static Builder builder() { return new Builder(); }

    /** A column named in the header, or by 0-based index (negative: from the end). */
    private record Column(String name, int index) {
        int resolve(List<String> names, Path file) {
            if (name != null) {
                int i = names.indexOf(name);
                if (i < 0) throw DataFileException.atLine(file, 1, 0, "no column named '" + name + "' in the header " + names);
                return i;
            }
            int i = index < 0 ? names.size() + index : index;
            if (i < 0 || i >= names.size()) {
                throw DataFileException.atLine(file, 1, 0, "column index " + index + " is outside the " + names.size() + " columns");
            }
            return i;
        }

        @Override
        public String toString() { return name != null ? "'" + name + "'" : "index " + index; }
    }

    public static final class Builder {
        private char delimiter = ',';
        private boolean header;
        private LabelKind labelKind = LabelKind.NONE;
        private Column label;
        private List<String> classNames;
        private final Map<Column, List<String>> categorical = new LinkedHashMap<>();
        private Missing missing = Missing.FAIL;
        private float constant;
        private Set<String> missingTokens = Set.of("");
        private List<String> columnNames;

        private Builder() {}

        public Builder delimiter(char c) {
            if (c == '"' || c == '\n' || c == '\r') throw new IllegalArgumentException("invalid delimiter " + c);
            delimiter = c;
            return this;
        }

        /** Names for the columns of a file without a header (default: column 1, column 2, …). */
        public Builder columnNames(String... names) {
            columnNames = List.of(names);
            return this;
        }

        /** Whether the first line holds column names (default: no). */
        public Builder header(boolean hasHeader) { header = hasHeader; return this; }

        /**
         * Class labels from column {@code name}. Integer labels 0..k-1 are used as they are;
         * anything else gets ids in sorted order, unless {@link #classNames} fixes the order.
         */
        public Builder classLabels(String name) { return label(new Column(name, 0), LabelKind.CLASSES); }

        public Builder classLabels(int index) { return label(new Column(null, index), LabelKind.CLASSES); }

        /** A regression target from column {@code name}. */
        public Builder target(String name) { return label(new Column(name, 0), LabelKind.TARGET); }

        public Builder target(int index) { return label(new Column(null, index), LabelKind.TARGET); }

        /** The label values in class-id order: {@code values[i]} becomes class i. */
        public Builder classNames(String... values) {
            classNames = List.of(values);
            return this;
        }

        /** Text column {@code name} mapped to codes in sorted order of its values. */
        public Builder categorical(String name) { categorical.put(new Column(name, 0), null); return this; }

        public Builder categorical(int index) { categorical.put(new Column(null, index), null); return this; }

        /** Text column {@code name} with a fixed mapping: {@code values[i]} becomes code i; other values are errors. */
        public Builder categorical(String name, String... values) {
            categorical.put(new Column(name, 0), List.of(values));
            return this;
        }

        public Builder categorical(int index, String... values) {
            categorical.put(new Column(null, index), List.of(values));
            return this;
        }

        /** Fill missing feature cells with the column's mean, median or mode (categorical) instead of failing. */
        public Builder impute(Missing how) {
            if (how == Missing.CONSTANT) throw new IllegalArgumentException("use imputeConstant(value)");
            missing = how;
            return this;
        }

        public Builder imputeConstant(float value) {
            missing = Missing.CONSTANT;
            constant = value;
            return this;
        }

        /** Cell texts that mean "missing" (default: only the empty cell). */
        public Builder missingTokens(String... tokens) {
            missingTokens = Set.of(tokens);
            return this;
        }

        private Builder label(Column c, LabelKind kind) {
            label = c;
            labelKind = kind;
            return this;
        }

        public CsvReader build() {
            if (classNames != null && labelKind != LabelKind.CLASSES) {
                throw new IllegalArgumentException("classNames needs a class label column");
            }
            if (header && columnNames != null) {
                throw new IllegalArgumentException("columnNames is for files without a header");
            }
            if (!header && columnNames == null && (label != null && label.name != null || categorical.keySet().stream().anyMatch(c -> c.name != null))) {
                throw new IllegalArgumentException("columns can only be named when the file has a header");
            }
            return new CsvReader(this);
        }
    }

    /**
     * Reads {@code file}.
     *
     * @throws DataFileException naming file, line and column for a ragged row, a non-numeric cell,
     *         a missing cell (unless imputing), an unknown category or label, or an unreadable file
     */
    public CsvTable read(Path file) {
        List<String[]> rows = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        List<String> names = readRows(file, rows, lineNumbers);
        int m = names.size();
        int labelIndex = label != null ? label.resolve(names, file) : -1;
        boolean[] isCategorical = new boolean[m];
        List<String>[] fixedCodes = resolveCategorical(names, file, labelIndex, isCategorical);

        int n = rows.size();
        int d = labelIndex >= 0 ? m - 1 : m;
        if (d < 1) throw DataFileException.atLine(file, 1, 0, "no feature columns besides the label");
        float[][] columns = new float[m][n];
        Map<String, List<String>> categoryRecord = new LinkedHashMap<>();
        List<CsvTable.Imputed> imputed = new ArrayList<>();
        for (int j = 0; j < m; j++) {
            if (j == labelIndex) continue;
            if (isCategorical[j]) {
                List<String> codes = encodeCategorical(file, rows, lineNumbers, j, names.get(j), fixedCodes[j], columns[j]);
                categoryRecord.put(names.get(j), codes);
            } else {
                parseNumeric(file, rows, lineNumbers, j, names.get(j), columns[j]);
            }
            CsvTable.Imputed fill = fillMissing(file, lineNumbers, j, names.get(j), columns[j], isCategorical[j]);
            if (fill != null) imputed.add(fill);
        }

        Matrix features = Matrix.allocate(n, d);
        Matrix labels = null;
        try {
            List<String> featureNames = new ArrayList<>(d);
            float[] rowMajor = new float[Math.multiplyExact(n, d)];
            int out = 0;
            for (int j = 0; j < m; j++) {
                if (j == labelIndex) continue;
                featureNames.add(names.get(j));
                for (int r = 0; r < n; r++) rowMajor[r * d + out] = columns[j][r];
                out++;
            }
            features.copyFrom(rowMajor);
            Dataset dataset;
            if (labelKind == LabelKind.NONE) {
                dataset = Dataset.unlabeled(features, featureNames);
            } else {
                labels = Matrix.allocate(n, 1);
                if (labelKind == LabelKind.TARGET) {
                    parseNumeric(file, rows, lineNumbers, labelIndex, names.get(labelIndex), columns[labelIndex]);
                    failOnMissing(file, lineNumbers, labelIndex, names.get(labelIndex), columns[labelIndex], "label");
                    labels.copyFrom(columns[labelIndex]);
                    dataset = Dataset.regression(features, labels, featureNames);
                } else {
                    List<String> classes = encodeClasses(file, rows, lineNumbers, labelIndex, names.get(labelIndex), columns[labelIndex]);
                    labels.copyFrom(columns[labelIndex]);
                    dataset = Dataset.classification(features, labels, featureNames, classes);
                }
            }
            return new CsvTable(dataset, categoryRecord, imputed);
        } catch (RuntimeException e) {
            features.close();
            if (labels != null) labels.close();
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private List<String>[] resolveCategorical(List<String> names, Path file, int labelIndex, boolean[] isCategorical) {
        List<String>[] fixed = new List[names.size()];
        for (Map.Entry<Column, List<String>> e : categorical.entrySet()) {
            int j = e.getKey().resolve(names, file);
            if (j == labelIndex) {
                throw new IllegalArgumentException("column " + e.getKey() + " is the label; use classNames for its values");
            }
            fixed[j] = e.getValue();
            isCategorical[j] = true;
        }
        return fixed;
    }

    /** Reads all non-blank lines into rows of exactly the header's (or first row's) width; returns the column names. */
    private List<String> readRows(Path file, List<String[]> rows, List<Integer> lineNumbers) {
        List<String> names = null;
        List<String> fields = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') line = line.substring(1);
                if (line.isBlank()) continue;
                split(file, lineNo, line, fields);
                if (names == null) {
                    if (header) {
                        names = List.copyOf(fields);
                        checkUniqueNames(file, lineNo, names);
                        continue;
                    }
                    if (columnNames != null) {
                        names = columnNames;
                    } else {
                        names = new ArrayList<>();
                        for (int j = 1; j <= fields.size(); j++) names.add("column " + j);
                    }
                }
                if (fields.size() != names.size()) {
                    throw DataFileException.atLine(file, lineNo, Math.min(fields.size(), names.size()) + 1,
                            "ragged row: " + fields.size() + " fields, expected " + names.size());
                }
                rows.add(fields.toArray(String[]::new));
                lineNumbers.add(lineNo);
            }
        } catch (NoSuchFileException e) {
            throw DataFileException.ofFile(file, "no such file", e);
        } catch (java.nio.charset.MalformedInputException e) {
            throw DataFileException.ofFile(file, "not UTF-8 text", e);
        } catch (IOException e) {
            throw DataFileException.ofFile(file, "cannot be read: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw DataFileException.ofFile(file, header ? "no data rows after the header" : "no data rows", null);
        }
        return names;
    }

    private static void checkUniqueNames(Path file, int lineNo, List<String> names) {
        Map<String, Integer> seen = new HashMap<>();
        for (int j = 0; j < names.size(); j++) {
            Integer before = seen.put(names.get(j), j);
            if (before != null) {
                throw DataFileException.atLine(file, lineNo, j + 1, "column name '" + names.get(j) + "' also names column " + (before + 1));
            }
        }
    }

    /** Splits one line into trimmed fields, honouring double quotes. */
    private void split(Path file, int lineNo, String line, List<String> fields) {
        fields.clear();
        int i = 0;
        int len = line.length();
        while (true) {
            while (i < len && line.charAt(i) == ' ' && delimiter != ' ') i++;
            if (i < len && line.charAt(i) == '"') {
                StringBuilder sb = new StringBuilder();
                int open = i++;
                while (true) {
                    if (i >= len) {
                        throw DataFileException.atLine(file, lineNo, fields.size() + 1,
                                "unterminated quote opened at character " + (open + 1) + " (a field cannot span lines)");
                    }
                    char ch = line.charAt(i++);
                    if (ch == '"') {
                        if (i < len && line.charAt(i) == '"') {
                            sb.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        sb.append(ch);
                    }
                }
                while (i < len && line.charAt(i) == ' ' && delimiter != ' ') i++;
                if (i < len && line.charAt(i) != delimiter) {
                    throw DataFileException.atLine(file, lineNo, fields.size() + 1, "unexpected text after a closing quote");
                }
                fields.add(sb.toString());
            } else {
                int end = line.indexOf(delimiter, i);
                if (end < 0) end = len;
                fields.add(line.substring(i, end).strip());
                i = end;
            }
            if (i >= len) return;
            i++; // the delimiter; a delimiter at the very end leaves one more (empty) field
            if (i == len) {
                fields.add("");
                return;
            }
        }
    }

    /** Parses column j into {@code out}; missing cells become NaN. */
    private void parseNumeric(Path file, List<String[]> rows, List<Integer> lines, int j, String name, float[] out) {
        for (int r = 0; r < rows.size(); r++) {
            String cell = rows.get(r)[j];
            if (missingTokens.contains(cell)) {
                out[r] = Float.NaN;
            } else if (NUMBER.matcher(cell).matches()) {
                out[r] = Float.parseFloat(cell);
                if (!Float.isFinite(out[r])) {
                    throw DataFileException.atLine(file, lines.get(r), j + 1, "'" + cell + "' in column '" + name + "' overflows a float");
                }
            } else {
                throw DataFileException.atLine(file, lines.get(r), j + 1, "'" + cell + "' in column '" + name
                        + "' is not a number (declare the column categorical if it holds categories)");
            }
        }
    }

    /** Codes column j into {@code out} (missing: NaN); returns the values in code order. */
    private List<String> encodeCategorical(Path file, List<String[]> rows, List<Integer> lines, int j, String name,
                                           List<String> fixed, float[] out) {
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
                throw DataFileException.atLine(file, lines.get(r), j + 1, "'" + cell + "' in column '" + name
                        + "' is not one of its categories " + codes);
            }
            out[r] = code;
        }
        return codes;
    }

    /** Class ids for the label column: integers 0..k-1 as they are, else sorted or given names. */
    private List<String> encodeClasses(Path file, List<String[]> rows, List<Integer> lines, int j, String name, float[] out) {
        for (int r = 0; r < rows.size(); r++) {
            if (missingTokens.contains(rows.get(r)[j])) {
                throw DataFileException.atLine(file, lines.get(r), j + 1, "the label (column '" + name + "') is missing");
            }
        }
        List<String> classes = classNames;
        if (classes == null) {
            int max = -1;
            boolean integers = true;
            for (String[] row : rows) {
                int v = nonNegativeInt(row[j]);
                if (v < 0) {
                    integers = false;
                    break;
                }
                max = Math.max(max, v);
            }
            if (integers) {
                classes = Dataset.numberedNames("", Math.max(max + 1, 2));
                for (int r = 0; r < rows.size(); r++) out[r] = nonNegativeInt(rows.get(r)[j]);
                return classes;
            }
            TreeSet<String> values = new TreeSet<>();
            for (String[] row : rows) values.add(row[j]);
            classes = List.copyOf(values);
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) index.put(classes.get(i), i);
        for (int r = 0; r < rows.size(); r++) {
            Integer id = index.get(rows.get(r)[j]);
            if (id == null) {
                throw DataFileException.atLine(file, lines.get(r), j + 1, "label '" + rows.get(r)[j]
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

    private CsvTable.Imputed fillMissing(Path file, List<Integer> lines, int j, String name, float[] values, boolean isCategorical) {
        int count = 0;
        for (float v : values) if (Float.isNaN(v)) count++;
        if (count == 0) return null;
        if (missing == Missing.FAIL) {
            failOnMissing(file, lines, j, name, values, "cell");
        }
        float fill = switch (missing) {
            case CONSTANT -> constant;
            case MEAN -> isCategorical ? mode(values) : mean(values);
            case MEDIAN -> isCategorical ? mode(values) : median(values, count);
            case FAIL -> throw new AssertionError();
        };
        if (Float.isNaN(fill)) {
            throw DataFileException.atLine(file, lines.get(0), j + 1, "column '" + name + "' has no values to impute from");
        }
        for (int r = 0; r < values.length; r++) if (Float.isNaN(values[r])) values[r] = fill;
        return new CsvTable.Imputed(name, count, fill);
    }

    private static void failOnMissing(Path file, List<Integer> lines, int j, String name, float[] values, String what) {
        int count = 0;
        int first = -1;
        for (int r = 0; r < values.length; r++) {
            if (Float.isNaN(values[r])) {
                if (first < 0) first = r;
                count++;
            }
        }
        if (count == 0) return;
        throw DataFileException.atLine(file, lines.get(first), j + 1, "missing " + what + " in column '" + name + "'"
                + (count > 1 ? " (" + count + " missing in this column)" : "")
                + ("cell".equals(what) ? "; ask for imputation (mean, median or a constant) to fill it" : ""));
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
