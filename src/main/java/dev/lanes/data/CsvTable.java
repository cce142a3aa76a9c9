package dev.lanes.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link CsvReader} read: the dataset, and how text became numbers, so the same mapping can
 * be applied to new data (pass the recorded categories back to {@link CsvReader.Builder#categorical(String, String...)}).
 *
 * @param columns    the feature columns as the file names them, in file order (fewer than the dataset's
 *                   features when a column was one-hot coded)
 * @param categories for each categorical feature column, its values in code order (code i is the i-th value)
 * @param oneHot     for each one-hot column, its values in the order of its 0/1 columns
 *                   (pass them back to {@link CsvReader.Builder#oneHot(String, String...)})
 * @param imputed    the missing cells that were filled, per column (a code, for a categorical or one-hot column);
 *                   with {@link CsvReader.Builder#fillEveryColumn} also the columns without gaps, count 0
 */
public record CsvTable(Dataset dataset, List<String> columns, Map<String, List<String>> categories, Map<String, List<String>> oneHot,
                       List<Imputed> imputed) implements AutoCloseable {
    public CsvTable {
        columns = List.copyOf(columns);
        categories = Collections.unmodifiableMap(new LinkedHashMap<>(categories));
        oneHot = Collections.unmodifiableMap(new LinkedHashMap<>(oneHot));
        imputed = List.copyOf(imputed);
    }

    /** {@code count} empty cells of {@code column} were set to {@code value} (0: its fill value, for new rows). */
    public record Imputed(String column, int count, float value) {}

    @Override
    public void close() { dataset.close(); }
}
