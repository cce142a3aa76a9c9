package dev.lanes.data;

import java.util.List;
import java.util.Map;

/**
 * What {@link CsvReader} read: the dataset, and how text became numbers, so the same mapping can
 * be applied to new data (pass the recorded categories back to {@link CsvReader.Builder#categorical(String, String...)}).
 *
 * @param categories for each categorical feature column, its values in code order (code i is the i-th value)
 * @param imputed    the missing cells that were filled, per column
 */
public record CsvTable(Dataset dataset, Map<String, List<String>> categories, List<Imputed> imputed) implements AutoCloseable {
    public CsvTable {
        categories = Map.copyOf(categories);
        imputed = List.copyOf(imputed);
    }

    /** {@code count} empty cells of {@code column} were set to {@code value}. */
    public record Imputed(String column, int count, float value) {}

    @Override
    public void close() { dataset.close(); }
}
