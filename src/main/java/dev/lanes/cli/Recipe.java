package dev.lanes.cli;

import dev.lanes.data.CsvReader;
import dev.lanes.data.CsvTable;
import dev.lanes.data.DataFileException;
import dev.lanes.data.Dataset;
import dev.lanes.data.Datasets;
import dev.lanes.data.LabelColumn;
import dev.lanes.data.Split;
import dev.lanes.data.Splits;
import dev.lanes.data.Standardizer;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.ConfusionMatrix;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How each dataset the CLI knows is loaded, split and prepared, and what kind of task it is. The
 * preparation is fitted on the training part only (a standardizer never sees test rows); a saved
 * model carries it in its metadata, and {@code lanes evaluate} re-applies that saved preparation to
 * the same test part instead of fitting a new one.
 */
final class Recipe {
    enum Task { MULTICLASS, BINARY, REGRESSION }

    /**
     * Train and test parts ready to fit, plus what `predict` needs to prepare new rows the same way;
     * {@code read}, for a CSV recipe, how its text became numbers (null otherwise; its dataset is closed).
     */
    record Prepared(String name, String recipe, Task task, Dataset train, Dataset test, Preparation preparation,
                    int classes, long splitSeed, String label, CsvTable read) implements AutoCloseable {

        /** What a model file records so that evaluate and predict prepare inputs as training did. */
        Map<String, Object> metadata() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("dataset", name);
            p.put("recipe", recipe);
            p.put("task", task.name().toLowerCase(Locale.ROOT));
            p.put("features", train.featureCount());
            p.put("split_seed", splitSeed);
            if (label != null) p.put("label", label);
            preparation.writeTo(p);
            if (train.classNames() != null) p.put("class_names", train.classNames());
            if (train.featureNames() != null) p.put("feature_names", train.featureNames());
            // predict codes text columns and fills empty cells of raw rows as the training file was.
            if (read != null) CsvCoding.of(read, read.columns()).writeTo(p);
            return p;
        }

        @Override
        public void close() {
            train.close();
            if (test != null) test.close();
        }
    }

    /**
     * A dataset as its loader returns it, before the preparation. {@code divisor} scales raw file
     * values to model inputs; {@code loaderDivided} says the loader already did that (the IDX readers).
     */
    private record Loaded(String name, Task task, Dataset train, Dataset test, float divisor, boolean loaderDivided,
                          boolean standardize, CsvTable read) {
        Loaded(String name, Task task, Dataset train, Dataset test, float divisor, boolean loaderDivided, boolean standardize) {
            this(name, task, train, test, divisor, loaderDivided, standardize, null);
        }

        float loaderDivisor() { return loaderDivided ? divisor : 1f; }
    }

    private Recipe() {}

    /** Loads {@code dataset} and fits its preparation on the training part. */
    static Prepared load(String dataset, Path dataPath, String labelColumn, String taskName, long seed) {
        return load(dataset, dataPath, labelColumn, taskName, seed, null, Main.warnings());
    }

    /**
     * Loads {@code dataset} split as with {@code seed} and prepares it with {@code saved}, the
     * preparation of a trained model, rather than fitting a new one.
     */
    static Prepared load(String dataset, Path dataPath, String labelColumn, String taskName, long seed,
                         Preparation saved) {
        return load(dataset, dataPath, labelColumn, taskName, seed, saved, Main.warnings());
    }

    /** As above, printing warnings about the data (a class with very few rows) to {@code warnings}. */
    static Prepared load(String dataset, Path dataPath, String labelColumn, String taskName, long seed,
                         Preparation saved, PrintStream warnings) {
        return prepare(dataset, dataPath, labelColumn, taskName, seed, saved, warnings);
    }

    private static Prepared prepare(String dataset, Path dataPath, String labelColumn, String taskName, long seed,
                                    Preparation saved, PrintStream warnings) {
        Loaded raw = loadRaw(dataset, dataPath, labelColumn, taskName, seed, saved, warnings);
        try {
            Preparation p = saved;
            if (p == null) {
                Preparation scaling = new Preparation(raw.divisor, null);
                scaling.applyToLoaded(raw.train.features(), raw.loaderDivisor());
                p = raw.standardize ? scaling.withStandardizer(Standardizer.fit(raw.train.features())) : scaling;
                if (p.standardizer() != null) p.standardizer().apply(raw.train.features());
            } else {
                p.applyToLoaded(raw.train.features(), raw.loaderDivisor());
            }
            if (raw.test != null) p.applyToLoaded(raw.test.features(), raw.loaderDivisor());
            int classes = raw.task == Task.REGRESSION ? 0 : raw.train.numClasses();
            return new Prepared(raw.name, dataset, raw.task, raw.train, raw.test, p, classes, seed,
                    dataset.equals("csv") ? labelColumn : null, raw.read);
        } catch (RuntimeException e) {
            raw.train.close();
            if (raw.test != null) raw.test.close();
            throw e;
        }
    }

    private static Loaded loadRaw(String dataset, Path dataPath, String labelColumn, String taskName, long seed,
                                  Preparation saved, PrintStream warnings) {
        Path root = Datasets.bundledRoot();
        return switch (dataset) {
            case "mnist" -> idx("mnist", Datasets.mnist(dir(dataPath, root.resolve("mnist"))));
            case "fashion-mnist" -> {
                if (dataPath == null) {
                    throw new UsageException("--dataset fashion-mnist needs --data DIR (the folder with the four IDX files)");
                }
                yield idx("fashion-mnist", Datasets.fashionMnist(dir(dataPath, null)));
            }
            case "optdigits" -> {
                Split s = Datasets.optdigits(dir(dataPath, root.resolve("optdigits")));
                // Counts 0..16 of an 8×8 grid: dividing by 16 keeps zeros at zero, as pixels are.
                yield new Loaded("optdigits", Task.MULTICLASS, s.train(), s.test(), 16f, false, false);
            }
            case "ilpd" -> {
                CsvTable table = Datasets.ilpdTable(dir(dataPath, root.resolve("ilpd")));
                yield split("ilpd", Task.BINARY, table.dataset(), table, seed, true);
            }
            case "california" -> split("california", Task.REGRESSION,
                    Datasets.californiaHousing(dir(dataPath, root.resolve("california-housing"))), null, seed, false);
            case "csv" -> csv(dataPath, labelColumn, taskName, seed, saved, warnings);
            default -> throw new UsageException("--dataset must be one of mnist, fashion-mnist, optdigits, ilpd, "
                    + "california, csv; got '" + dataset + "'");
        };
    }

    private static Path dir(Path given, Path fallback) {
        Path d = given != null ? given : fallback;
        if (given != null && Files.isRegularFile(d)) {
            throw new UsageException("--data " + d + " is a file; this dataset is read from the folder that holds its files"
                    + " (for a CSV file of your own, use --dataset csv --data FILE --label COLUMN)");
        }
        if (!Files.isDirectory(d)) {
            throw new UsageException("data folder " + d + " does not exist"
                    + (given == null ? " (run from the repository root, or pass --data DIR)" : ""));
        }
        return d;
    }

    /** The IDX loaders scale pixels to [0, 1] themselves. */
    private static Loaded idx(String name, Split s) {
        return new Loaded(name, Task.MULTICLASS, s.train(), s.test(), 255f, true, false);
    }

    /**
     * Splits 80/20 (stratified for classes); the features are standardized with training statistics.
     *
     * <p>The training part comes in a random order drawn from the seed ({@link Splits.RowOrder#RANDOM}),
     * not in file order, because {@code lanes train} and {@code lanes tune} pass it to
     * {@code Trainer.fit} with a validation split, which holds out the <em>last</em> rows as Keras
     * does. In file order those are the end of the file: one class only for a file sorted by label,
     * one region for California. In this order they are a random sample of the training part,
     * stratified for classes (each class's share to within a row). The order depends only on the
     * seed, so a resumed run ({@code --resume}, which must repeat {@code --seed}) sees the same
     * training and validation rows, and the test part holds the same rows as in source order, so
     * {@code lanes evaluate} re-creates it from the saved split seed as before.
     *
     * <p>MNIST, Fashion-MNIST and optdigits keep their files' order: those training files are
     * already mixed (the last 10% of each holds every class at close to its overall share, as
     * Keras's {@code validation_split} on them relies on too), and re-ordering 60,000 images would
     * cost a copy of the whole set for nothing.
     */
    /** {@code read}: how a CSV file's text became {@code all}'s numbers, or null. */
    private static Loaded split(String name, Task task, Dataset all, CsvTable read, long seed, boolean stratified) {
        Split s;
        try {
            s = Splits.split(all, 0.8, 0.0, seed, stratified, Splits.RowOrder.RANDOM);
        } finally {
            all.close();
        }
        return new Loaded(name, task, s.train(), s.test(), 1f, false, true, read);
    }

    /**
     * A CSV file with a label column. How the labels are read:
     *
     * <ul>
     *   <li>The task is {@code --task}, or inferred by {@link #inferTask}: classes, unless the column
     *       looks like a continuous target, which is refused with a hint rather than guessed.</li>
     *   <li>Classes are the distinct labels as written, in numeric order when all are numbers
     *       ({@code -1, 0, 1}; {@code 1, 2}) and text order otherwise, and class id i is the i-th of
     *       them, as scikit-learn's {@code LabelEncoder} and {@code classes_} do. The model's
     *       {@code class_names} are those texts, so every report names a class by its label. No class
     *       is ever empty: integer labels are not used as ids as they are, which made a stray
     *       {@code 7} in a 0/1 column an 8-class model with classes 2 to 6 empty.</li>
     *   <li>A class with a single row is refused, naming its value and line ({@link #checkClasses}).</li>
     *   <li>Re-read for a saved model ({@code saved} not null: {@code lanes evaluate}), the labels map
     *       to the model's own class names, and nothing is inferred or checked.</li>
     * </ul>
     */
    private static Loaded csv(Path file, String label, String taskName, long seed, Preparation saved,
                              PrintStream warnings) {
        if (file == null || !Files.isRegularFile(file)) {
            throw new UsageException("--dataset csv needs --data FILE.csv (an existing file)" + (file == null ? "" : ": " + file));
        }
        if (label == null) {
            throw new UsageException("--dataset csv needs --label COLUMN (name, or index counted from 0; -1 = last)");
        }
        if (taskName != null && !taskName.equals("classification") && !taskName.equals("regression")) {
            throw new UsageException("--task must be classification or regression, got '" + taskName + "'");
        }
        Integer index = parseIndex(label);
        CsvDialect dialect = sniff(file);
        // Every column's fill is recorded, so predict can fill a gap in any column, as a fitted SimpleImputer would.
        CsvReader.Builder b = CsvReader.builder().impute(CsvReader.Missing.MEDIAN).fillEveryColumn().delimiter(dialect.delimiter())
                .decimalComma(dialect.decimalComma()).header(index == null || dialect.header()).missingTokens(MISSING);
        b = index != null ? b.classLabels(index) : b.classLabels(label);
        if (b.build().columnsOf(file).size() == 1) {
            // Every line one cell: whatever the label, the messages about it would quote whole lines.
            throw new UsageException(file.getFileName() + " has a single column: its first line holds no comma, semicolon"
                    + " or tab to separate fields; a file separated by spaces is not read (convert it, for example"
                    + " with tr -s ' ' ',')");
        }
        // The labels as written first: the task and the classes are decided from them.
        LabelColumn labels = b.build().labelColumn(file);
        if (index == null || dialect.header()) checkIndexColumns(file, dialect, labels.column() - 1, warnings);
        codeTextColumns(b, file, saved == null ? null : saved.coding(), labels.rows(), warnings);
        String task = taskName != null ? taskName : inferTask(labels);
        if (task.equals("classification")) {
            List<String> classes = saved != null && saved.classNames() != null ? saved.classNames() : classNames(labels);
            if (saved == null) checkClasses(labels, warnings);
            b = b.classNames(classes.toArray(String[]::new));
        } else {
            checkNumericTarget(labels);
            b = index != null ? b.target(index) : b.target(label);
        }
        CsvTable table = b.build().read(file);
        // Filling empty cells changes the data the model sees; say so, as a user of pandas would see it.
        for (CsvTable.Imputed fill : table.imputed()) {
            if (fill.count() == 0) continue;
            warnings.printf(Locale.ROOT, "lanes: note: %d missing cell%s (empty or NA) of column '%s' in %s filled with the column's"
                    + " median, %s%n", fill.count(), fill.count() == 1 ? "" : "s", fill.column(), file.getFileName(),
                    fill.value());
        }
        Dataset all = table.dataset();
        if (saved == null) warnRowNumbers(file, all, warnings);
        Task t = task.equals("regression") ? Task.REGRESSION : all.numClasses() == 2 ? Task.BINARY : Task.MULTICLASS;
        return split(file.getFileName().toString(), t, all, table, seed, t != Task.REGRESSION);
    }

    /**
     * The cell texts that mean "missing" in the CSV recipe, for train, evaluate and predict alike:
     * pandas' read_csv defaults ({@code na_values}), which pandas' and R's writers produce, so a file
     * that pandas reads with NaN in it reads here with the same cells missing (and filled).
     */
    static final String[] MISSING = {"", "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "NULL", "null", "None",
            "<NA>", "#N/A", "#N/A N/A", "#NA", "1.#IND", "-1.#IND", "1.#QNAN", "-1.#QNAN"};

    /** Column names that say "identifier": id, ID, patient_id, Row ID, index, row_number, PatientID, userId, ... */
    private static final java.util.regex.Pattern ID_NAME =
            java.util.regex.Pattern.compile("(?i)(.*[_ .-])?(id|index|row[_ ]?(number|no|num))|.*[a-z](ID|Id)");

    /**
     * Refuses a column pandas' {@code to_csv} wrote for the row index: no name (or pandas' "Unnamed: 0"
     * for one read back and written again) and a different integer on every row. As a feature it
     * would give the model the row's position: in a file sorted by label, a perfect and worthless
     * predictor. A named column of distinct integers is the user's data and is kept, but one named as
     * an identifier ({@code id}, {@code patient_id}) draws a warning: the model would learn from the
     * numbering, and neither pandas nor Keras would say so.
     */
    private static void checkIndexColumns(Path file, CsvDialect dialect, int labelIndex, PrintStream warnings) {
        CsvReader.Builder b = CsvReader.builder().delimiter(dialect.delimiter()).decimalComma(dialect.decimalComma())
                .header(true).missingTokens(MISSING);
        List<String> names = b.build().columnsOf(file);
        for (int j = 0; j < names.size(); j++) {
            boolean unnamed = names.get(j).isEmpty() || names.get(j).matches("Unnamed: \\d+");
            if (j == labelIndex || !(unnamed || ID_NAME.matcher(names.get(j)).matches())) continue;
            LabelColumn column = b.classLabels(j).build().labelColumn(file);
            boolean distinctIntegers = column.numeric() && column.nonIntegerRows().isEmpty()
                    && column.distinct().size() == column.rows() && column.rows() > 1;
            if (distinctIntegers && !unnamed) {
                warnings.println("lanes: warning: column '" + names.get(j) + "' of " + file.getFileName() + " holds a"
                        + " different integer on every row (" + column.text(0) + ", " + column.text(1) + ", ...): if it"
                        + " identifies the rows, drop it, or the model learns from the numbering");
            } else if (distinctIntegers) {
                throw new UsageException("column " + (j + 1) + " of " + file.getFileName() + " has no name and holds a"
                        + " different integer on every row (" + column.text(0) + ", " + column.text(1) + ", ...): the row"
                        + " index pandas' to_csv writes, which the model would learn the rows' positions from; write the"
                        + " file with to_csv(..., index=False), or drop the column");
            }
        }
    }

    /**
     * Warns about a feature column that counts the rows (k, k+1, k+2, ... in file order), whatever its
     * name: a row number, from which the model would learn the rows' positions. Columns named as
     * identifiers were warned about already ({@link #checkIndexColumns}).
     */
    private static void warnRowNumbers(Path file, Dataset data, PrintStream warnings) {
        Matrix x = data.features();
        if (x.rows() < 3) return;
        for (int j = 0; j < x.cols(); j++) {
            String name = data.featureNames().get(j);
            if (ID_NAME.matcher(name).matches()) continue;
            float first = x.get(0, j);
            if (first != Math.rint(first) || Math.abs(first) > 1 << 24) continue;
            int r = 1;
            while (r < x.rows() && x.get(r, j) == first + r) r++;
            if (r < x.rows()) continue;
            warnings.println("lanes: warning: column '" + name + "' of " + file.getFileName() + " counts the rows ("
                    + (long) first + ", " + (long) (first + 1) + ", ..., " + (long) (first + x.rows() - 1) + "): if it"
                    + " numbers the rows, drop it, or the model learns from the numbering");
        }
    }

    /** A text column with more values than this is refused rather than one-hot coded. */
    static final int MAX_ONE_HOT = 64;

    /**
     * Codes the text feature columns of {@code file} on {@code b}, or refuses one it cannot code.
     * With {@code saved}, the coding of the model being evaluated, each column is coded as in
     * training, whatever values this file holds. Otherwise:
     *
     * <ul>
     *   <li>two values (yes/no, Female/Male): one column, 0/1 in sorted order of the values, as the
     *       ILPD recipe codes Gender;</li>
     *   <li>up to {@value #MAX_ONE_HOT} values: one 0/1 column per value, named {@code column_value},
     *       as pandas' {@code get_dummies} makes them, since codes 0, 1, 2 would invent an order and
     *       distances between the categories;</li>
     *   <li>more, or more than half as many values as rows: refused. Such a column is an identifier
     *       or free text, and a column per value would give the model nothing it can generalise from.</li>
     * </ul>
     *
     * Either way a note says what was done, and the model file records it, so predict codes new rows
     * the same way.
     */
    private static void codeTextColumns(CsvReader.Builder b, Path file, CsvCoding saved, int rows, PrintStream warnings) {
        String where = file.getFileName().toString();
        for (CsvReader.TextColumn t : b.build().textColumns(file)) {
            List<String> values = t.values();
            if (saved != null) {
                if (!saved.codes(t.name())) {
                    throw new UsageException("column '" + t.name() + "' of " + where + " holds text, but the model was"
                            + " trained with numbers in it: is this the file it was trained on?");
                }
                saved.applyTo(b, t.name(), t.index());
            } else if (values.size() == 2) {
                b.categorical(t.index(), values.toArray(String[]::new));
                warnings.printf(Locale.ROOT, "lanes: note: column '%s' of %s coded %s = 0, %s = 1%n", t.name(), where,
                        values.get(0), values.get(1));
            } else if (values.size() <= MAX_ONE_HOT && values.size() * 2 <= rows) {
                b.oneHot(t.index(), values.toArray(String[]::new));
                warnings.printf(Locale.ROOT, "lanes: note: column '%s' of %s one-hot coded into %d columns, one per"
                        + " value: %s%n", t.name(), where, values.size(), shortList(values));
            } else {
                throw new UsageException("column '" + t.name() + "' of " + where + " holds text with " + values.size()
                        + " distinct values in " + rows + " rows, such as " + shortList(values) + ": too many to code"
                        + " as categories (an identifier or free text?); drop the column, or encode it as numbers");
            }
        }
    }

    private static String shortList(List<String> values) {
        return CsvCoding.listing(values, 8);
    }

    /** More distinct integer labels than this, with few rows each, look like a quantity rather than classes. */
    static final int MANY_VALUES = 20;
    /** ... where "few" is fewer rows per distinct value than this, on average. */
    static final int ROWS_PER_VALUE = 10;

    /**
     * The task of a CSV label column when {@code --task} is not given. The rule:
     *
     * <ol>
     *   <li>any label that is not a number: classification (text labels such as {@code M}/{@code B}
     *       name categories);</li>
     *   <li>a number with a fractional part ({@code 21.6}, {@code 0.5}): a continuous target;</li>
     *   <li>integers only: classification, unless there are more than {@value #MANY_VALUES} distinct
     *       values and fewer than {@value #ROWS_PER_VALUE} rows per value on average (a price in whole
     *       dollars, a count): a continuous target.</li>
     * </ol>
     *
     * A continuous target is refused with a hint to pass {@code --task regression} (or
     * {@code --task classification} to force classes), not silently trained as a regression: as
     * scikit-learn's classifiers refuse a continuous {@code y} ("Unknown label type: continuous")
     * rather than switch to a regressor, the loss and the report stay the user's choice, and a
     * single stray {@code 0.5} in a 0/1 column is reported with its line instead of turning the
     * classifier into a regression.
     *
     * @return "classification"
     * @throws UsageException when the column looks continuous
     */
    static String inferTask(LabelColumn labels) {
        if (!labels.numeric()) return "classification";
        List<LabelColumn.Value> values = labels.distinct();
        int present = values.stream().mapToInt(LabelColumn.Value::count).sum();
        List<Integer> fractional = labels.nonIntegerRows();
        String hint = "; pass --task regression to fit it as a continuous target, or --task classification to make "
                + "each distinct value a class";
        if (!fractional.isEmpty()) {
            int row = fractional.get(0);
            String first = "'" + labels.text(row) + "' on line " + labels.line(row);
            if (fractional.size() * 100 < present) {
                // A few non-integers in an integer column: more likely a typo than a continuous target.
                throw new UsageException("label column '" + labels.name() + "' holds integers except " + first
                        + (fractional.size() > 1 ? " and " + (fractional.size() - 1) + " more rows" : "")
                        + " (of " + present + " rows); fix the label if it is a typo" + hint);
            }
            throw new UsageException("label column '" + labels.name() + "' looks like a continuous target, not "
                    + "classes: " + values.size() + " distinct values in " + present + " rows, non-integers such as "
                    + first + hint);
        }
        if (values.size() > MANY_VALUES && (long) values.size() * ROWS_PER_VALUE > present) {
            throw new UsageException("label column '" + labels.name() + "' looks like a continuous target, not "
                    + "classes: " + values.size() + " distinct integer values in " + present + " rows (fewer than "
                    + ROWS_PER_VALUE + " rows per value)" + hint);
        }
        return "classification";
    }

    /**
     * Refuses a regression target with text in it at its first such row: the reader's own message
     * for a text cell ("declare the column categorical") is advice for a feature column, and the
     * likelier mistake with a label is {@code --task regression} on a column of classes.
     */
    static void checkNumericTarget(LabelColumn labels) {
        List<Integer> text = labels.nonNumericRows();
        if (text.isEmpty()) return;
        int row = text.getFirst();
        throw DataFileException.atLine(labels.file(), labels.line(row), labels.column(), "label '" + labels.text(row)
                + "' in column '" + labels.name() + "' is not a number" + (text.size() > 1 ? " (nor are " + (text.size() - 1)
                + " more labels)" : "") + ", and --task regression needs numbers: leave out --task, or pass --task"
                + " classification, to train on its values as classes; or fix the row if it is a typo");
    }

    /** The classes of a label column in class-id order: its distinct values (see {@link LabelColumn#distinct}). */
    static List<String> classNames(LabelColumn labels) {
        return labels.distinct().stream().map(LabelColumn.Value::text).toList();
    }

    /** A class with fewer rows than this gets a warning: the 20% test part expects less than one of its rows. */
    static final int FEW_ROWS = 5;

    /**
     * Refuses a class with a single row, and warns about one with fewer than {@value #FEW_ROWS},
     * naming the label value and its lines. A single row is an error, as in scikit-learn's stratified
     * {@code train_test_split} ("The least populated class in y has only 1 member, which is too
     * few"): the stratified split cannot put it in both parts, so the class is either never trained
     * on or never tested, and a lone value in a label column is far more often a typo than a class.
     * A few rows is a warning, as scikit-learn's {@code StratifiedKFold} warns when a class has fewer
     * members than folds: the run can go on, but the class can hardly be learned or measured.
     */
    static void checkClasses(LabelColumn labels, PrintStream warnings) {
        List<LabelColumn.Value> values = labels.distinct();
        int present = values.stream().mapToInt(LabelColumn.Value::count).sum();
        List<LabelColumn.Value> single = values.stream().filter(v -> v.count() < 2).toList();
        if (!single.isEmpty()) {
            LabelColumn.Value v = single.getFirst();
            String others = single.size() == 1 ? "" : " (" + (single.size() - 1) + " more labels occur once, such as '"
                    + single.get(1).text() + "' on line " + single.get(1).firstLines().getFirst() + ")";
            throw DataFileException.atLine(labels.file(), v.firstLines().getFirst(), labels.column(),
                    "label '" + v.text() + "' in column '" + labels.name() + "' occurs on this line only, a class of 1 row "
                    + "among " + present + others + "; a class needs at least 2 rows (one to train on, one to test): "
                    + "fix or drop the row if it is a typo"
                    + (labels.numeric() ? ", or pass --task regression if the column is a quantity" : ""));
        }
        for (LabelColumn.Value v : values) {
            if (v.count() < FEW_ROWS) {
                warnings.println("lanes: warning: label '" + v.text() + "' in column '" + labels.name() + "' of "
                        + labels.file() + " has only " + v.count() + " rows among " + present + " (lines "
                        + String.join(", ", v.firstLines().stream().map(String::valueOf).toList())
                        + "): too few to learn or test that class; check them for typos");
            }
        }
    }

    /**
     * {@code cm} as a table whose rows and columns are headed by the class names, so the matrix
     * names classes as the per-class accuracy list does (labels {@code -1, 0, 1} are class ids
     * {@code 0, 1, 2}, and a matrix headed by ids would show a different class under "0"). Laid out
     * as {@link ConfusionMatrix#toString()}, which it equals when the names are the ids.
     */
    static String confusionTable(ConfusionMatrix cm, List<String> names) {
        int k = cm.classes();
        List<String> heads = names != null && names.size() == k ? names
                : java.util.stream.IntStream.range(0, k).mapToObj(Integer::toString).toList();
        int longest = heads.stream().mapToInt(String::length).max().orElse(1);
        int width = Math.max(Math.max(6, Long.toString(cm.total()).length() + 1), longest + 1);
        int first = Math.max(8, longest + 1);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-" + first + "s", "actual"));
        for (String h : heads) sb.append(String.format(Locale.ROOT, "%" + width + "s", h));
        sb.append("   accuracy\n");
        double[] perClass = cm.perClassAccuracy();
        for (int a = 0; a < k; a++) {
            sb.append(String.format(Locale.ROOT, "%-" + first + "s", heads.get(a)));
            for (int p = 0; p < k; p++) sb.append(String.format(Locale.ROOT, "%" + width + "d", cm.count(a, p)));
            sb.append(String.format(Locale.ROOT, "   %.4f%n", perClass[a]));
        }
        sb.append(String.format(Locale.ROOT, "overall accuracy %.4f over %d samples%n", cm.accuracy(), cm.total()));
        return sb.toString();
    }

    /** How a CSV file is written, as far as its first line tells: its separator, and whether that line names the columns. */
    record CsvDialect(char delimiter, boolean header) {
        /**
         * Semicolons separate the fields where a comma is the decimal mark (Excel in a European
         * locale), so there {@code 1,5} is the number 1.5, never text.
         */
        boolean decimalComma() { return delimiter == ';'; }
    }

    /**
     * Reads the first line of {@code file} once for both. The separator is a comma unless that line
     * has none and has semicolons (the European spreadsheet export) or tabs: the header guess and
     * the reader must agree on it, or the whole line is one column. The line is a header when its
     * non-empty cells are all not numbers. All, not any: a data row with one text cell (a category
     * such as {@code Female}, a typo, {@code NA}) must stay data, or predict would drop it and train
     * would take its values for names.
     */
    static CsvDialect sniff(Path file) {
        String line;
        try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(file)) {
            line = r.readLine();
        } catch (java.io.IOException e) {
            line = null; // the reader itself reports the file problem with its name
        }
        if (line == null) return new CsvDialect(',', false);
        // A semicolon wins over commas: a European export's data line ("0,5;1,25") holds both, its
        // commas decimal marks; a comma-separated file rarely has a semicolon outside quotes.
        char delimiter = unquoted(line).indexOf(';') >= 0 ? ';' : line.indexOf(',') >= 0 ? ',' : line.indexOf('\t') >= 0 ? '\t' : ',';
        boolean names = false;
        for (String cell : line.replace("\uFEFF", "").split(java.util.regex.Pattern.quote(String.valueOf(delimiter)))) {
            String c = cell.trim().replace("\"", "");
            if (c.isEmpty()) continue;
            try {
                Double.parseDouble(c);
                return new CsvDialect(delimiter, false);
            } catch (NumberFormatException e) {
                names = true;
            }
        }
        return new CsvDialect(delimiter, names);
    }

    /** {@code line} without its double-quoted parts. */
    private static String unquoted(String line) {
        return line.replaceAll("\"[^\"]*(\"|$)", "");
    }

    private static Integer parseIndex(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
