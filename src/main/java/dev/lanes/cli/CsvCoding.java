package dev.lanes.cli;

import dev.lanes.data.CsvReader;
import dev.lanes.data.CsvTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the CSV recipe turned a file's text into numbers, as a model file records it: the feature
 * columns as the file named them, the text columns coded 0/1 ({@code categories}) or one-hot
 * ({@code one_hot}), and the values empty cells were filled with ({@code fills}, a code for a text
 * column). {@code lanes predict} and {@code lanes evaluate} read new rows with the same coding rather
 * than deriving one from rows that may hold fewer values, or other ones.
 *
 * @param columns the feature columns of the training file in file order; with a one-hot column these
 *                are fewer than the model's inputs, whose names ({@code feature_names}) are
 *                {@code column_value}. Null in a model file written before it was recorded, whose
 *                feature names are its columns.
 */
record CsvCoding(List<String> columns, Map<String, List<String>> categories, Map<String, List<String>> oneHot,
                 Map<String, Float> fills) {
    CsvCoding {
        columns = columns == null ? null : List.copyOf(columns);
        categories = new LinkedHashMap<>(categories);
        oneHot = new LinkedHashMap<>(oneHot);
        fills = new LinkedHashMap<>(fills);
    }

    static CsvCoding of(CsvTable read, List<String> columns) {
        Map<String, Float> fills = new LinkedHashMap<>();
        for (CsvTable.Imputed f : read.imputed()) fills.put(f.column(), f.value());
        return new CsvCoding(columns, read.categories(), read.oneHot(), fills);
    }

    void writeTo(Map<String, Object> metadata) {
        if (columns != null) metadata.put("columns", columns);
        if (!categories.isEmpty()) metadata.put("categories", new LinkedHashMap<>(categories));
        if (!oneHot.isEmpty()) metadata.put("one_hot", new LinkedHashMap<>(oneHot));
        if (!fills.isEmpty()) {
            Map<String, Object> f = new LinkedHashMap<>();
            fills.forEach((column, value) -> f.put(column, (double) value));
            metadata.put("fills", f);
        }
    }

    /** What {@link #writeTo} wrote, or null when the model records no CSV coding (an IDX dataset, say). */
    static CsvCoding readFrom(Map<String, Object> metadata) {
        List<String> columns = strings(metadata.get("columns"));
        if (columns == null) columns = strings(metadata.get("feature_names"));
        Map<String, List<String>> categories = valueLists(metadata.get("categories"));
        Map<String, List<String>> oneHot = valueLists(metadata.get("one_hot"));
        Map<String, Float> fills = new LinkedHashMap<>();
        if (metadata.get("fills") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (v instanceof Number n) fills.put(String.valueOf(k), n.floatValue());
            });
        }
        if (categories.isEmpty() && oneHot.isEmpty() && fills.isEmpty() && metadata.get("columns") == null) return null;
        return new CsvCoding(columns, categories, oneHot, fills);
    }

    /** The coding of column {@code name}, for a reader of a file laid out as training's, at {@code index}. */
    void applyTo(CsvReader.Builder b, String name, int index) {
        if (categories.containsKey(name)) b.categorical(index, categories.get(name).toArray(String[]::new));
        if (oneHot.containsKey(name)) b.oneHot(index, oneHot.get(name).toArray(String[]::new));
        if (fills.containsKey(name)) b.fill(index, fills.get(name));
    }

    /** Whether the training file's column {@code name} held text. */
    boolean codes(String name) {
        return categories.containsKey(name) || oneHot.containsKey(name);
    }

    /** The coding in words, for {@code lanes summary}: empty when the file held only numbers and no gaps. */
    String describe() {
        List<String> parts = new java.util.ArrayList<>();
        categories.forEach((column, values) -> {
            List<String> codes = new java.util.ArrayList<>();
            for (int i = 0; i < values.size(); i++) codes.add(values.get(i) + " = " + i);
            parts.add("code '" + column + "' " + String.join(", ", codes));
        });
        oneHot.forEach((column, values) -> parts.add("one-hot '" + column + "' into " + values.size() + " columns "
                + listing(values, values.size())));
        if (fills.size() <= 3) {
            fills.forEach((column, value) -> parts.add("fill empty '" + column + "' cells with " + fillText(column)));
        } else {
            // A recipe that records every column's fill: one line per column would bury the rest.
            parts.add("fill empty cells of " + fills.size() + " columns with the training file's medians (most frequent"
                    + " value of a text column)");
        }
        return String.join(", ", parts);
    }

    /** What an empty cell of {@code column} is filled with: a number, or the text a coded column's fill code stands for. */
    String fillText(String column) {
        float value = fills.get(column);
        return codes(column) ? valueOf(column, value) : String.valueOf(value);
    }

    private String valueOf(String column, float code) {
        List<String> values = categories.containsKey(column) ? categories.get(column) : oneHot.get(column);
        int i = (int) code;
        return i >= 0 && i < values.size() && i == code ? values.get(i) : String.valueOf(code);
    }

    /**
     * {@code values} as {@code [a, b, c]}, the first {@code max} of them and a count of the rest. Quoted
     * ({@code ['Clinic A, North', 'Clinic B']}) when a value holds a comma or a bracket or starts or ends
     * with a blank, where the plain list would not show where one value ends.
     */
    static String listing(List<String> values, int max) {
        boolean quote = values.stream().anyMatch(v -> v.isEmpty() || v.contains(",") || v.contains("[") || v.contains("]")
                || !v.equals(v.strip()));
        List<String> shown = values.subList(0, Math.min(max, values.size())).stream()
                .map(v -> quote ? "'" + v + "'" : v).toList();
        return "[" + String.join(", ", shown) + (values.size() > max ? ", ... (" + (values.size() - max) + " more)" : "") + "]";
    }

    private static List<String> strings(Object o) {
        return o instanceof List<?> l ? l.stream().map(String::valueOf).toList() : null;
    }

    private static Map<String, List<String>> valueLists(Object o) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                List<String> values = strings(v);
                if (values != null) out.put(String.valueOf(k), values);
            });
        }
        return out;
    }
}
