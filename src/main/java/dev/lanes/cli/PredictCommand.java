package dev.lanes.cli;

import dev.lanes.data.CsvReader;
import dev.lanes.data.CsvTable;
import dev.lanes.data.DataFileException;
import dev.lanes.data.Dataset;
import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code lanes predict}: runs a saved model on the numeric rows of a CSV file (features only, no
 * label), prepared as in training. One line per row: the predicted class and the class
 * probabilities, or the predicted values; CSV with a header line.
 */
final class PredictCommand {
    private static final Set<String> VALUED = Set.of("model", "input", "output", "threads", "backend");
    private static final Set<String> FLAGS = Set.of("header");

    private PredictCommand() {}

    static int run(List<String> argv, PrintStream out) {
        Args a = new Args("predict", argv, VALUED, FLAGS);
        if (!a.positional().isEmpty()) throw new UsageException("predict: unexpected argument '" + a.positional().get(0) + "'");
        String input = a.string("input", null);
        if (input == null) throw new UsageException("predict: --input FILE.csv is required");
        Path inputPath = Path.of(input);
        if (!Files.isRegularFile(inputPath)) {
            throw new UsageException("input file " + inputPath + (Files.isDirectory(inputPath) ? " is a folder" : " does not exist"));
        }
        String output = a.string("output", null);
        String model = a.string("model", null);
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("input", inputPath);
        files.put("model", model == null || model.isBlank() ? null : Path.of(model));
        files.put("output", output == null ? null : Path.of(output));
        TrainCommand.refuseSameFile(files, Set.of("input", "model"));
        // As lanes train reads its CSV: the separator and a header line are recognised by themselves.
        Recipe.CsvDialect dialect = Recipe.sniff(inputPath);
        Boolean given = a.setting("header");
        boolean header = given != null ? given : dialect.header();
        if (given == null && header) {
            Main.warnings().println("lanes: note: the first line of " + inputPath + " is taken as column names"
                    + " (--header=false if it is data)");
        }
        try (Kernels kernels = Kernels.create(a.backend(), a.threads());
             SavedModel saved = SavedModel.open(model, kernels)) {
            CsvReader reader = reader(saved.metadata(), inputPath, dialect, header);
            try (Dataset rows = read(reader, inputPath, CsvCoding.readFrom(saved.metadata()))) {
                int width = saved.model().inputWidth();
                if (rows.featureCount() != width) {
                    throw new UsageException("predict: " + inputPath + " has " + rows.featureCount() + " columns, the model takes "
                            + width + " features (give features only, no label column" + (header ? ")" : "; --header if the first line names the columns)"));
                }
                saved.preparation().apply(rows.features());
                String text;
                try (Matrix predictions = saved.model().predict(rows.features())) {
                    text = format(saved, predictions);
                }
                if (output == null) {
                    out.print(text);
                } else {
                    TrainCommand.writeText(Path.of(output), text);
                    out.println("wrote " + rows.rows() + " predictions to " + output);
                }
            }
        }
        return 0;
    }

    /**
     * The rows of {@code input}. A missing cell there may be one the model has no fill for (its column
     * had no gaps in training); the reader's advice, to ask for imputation, names no option of predict,
     * so the message says instead why the cell cannot be filled.
     */
    private static Dataset read(CsvReader reader, Path input, CsvCoding coding) {
        try {
            CsvTable table = reader.read(input);
            // Filled cells change what the model sees; said as training says it, naming the training column.
            for (CsvTable.Imputed f : table.imputed()) {
                String trained = trainedName(coding, table.columns().indexOf(f.column()));
                if (f.count() > 0 && trained != null && coding.fills().containsKey(trained)) {
                    Main.warnings().printf(java.util.Locale.ROOT, "lanes: note: %d empty cell%s of column '%s' in %s"
                            + " filled with %s, as in training%n", f.count(), f.count() == 1 ? "" : "s", trained,
                            input.getFileName(), coding.fillText(trained));
                }
            }
            return table.dataset();
        } catch (DataFileException e) {
            if (!e.missingCell()) throw e;
            String trained = trainedName(coding, e.column() - 1);
            String name = trained != null ? trained : "column " + e.column();
            throw DataFileException.atLine(input, e.line().getAsLong(), e.column(), "missing cell in column '" + name
                    + "': column '" + name + "' of the training file had no missing cells, so the model has no value to"
                    + " fill it with; fill the cell, or drop the row");
        }
    }

    /** The training file's name for the feature column at {@code index}, or null when the model records none. */
    private static String trainedName(CsvCoding coding, int index) {
        return coding != null && coding.columns() != null && index >= 0 && index < coding.columns().size()
                ? coding.columns().get(index) : null;
    }

    /**
     * A reader of {@code input} that codes text columns and fills empty cells as the training file's
     * reading did (a CSV recipe's model file records both: ILPD's Gender, every column's fill,
     * a one-hot column), by position, since the model sees positions. With a header line, the
     * columns' names are checked against the training file's first.
     */
    private static CsvReader reader(Map<String, Object> meta, Path input, Recipe.CsvDialect dialect, boolean header) {
        CsvReader.Builder b = CsvReader.builder().delimiter(dialect.delimiter()).decimalComma(dialect.decimalComma())
                .header(header).missingTokens(Recipe.MISSING);
        CsvCoding coding = CsvCoding.readFrom(meta);
        if (coding == null || coding.columns() == null) {
            // No CSV recipe (IDX images): nothing to code, and the reader itself counts the columns.
            if (header && meta.get("feature_names") instanceof List<?> trained) {
                List<String> names = b.build().columnsOf(input);
                if (names.size() == trained.size()) checkColumnNames(input, names, trained.stream().map(String::valueOf).toList());
            }
            return b.build();
        }
        List<String> trained = coding.columns();
        List<String> names = b.build().columnsOf(input);
        if (names.size() != trained.size()) {
            throw new UsageException("predict: " + input + " has " + names.size() + " columns, the model was trained on "
                    + trained.size() + (trained.size() <= 12 ? " " + trained : "") + " (give features only, no label column"
                    + (header ? ")" : "; --header if the first line names the columns)"));
        }
        if (header) checkColumnNames(input, names, trained);
        for (int j = 0; j < trained.size(); j++) coding.applyTo(b, trained.get(j), j);
        return b.build();
    }

    /**
     * The model sees only positions. With a header line, the training columns in another order would
     * give confident predictions from the wrong inputs, so that is refused; other names (a user's
     * own labels for a bundled dataset's columns, say) only draw a warning. Skipped when training
     * had no names of its own (a file without a header, IDX images).
     */
    private static void checkColumnNames(Path input, List<String> names, List<String> expected) {
        if (expected.stream().allMatch(n -> n.matches("column \\d+")) || expected.equals(names)) return;
        String both = "the columns of " + input + " are " + names + "; the model was trained on " + expected;
        if (expected.stream().sorted().toList().equals(names.stream().sorted().toList())) {
            throw new UsageException("predict: " + both + ", in that order: reorder the columns to match");
        }
        Main.warnings().println("lanes: warning: " + both + "; predicting from the columns by position");
    }

    /** Floats are printed in Java's shortest round-trip form, so the file holds the exact values. */
    static String format(SavedModel saved, Matrix p) {
        StringBuilder sb = new StringBuilder();
        Recipe.Task task = saved.task();
        if (task == Recipe.Task.REGRESSION) {
            for (int c = 0; c < p.cols(); c++) sb.append(c > 0 ? "," : "").append(p.cols() == 1 ? "value" : "value_" + c);
            sb.append('\n');
            for (int r = 0; r < p.rows(); r++) {
                for (int c = 0; c < p.cols(); c++) sb.append(c > 0 ? "," : "").append(p.get(r, c));
                sb.append('\n');
            }
            return sb.toString();
        }
        List<String> names = saved.classNames();
        sb.append("class");
        for (String n : names) sb.append(",p_").append(n);
        sb.append('\n');
        for (int r = 0; r < p.rows(); r++) {
            if (task == Recipe.Task.BINARY) {
                float p1 = p.get(r, 0);
                sb.append(names.get(p1 > 0.5f ? 1 : 0)).append(',').append(1f - p1).append(',').append(p1);
            } else {
                int best = 0;
                for (int c = 1; c < p.cols(); c++) if (p.get(r, c) > p.get(r, best)) best = c;
                sb.append(names.get(best));
                for (int c = 0; c < p.cols(); c++) sb.append(',').append(p.get(r, c));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
