package dev.lanes.data;

import dev.lanes.tensor.Matrix;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a numeric table from CSV into a {@link Dataset}.
 *
 * <ul>
 *   <li>Optional header row; columns are named by the header or numbered (column 1, 2, …).</li>
 *   <li>One label column, by name or index (negative counts from the end), read as class labels or a
 *       regression target; or none, for data to predict on.</li>
 *   <li>Categorical columns: text values become codes 0, 1, … in sorted order, or in an order given.</li>
 *   <li>One-hot columns: a text column becomes one 0/1 column per value, named {@code column_value}
 *       as pandas' {@code get_dummies} names them, in sorted order of the values or an order given.</li>
 *   <li>Missing cells (empty, or a chosen token) are an error naming line and column, unless imputation
 *       with the column mean, median or a constant is asked for. Labels are never imputed.</li>
 *   <li>Fields may be double-quoted ({@code ""} inside quotes is a quote); a quoted field cannot span lines.
 *       Blank lines are skipped. A UTF-8 byte order mark is ignored; line ends may be LF or CRLF.</li>
 *   <li>A last column with no name (or no header) and no value in any row, left by a separator at the end
 *       of every line, is dropped.</li>
 *   <li>Optionally, numbers with a decimal comma ({@code 1,5}) in a file separated by another character.</li>
 * </ul>
 *
 * Every error names the file, the 1-based line and the 1-based column.
 */
public final class CsvReader {
    /** How to read the label column. */
    public enum LabelKind { NONE, CLASSES, TARGET }

    /** What to do with missing cells in feature columns. */
    public enum Missing { FAIL, MEAN, MEDIAN, CONSTANT }

    private final char delimiter;
    private final boolean header;
    private final LabelKind labelKind;
    private final Column label;
    private final List<String> classNames;
    private final Map<Column, List<String>> categorical;
    private final Map<Column, List<String>> oneHot;
    private final Map<Column, Float> fills;
    private final Missing missing;
    private final float constant;
    private final Set<String> missingTokens;
    private final List<String> columnNames;
    private final boolean decimalComma;
    private final boolean fillEveryColumn;

    private CsvReader(Builder b) {
        this.delimiter = b.delimiter;
        this.header = b.header;
        this.labelKind = b.labelKind;
        this.label = b.label;
        this.classNames = b.classNames;
        this.categorical = new LinkedHashMap<>(b.categorical);
        this.oneHot = new LinkedHashMap<>(b.oneHot);
        this.fills = new LinkedHashMap<>(b.fills);
        this.missing = b.missing;
        this.constant = b.constant;
        this.missingTokens = Set.copyOf(b.missingTokens);
        this.columnNames = b.columnNames;
        this.decimalComma = b.decimalComma;
        this.fillEveryColumn = b.fillEveryColumn;
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
        private final Map<Column, List<String>> oneHot = new LinkedHashMap<>();
        private final Map<Column, Float> fills = new LinkedHashMap<>();
        private Missing missing = Missing.FAIL;
        private float constant;
        private Set<String> missingTokens = Set.of("");
        private List<String> columnNames;
        private boolean decimalComma;
        private boolean fillEveryColumn;

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

        /**
         * Whether numbers may be written with a decimal comma ({@code 1,5}, {@code -0,25e3}), as a
         * spreadsheet in a European locale writes them in a semicolon-separated file (default: no).
         * Cells of that form are read as numbers; other cells are unchanged.
         */
        public Builder decimalComma(boolean allowed) {
            decimalComma = allowed;
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

        /**
         * Text column {@code name} as one 0/1 column per value, {@code values[i]} the i-th (all of its
         * values in sorted order when none are given; then other values are errors). A missing cell
         * is imputed as for a categorical column, with a code: the most frequent value under
         * {@link Missing#MEAN} or {@link Missing#MEDIAN}.
         */
        public Builder oneHot(String name, String... values) {
            oneHot.put(new Column(name, 0), values.length == 0 ? null : List.of(values));
            return this;
        }

        public Builder oneHot(int index, String... values) {
            oneHot.put(new Column(null, index), values.length == 0 ? null : List.of(values));
            return this;
        }

        /** Fill missing feature cells with the column's mean, median or mode (categorical) instead of failing. */
        public Builder impute(Missing how) {
            if (how == Missing.CONSTANT) throw new IllegalArgumentException("use imputeConstant(value)");
            missing = how;
            return this;
        }

        /**
         * Fill missing cells of column {@code name} with {@code value}, whatever {@link #impute} says: to
         * prepare new rows as the training file was ({@link CsvTable#imputed} recorded its fills).
         * For a categorical column, {@code value} is a code.
         */
        public Builder fill(String name, float value) {
            fills.put(new Column(name, 0), value);
            return this;
        }

        public Builder fill(int index, float value) {
            fills.put(new Column(null, index), value);
            return this;
        }

        /**
         * With imputation, work out every feature column's fill value, not only those of columns with
         * gaps: {@link CsvTable#imputed} then lists each column, with a count of 0 where nothing was
         * filled, so that new rows can be filled as scikit-learn's {@code SimpleImputer} fills them,
         * in any column, with what was fitted on the training file.
         */
        public Builder fillEveryColumn() {
            fillEveryColumn = true;
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
            if (decimalComma && delimiter == ',') {
                throw new IllegalArgumentException("decimal commas need a delimiter other than ','");
            }
            if (header && columnNames != null) {
                throw new IllegalArgumentException("columnNames is for files without a header");
            }
            if (!header && columnNames == null && (label != null && label.name != null
                    || categorical.keySet().stream().anyMatch(c -> c.name != null)
                    || oneHot.keySet().stream().anyMatch(c -> c.name != null) || fills.keySet().stream().anyMatch(c -> c.name != null))) {
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
        CsvText text = CsvText.read(file, delimiter, header, columnNames, decimalComma);
        List<String> names = text.names();
        int m = names.size();
        int n = text.rows().size();
        int labelIndex = label != null ? label.resolve(names, file) : -1;
        boolean[] isCategorical = new boolean[m];
        boolean[] isOneHot = new boolean[m];
        List<List<String>> fixedCodes = resolveCategorical(names, file, labelIndex, isCategorical, isOneHot);
        float[] fixedFills = new float[m];
        java.util.Arrays.fill(fixedFills, Float.NaN);
        for (Map.Entry<Column, Float> e : fills.entrySet()) {
            int j = e.getKey().resolve(names, file);
            if (j == labelIndex) throw new IllegalArgumentException("column " + e.getKey() + " is the label; only features are filled");
            fixedFills[j] = e.getValue();
        }
        if ((labelIndex >= 0 ? m - 1 : m) < 1) throw DataFileException.atLine(file, 1, 0, "no feature columns besides the label");

        CsvColumns typed = new CsvColumns(text, missingTokens, missing, constant);
        float[][] columns = new float[m][n];
        Map<String, List<String>> categoryRecord = new LinkedHashMap<>();
        Map<String, List<String>> oneHotRecord = new LinkedHashMap<>();
        List<CsvTable.Imputed> imputed = new ArrayList<>();
        List<String> featureNames = new ArrayList<>();
        List<String> featureColumns = new ArrayList<>();
        int[] width = new int[m];
        for (int j = 0; j < m; j++) {
            if (j == labelIndex) continue;
            featureColumns.add(names.get(j));
            if (isCategorical[j] || isOneHot[j]) {
                List<String> codes = typed.encodeCategorical(j, names.get(j), fixedCodes.get(j), columns[j]);
                (isOneHot[j] ? oneHotRecord : categoryRecord).put(names.get(j), codes);
                if (isOneHot[j]) {
                    for (String v : codes) featureNames.add(names.get(j) + "_" + v);
                    width[j] = codes.size();
                }
            } else {
                typed.parseNumeric(j, names.get(j), columns[j]);
            }
            if (!isOneHot[j]) {
                featureNames.add(names.get(j));
                width[j] = 1;
            }
            CsvTable.Imputed fill = typed.fillMissing(j, names.get(j), columns[j], isCategorical[j] || isOneHot[j], fixedFills[j],
                    fillEveryColumn);
            if (fill != null) imputed.add(fill);
        }
        int d = featureNames.size();
        List<String> classes = null;
        if (labelKind == LabelKind.TARGET) {
            typed.parseNumeric(labelIndex, names.get(labelIndex), columns[labelIndex]);
            typed.failOnMissing(labelIndex, names.get(labelIndex), columns[labelIndex], "label");
        } else if (labelKind == LabelKind.CLASSES) {
            classes = typed.encodeClasses(labelIndex, names.get(labelIndex), classNames, columns[labelIndex]);
        }

        float[] rowMajor = new float[Math.multiplyExact(n, d)];
        int out = 0;
        for (int j = 0; j < m; j++) {
            if (j == labelIndex) continue;
            for (int r = 0; r < n; r++) {
                // A one-hot column's code picks which of its width columns holds the 1.
                if (isOneHot[j]) rowMajor[r * d + out + (int) columns[j][r]] = 1f;
                else rowMajor[r * d + out] = columns[j][r];
            }
            out += width[j];
        }
        Matrix features = Matrix.allocate(n, d).copyFrom(rowMajor);
        if (labelKind == LabelKind.NONE) {
            return new CsvTable(Dataset.unlabeled(features, featureNames), featureColumns, categoryRecord, oneHotRecord, imputed);
        }
        Matrix labels = Matrix.allocate(n, 1).copyFrom(columns[labelIndex]);
        try {
            Dataset dataset = classes == null
                    ? Dataset.regression(features, labels, featureNames)
                    : Dataset.classification(features, labels, featureNames, classes);
            return new CsvTable(dataset, featureColumns, categoryRecord, oneHotRecord, imputed);
        } catch (RuntimeException e) {
            features.close();
            labels.close();
            throw e;
        }
    }

    /**
     * Reads only the label column of {@code file}, as text: for a caller that decides from the
     * values how to read the column (see {@link LabelColumn}). The file is read as {@link #read} would.
     *
     * @throws IllegalStateException when this reader has no label column
     * @throws DataFileException     as {@link #read} for an unreadable or ragged file or an unknown column
     */
    public LabelColumn labelColumn(Path file) {
        if (label == null) throw new IllegalStateException("this reader has no label column");
        CsvText text = CsvText.read(file, delimiter, header, columnNames, decimalComma);
        int j = label.resolve(text.names(), file);
        List<String> values = new ArrayList<>(text.rows().size());
        for (String[] row : text.rows()) values.add(row[j]);
        return new LabelColumn(file, text.names().get(j), j + 1, values, text.lines(), missingTokens);
    }

    /** The names of {@code file}'s columns, label included: its header, or column 1, column 2, … */
    public List<String> columnsOf(Path file) {
        return CsvText.read(file, delimiter, header, columnNames, decimalComma).names();
    }

    /** A feature column holding text: its 0-based index, name, and distinct non-missing values, sorted. */
    public record TextColumn(int index, String name, List<String> values) {}

    /**
     * The feature columns (not the label, not those declared categorical or one-hot) whose every non-missing
     * cell is text, none a number: categories, which {@link #read} would refuse as "not a number".
     * A number column with a stray word is not one: that cell stays an error. For callers that
     * decide what to do with them before reading (the CLI codes two-valued ones).
     */
    public List<TextColumn> textColumns(Path file) {
        CsvText text = CsvText.read(file, delimiter, header, columnNames, decimalComma);
        List<String> names = text.names();
        int labelIndex = label != null ? label.resolve(names, file) : -1;
        boolean[] declared = new boolean[names.size()];
        resolveCategorical(names, file, labelIndex, declared, declared);
        List<TextColumn> out = new ArrayList<>();
        for (int j = 0; j < names.size(); j++) {
            if (j == labelIndex || declared[j]) continue;
            // One number makes the column numeric: stop there, rather than sort every value of a
            // numeric column (200,000 rows × 20 columns took longer than reading the file).
            java.util.TreeSet<String> values = new java.util.TreeSet<>();
            boolean allText = true;
            for (String[] row : text.rows()) {
                String cell = row[j];
                if (missingTokens.contains(cell)) continue;
                if (CsvColumns.isNumber(cell)) {
                    allText = false;
                    break;
                }
                values.add(cell);
            }
            if (allText && !values.isEmpty()) out.add(new TextColumn(j, names.get(j), List.copyOf(values)));
        }
        return out;
    }

    /**
     * Marks the categorical and the one-hot columns; returns each one's fixed values, or null where
     * they come from the data.
     */
    private List<List<String>> resolveCategorical(List<String> names, Path file, int labelIndex, boolean[] isCategorical,
                                                  boolean[] isOneHot) {
        List<List<String>> fixed = new ArrayList<>(Collections.nCopies(names.size(), (List<String>) null));
        boolean[] seen = new boolean[names.size()];
        for (boolean hot : new boolean[] {false, true}) {
            for (Map.Entry<Column, List<String>> e : (hot ? oneHot : categorical).entrySet()) {
                int j = e.getKey().resolve(names, file);
                if (j == labelIndex) {
                    throw new IllegalArgumentException("column " + e.getKey() + " is the label; use classNames for its values");
                }
                if (seen[j]) throw new IllegalArgumentException("column " + e.getKey() + " is both categorical and one-hot");
                seen[j] = true;
                fixed.set(j, e.getValue());
                (hot ? isOneHot : isCategorical)[j] = true;
            }
        }
        return fixed;
    }
}
