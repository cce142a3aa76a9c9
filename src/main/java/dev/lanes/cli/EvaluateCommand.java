package dev.lanes.cli;

import dev.lanes.io.Json;
import dev.lanes.kernel.Kernels;
import dev.lanes.optim.Sgd;
import dev.lanes.train.Metric;
import dev.lanes.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code lanes evaluate}: the test report of a saved model on its dataset's test part, prepared with
 * the preparation saved in the model (not refitted), split with the seed the model was trained with.
 */
final class EvaluateCommand {
    private static final Set<String> VALUED = Set.of("model", "dataset", "data", "label", "seed", "threads", "backend",
            "json");
    private static final Set<String> FLAGS = Set.of("quiet");

    private EvaluateCommand() {}

    static int run(List<String> argv, PrintStream out) {
        Args a = new Args("evaluate", argv, VALUED, FLAGS);
        if (!a.positional().isEmpty()) throw new UsageException("evaluate: unexpected argument '" + a.positional().get(0) + "'");
        String modelFile = a.string("model", null);
        String json = a.string("json", null);
        boolean quiet = a.flag("quiet");
        try (Kernels kernels = Kernels.create(a.backend(),
                a.threads());
             SavedModel saved = SavedModel.open(modelFile, kernels)) {
            String dataset = a.string("dataset", saved.string("recipe"));
            if (dataset == null) throw new UsageException("evaluate: the model does not name its dataset; give --dataset NAME");
            long splitSeed = saved.metadata().get("split_seed") instanceof Long s ? s : 42L;
            long seed = a.longValue("seed", splitSeed);
            if (seed != splitSeed && (dataset.equals("csv") || dataset.equals("ilpd") || dataset.equals("california"))) {
                // Recipes split from one file: another seed draws another test part, overlapping the training rows.
                Main.warnings().println("lanes: warning: --seed " + seed + " is not the seed the model's split was drawn with ("
                        + splitSeed + "): its test rows include rows the model was trained on");
            }
            Recipe.Task task = saved.task();
            String taskOption = task == Recipe.Task.REGRESSION ? "regression" : "classification";
            String data = a.string("data", null);
            if (data == null && dataset.equals("csv")) {
                // The model records the file's name, not its path, which would not survive a move to another machine.
                throw new UsageException("evaluate: the model was trained on the CSV file " + saved.string("dataset")
                        + "; pass --data PATH/" + saved.string("dataset") + " to evaluate it on that file's test part");
            }
            try (Recipe.Prepared prepared = Recipe.load(dataset, data == null ? null : Path.of(data),
                    a.string("label", saved.string("label")), taskOption, seed,
                    saved.preparation())) {
                check(saved, prepared);
                Metric[] metrics = TrainCommand.metrics(prepared);
                try (Sgd neverStepped = new Sgd(0.01f);
                     Trainer trainer = new Trainer(saved.model(), saved.loss(), neverStepped, metrics)) {
                    if (!quiet) {
                        out.printf(Locale.ROOT, "%s on %s: %d test rows%n", saved.file(), prepared.name(),
                                prepared.test().rows());
                    }
                    Map<String, Object> test = TrainCommand.report(quiet, prepared, saved.model(), trainer, out);
                    if (json != null) {
                        Map<String, Object> root = new LinkedHashMap<>();
                        root.put("model", saved.file().toString());
                        root.put("dataset", prepared.name());
                        root.put("task", task.name().toLowerCase(Locale.ROOT));
                        root.put("test", test);
                        TrainCommand.writeText(Path.of(json), Json.write(root) + "\n");
                    }
                }
            }
        }
        return 0;
    }

    private static void check(SavedModel saved, Recipe.Prepared data) {
        if (data.test() == null) throw new UsageException("evaluate: dataset " + data.name() + " has no test part");
        int width = saved.model().inputWidth();
        if (data.test().featureCount() != width) {
            throw new UsageException("evaluate: the model takes " + width + " features, " + data.name() + " has "
                    + data.test().featureCount());
        }
        if (data.task() != saved.task()) {
            throw new UsageException("evaluate: the model was trained for " + saved.task().name().toLowerCase(Locale.ROOT)
                    + ", " + data.name() + " is " + data.task().name().toLowerCase(Locale.ROOT));
        }
        int outputs = saved.model().outputWidth();
        int expected = switch (data.task()) {
            case MULTICLASS -> data.classes();
            case BINARY -> 1;
            case REGRESSION -> data.test().labelCols();
        };
        if (outputs != expected) {
            throw new UsageException("evaluate: the model has " + outputs + " outputs, " + data.name() + " needs " + expected);
        }
    }
}
