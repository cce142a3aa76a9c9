package dev.lanes.cli;

import dev.lanes.data.CsvReader;
import dev.lanes.data.Dataset;
import dev.lanes.data.Datasets;
import dev.lanes.data.Preprocessing;
import dev.lanes.data.Split;
import dev.lanes.data.Splits;
import dev.lanes.data.Standardizer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How each dataset the CLI knows is loaded, split and prepared, and what kind of task it is. The
 * preparation is fitted on the training part only (a standardizer never sees test rows).
 */
final class Recipe {
    enum Task { MULTICLASS, BINARY, REGRESSION }

    /** Train and test parts ready to fit, plus what `predict` needs to prepare new rows the same way. */
    record Prepared(String name, Task task, Dataset train, Dataset test, Standardizer standardizer, float divisor,
                    int classes) implements AutoCloseable {
        @Override
        public void close() {
            train.close();
            if (test != null) test.close();
        }
    }

    private Recipe() {}

    static Prepared load(String dataset, Path dataPath, String labelColumn, String taskName, long seed) {
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
                Preprocessing.divide(s.train().features(), 16f);
                Preprocessing.divide(s.test().features(), 16f);
                yield new Prepared("optdigits", Task.MULTICLASS, s.train(), s.test(), null, 16f, s.train().numClasses());
            }
            case "ilpd" -> standardized("ilpd", Task.BINARY,
                    Datasets.ilpd(dir(dataPath, root.resolve("ilpd"))), seed, true);
            case "california" -> standardized("california", Task.REGRESSION,
                    Datasets.californiaHousing(dir(dataPath, root.resolve("california-housing"))), seed, false);
            case "csv" -> csv(dataPath, labelColumn, taskName, seed);
            default -> throw new UsageException("--dataset must be one of mnist, fashion-mnist, optdigits, ilpd, "
                    + "california, csv; got '" + dataset + "'");
        };
    }

    private static Path dir(Path given, Path fallback) {
        Path d = given != null ? given : fallback;
        if (!Files.isDirectory(d)) {
            throw new UsageException("data folder " + d + " does not exist"
                    + (given == null ? " (run from the repository root, or pass --data DIR)" : ""));
        }
        return d;
    }

    private static Prepared idx(String name, Split s) {
        return new Prepared(name, Task.MULTICLASS, s.train(), s.test(), null, 255f, s.train().numClasses());
    }

    /** Splits 80/20 (stratified for classes) and standardizes with training statistics. */
    private static Prepared standardized(String name, Task task, Dataset all, long seed, boolean stratified) {
        Split s;
        try {
            s = Splits.split(all, 0.8, 0.0, seed, stratified);
        } finally {
            all.close();
        }
        Standardizer st = Standardizer.fit(s.train().features());
        st.apply(s.train());
        st.apply(s.test());
        int classes = task == Task.REGRESSION ? 0 : s.train().numClasses();
        return new Prepared(name, task, s.train(), s.test(), st, 1f, classes);
    }

    private static Prepared csv(Path file, String label, String taskName, long seed) {
        if (file == null || !Files.isRegularFile(file)) {
            throw new UsageException("--dataset csv needs --data FILE.csv (an existing file)" + (file == null ? "" : ": " + file));
        }
        if (label == null) {
            throw new UsageException("--dataset csv needs --label COLUMN (name, or index counted from 0; -1 = last)");
        }
        String task = taskName == null ? "classification" : taskName;
        CsvReader.Builder b = CsvReader.builder().impute(CsvReader.Missing.MEDIAN);
        Integer index = parseIndex(label);
        switch (task) {
            case "classification" -> b = index != null ? b.classLabels(index) : b.classLabels(label);
            case "regression" -> b = index != null ? b.target(index) : b.target(label);
            default -> throw new UsageException("--task must be classification or regression, got '" + task + "'");
        }
        Dataset all = b.build().read(file).dataset();
        Task t = task.equals("regression") ? Task.REGRESSION : all.numClasses() == 2 ? Task.BINARY : Task.MULTICLASS;
        return standardized(file.getFileName().toString(), t, all, seed, t != Task.REGRESSION);
    }

    private static Integer parseIndex(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
