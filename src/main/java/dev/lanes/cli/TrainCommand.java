package dev.lanes.cli;

import dev.lanes.data.Dataset;
import dev.lanes.io.AtomicFiles;
import dev.lanes.io.Checkpoint;
import dev.lanes.io.Json;
import dev.lanes.io.ModelFile;
import dev.lanes.io.ModelFileException;
import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.ActivationLayer;
import dev.lanes.nn.BatchNorm;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Regularizer;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adagrad;
import dev.lanes.optim.Adam;
import dev.lanes.optim.AdamW;
import dev.lanes.optim.LearningRateSchedule;
import dev.lanes.optim.Optimizer;
import dev.lanes.optim.RmsProp;
import dev.lanes.optim.Sgd;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.Callback;
import dev.lanes.train.ClassWeights;
import dev.lanes.train.ConfusionMatrix;
import dev.lanes.train.EarlyStopping;
import dev.lanes.train.ReduceLROnPlateau;
import dev.lanes.train.RocAuc;
import dev.lanes.train.EpochLogs;
import dev.lanes.train.Evaluation;
import dev.lanes.train.FitOptions;
import dev.lanes.train.History;
import dev.lanes.train.Metric;
import dev.lanes.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code lanes train}: load a dataset, build an MLP, fit it with progress output, then report the
 * test set (accuracy, precision, recall and F1 per class, ROC AUC for two classes and the confusion
 * matrix, or RMSE and R²). With no options
 * it is the README's main job: MNIST, 784-256-128-10 ReLU with softmax, Adam, batch 128.
 */
final class TrainCommand {
    static final Set<String> VALUED = Set.of("dataset", "data", "label", "task", "layers", "activation", "dropout",
            "optimizer", "lr", "schedule", "l2", "l1", "batch", "epochs", "early-stopping", "seed", "threads",
            "backend", "save", "json", "plot", "loss", "validation-split", "clip-norm", "checkpoint", "weight-decay",
            "reduce-lr", "warmup", "class-weight");
    static final Set<String> FLAGS = Set.of("batch-norm", "quiet", "resume");

    /** Everything a training run is configured by, parsed and validated. */
    record Config(String dataset, Path data, String label, String task, int[] layers, Activation activation,
                  float dropout, boolean batchNorm, String optimizer, float lr, String schedule, float l2, float l1,
                  int batch, int epochs, int patience, long seed, int threads, String backend, Path save, Path json,
                  Path plot, String loss, double validationSplit, float clipNorm, boolean quiet, Path checkpoint,
                  boolean resume, float weightDecay, int reducePatience, float reduceFactor, int warmup,
                  String classWeight) {

        static Config parse(String command, List<String> argv) {
            Args a = new Args(command, argv, VALUED, FLAGS);
            if (!a.positional().isEmpty()) {
                throw new UsageException(command + ": unexpected argument '" + a.positional().get(0) + "'");
            }
            String dataset = a.string("dataset", "mnist");
            String data = a.string("data", null);
            checkCsvOnly(dataset, a);
            Plateau reduce = Plateau.parse(a.string("reduce-lr", null));
            int epochs = a.integer("epochs", defaultEpochs(dataset), 1);
            int warmup = a.integer("warmup", 0, 0);
            if (warmup >= epochs) {
                throw new UsageException("--warmup " + warmup + " leaves none of the " + epochs + " epochs for the schedule;"
                        + " warm up for fewer epochs than --epochs");
            }
            return new Config(dataset, data == null ? null : Path.of(data), a.string("label", null),
                    a.string("task", null), layers(a.string("layers", "256,128")),
                    activation(a.string("activation", "relu")),
                    a.floatValue("dropout", isImages(dataset) ? 0.2f : 0f, 0f, 0.99f),
                    a.flag("batch-norm"),
                    a.choice("optimizer", "adam", "adam", "adamw", "sgd", "momentum", "nesterov", "adagrad", "rmsprop"),
                    a.floatValue("lr", Float.NaN, 1e-9f, 100f),
                    a.string("schedule", isImages(dataset) ? "exponential:0.85" : "constant"),
                    a.floatValue("l2", 0f, 0f, 10f), a.floatValue("l1", 0f, 0f, 10f),
                    a.integer("batch", 128, 1), epochs,
                    a.integer("early-stopping", 0, 0), a.longValue("seed", 42),
                    a.threads(),
                    a.backend(), path(a.string("save", null)),
                    path(a.string("json", null)), path(a.string("plot", null)), a.string("loss", null),
                    decimal(a.floatValue("validation-split", 0.1f, 0f, 0.9f)), a.floatValue("clip-norm", 0f, 0f, 1e9f),
                    a.flag("quiet"), path(a.string("checkpoint", null)), resume(a), weightDecay(a),
                    reduce.patience(), reduce.factor(), warmup, classWeight(a.string("class-weight", null)));
        }

        /**
         * --class-weight balanced | W0,W1,...: "balanced" or the weights as floats in class order
         * (the form a checkpoint records); null when not given. The count is checked against the data.
         */
        static String classWeight(String spec) {
            if (spec == null) return null;
            if (spec.trim().equals("balanced")) return "balanced";
            String usage = "--class-weight must be balanced or one weight per class in class order, such as 1,2.5"
                    + " (finite, >= 0, not all 0); got '" + spec + "'";
            String[] parts = spec.split(",", -1);
            StringBuilder normal = new StringBuilder();
            float[] weights = new float[parts.length];
            try {
                for (int i = 0; i < parts.length; i++) {
                    weights[i] = Args.decimal(parts[i]);
                    normal.append(i > 0 ? "," : "").append(weights[i]);
                }
                ClassWeights.of(weights);
            } catch (IllegalArgumentException e) { // NumberFormatException included
                throw new UsageException(usage);
            }
            return normal.toString();
        }


        /** --reduce-lr PATIENCE[:FACTOR]: patience 0 when not given. */
        record Plateau(int patience, float factor) {
            /** Keras's ReduceLROnPlateau on val_loss (loss without validation), factor 0.1 unless given. */
            static Plateau parse(String spec) {
                if (spec == null) return new Plateau(0, 0f);
                String[] p = spec.split(":", -1);
                String usage = "--reduce-lr must be PATIENCE or PATIENCE:FACTOR (epochs without improvement, then the"
                        + " rate times FACTOR, 0 < FACTOR < 1, default 0.1), got '" + spec + "'";
                if (p.length > 2) throw new UsageException(usage);
                try {
                    int patience = Integer.parseInt(p[0].trim());
                    float factor = p.length == 2 ? Args.decimal(p[1]) : 0.1f;
                    if (patience < 1 || !(factor > 0f && factor < 1f)) throw new UsageException(usage);
                    return new Plateau(patience, factor);
                } catch (NumberFormatException e) {
                    throw new UsageException(usage);
                }
            }
        }

        /** AdamW's decoupled weight decay; NaN when not given (AdamW's default then). */
        private static float weightDecay(Args a) {
            float decay = a.floatValue("weight-decay", Float.NaN, 0f, 1f);
            String optimizer = a.string("optimizer", "adam");
            if (!Float.isNaN(decay) && !optimizer.equals("adamw")) {
                throw new UsageException("--weight-decay is AdamW's decoupled decay (--optimizer adamw); with --optimizer "
                        + optimizer + " use --l2 for an L2 penalty");
            }
            return decay;
        }

        /**
         * The image recipes (MNIST, Fashion-MNIST) default to dropout 0.2 and a learning rate decayed
         * by 0.85 per epoch: without them 784-256-128-10 overfits after about six epochs and stays
         * near 97.7% on MNIST's test set; with them it reaches about 98.3% in 15 epochs.
         */
        static boolean isImages(String dataset) {
            return dataset.equals("mnist") || dataset.equals("fashion-mnist");
        }

        private static int defaultEpochs(String dataset) {
            return switch (dataset) {
                case "mnist", "fashion-mnist" -> 15;
                case "ilpd" -> 60;
                case "california" -> 40;
                default -> 30;
            };
        }

        private static boolean resume(Args a) {
            if (a.flag("resume") && a.string("checkpoint", null) == null) {
                throw new UsageException("--resume needs --checkpoint DIR (the folder the interrupted run saved to)");
            }
            return a.flag("resume");
        }

        /** --label and --task describe a CSV file; the other recipes have their own. */
        static void checkCsvOnly(String dataset, Args a) {
            for (String csvOnly : new String[] {"label", "task"}) {
                if (!dataset.equals("csv") && a.string(csvOnly, null) != null) {
                    throw new UsageException("--" + csvOnly + " applies to --dataset csv; " + dataset
                            + " has its own labels and task");
                }
            }
        }

        private static Path path(String s) {
            return s == null ? null : Path.of(s);
        }

        /** The double the user typed (0.1, not the float's 0.10000000149011612), for fractions shown back. */
        private static double decimal(float f) {
            return Double.parseDouble(Float.toString(f));
        }

        static int[] layers(String s) {
            if (s.isBlank() || s.equals("none")) return new int[0];
            String[] parts = s.split(",", -1); // "256," is a mistake, not one layer
            int[] out = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    out[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    out[i] = 0;
                }
                if (out[i] < 1) {
                    throw new UsageException("--layers takes hidden widths such as 256,128; '" + parts[i].trim()
                            + "' is not a width >= 1");
                }
            }
            return out;
        }

        static Activation activation(String s) {
            try {
                Activation act = Activation.parse(s);
                if (act.kind() == Activation.Kind.SOFTMAX) {
                    throw new UsageException("--activation softmax is for output layers only; use relu, tanh, ...");
                }
                return act;
            } catch (IllegalArgumentException e) {
                throw new UsageException("--activation: " + e.getMessage());
            }
        }
    }

    private TrainCommand() {}

    static int run(List<String> argv, PrintStream out) {
        Config cfg = Config.parse("train", argv);
        checkOutputs(cfg);
        long start = System.nanoTime();
        try (Kernels kernels = Kernels.create(cfg.backend(), cfg.threads());
             Recipe.Prepared data = Recipe.load(cfg.dataset(), cfg.data(), cfg.label(), cfg.task(), cfg.seed());
             Sequential model = buildModel(cfg, data, kernels);
             Trainer trainer = new Trainer(model, loss(cfg, data), optimizer(cfg), metrics(data))) {
            ClassWeights classWeights = classWeights(cfg, data);
            if (!cfg.quiet()) {
                int rows = data.train().rows();
                int held = rows - FitOptions.trainingRows(rows, cfg.validationSplit());
                out.printf(Locale.ROOT, "%s: %d training rows%s, %d test rows, %d features; %s%n", data.name(), rows,
                        held > 0 ? " (" + held + " of them held out for validation)" : "",
                        data.test() == null ? 0 : data.test().rows(), data.train().featureCount(), kernels);
                out.print(model.summary());
                out.println("loss " + trainer.loss() + ", optimizer " + trainer.optimizer());
                if (classWeights != null) out.println(classWeights + (cfg.classWeight().equals("balanced")
                        ? " (balanced: training rows / (classes · rows of the class))" : ""));
            }
            List<Callback> callbacks = new ArrayList<>();
            EarlyStopping stopping = null;
            if (cfg.patience() > 0) {
                stopping = EarlyStopping.builder().monitor(cfg.validationSplit() > 0 ? "val_loss" : "loss")
                        .patience(cfg.patience()).restoreBestWeights(true).build();
                callbacks.add(stopping);
            }
            Checkpoint.State resumed = resume(cfg, trainer, out);
            History history = new History();
            resumed.history().forEach(history::record);
            if (cfg.reducePatience() > 0) {
                // Continuing a checkpoint's run: its epochs are replayed, so the rate drops when it would have.
                callbacks.add(ReduceLROnPlateau.builder().monitor(cfg.validationSplit() > 0 ? "val_loss" : "loss")
                        .patience(cfg.reducePatience()).factor(cfg.reduceFactor()).build().continuing(history));
            }
            if (cfg.checkpoint() != null) {
                callbacks.add(Checkpoint.writer(cfg.checkpoint(), preprocessing(data), runSettings(cfg, trainer), resumed.history()));
            }
            if (resumed.epochsDone() < cfg.epochs()) {
                FitOptions options = FitOptions.builder().epochs(cfg.epochs()).initialEpoch(resumed.epochsDone())
                        .batchSize(cfg.batch()).seed(cfg.seed())
                        .validationSplit(cfg.validationSplit()).classWeights(classWeights)
                        .callbacks(callbacks.toArray(Callback[]::new))
                        .verbose(!cfg.quiet()).liveProgress(System.console() != null && !cfg.quiet()).out(out).build();
                appendEpochs(history, trainer.fit(data.train().features(), data.train().labels(), options));
                if (stopping != null && stopping.stoppedEpoch() >= 0 && !cfg.quiet()) {
                    out.printf(Locale.ROOT, "early stopping: %s has not improved for %d epochs; stopped after epoch %d and"
                                    + " restored the weights of epoch %d%n", cfg.validationSplit() > 0 ? "val_loss" : "loss",
                            cfg.patience(), stopping.stoppedEpoch() + 1, stopping.bestEpoch() + 1);
                }
            } else if (!cfg.quiet()) {
                out.println("the checkpoint has " + resumed.epochsDone() + " epochs done, --epochs asks for "
                        + cfg.epochs() + "; nothing to train");
            }

            // Saved before the test report, so a test set the model cannot take does not lose the training.
            if (cfg.save() != null) ModelFile.save(cfg.save(), model, trainer.loss(), preprocessing(data));
            Map<String, Object> test = report(cfg, data, model, trainer, out);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!cfg.quiet()) out.printf(Locale.ROOT, "total %.1f s%n", seconds);
            if (cfg.save() != null && !cfg.quiet()) out.println("saved " + cfg.save());
            if (cfg.json() != null) writeJson(cfg, data, history, test, seconds, kernels);
            if (cfg.plot() != null) writePlot(cfg, data, history);
        }
        return 0;
    }

    /** Output paths are checked before training, where a mistake would otherwise surface only after it. */
    private static void checkOutputs(Config cfg) {
        checkOutputFile(cfg.save(), "save");
        checkOutputFile(cfg.json(), "json");
        checkOutputFile(cfg.plot(), "plot");
        if (cfg.plot() != null && !cfg.plot().getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".svg")) {
            throw new UsageException("--plot " + cfg.plot() + ": the plot is an SVG drawing; give a file name ending in .svg");
        }
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("data", cfg.data());
        files.put("save", cfg.save());
        files.put("json", cfg.json());
        files.put("plot", cfg.plot());
        refuseSameFile(files, Set.of("data"));
        Path dir = cfg.checkpoint();
        if (dir != null) {
            if (dir.toString().isBlank()) throw new UsageException("--checkpoint needs a folder name");
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new UsageException("--checkpoint " + dir + " is a file; it names the folder the checkpoints go to");
            }
            checkCanCreate(dir, dir.toAbsolutePath(), "checkpoint");
            // A new run would interleave its checkpoints with the old run's, prune its own as
            // "older" than the old run's last epochs, and a later --resume would continue the wrong run.
            List<Path> earlier = cfg.resume() ? List.of() : Checkpoint.newestFirst(dir);
            if (!earlier.isEmpty()) {
                throw new UsageException("--checkpoint " + dir + " already holds checkpoints of another run (latest "
                        + earlier.get(0).getFileName() + "): add --resume to continue that run, or give an empty folder"
                        + " (or delete its epoch-NNNN.lanes files) to start a new one");
            }
        }
    }

    /**
     * Refuses two options that name one file when either is an output: the later writer would
     * replace the earlier one's file (a model overwritten by its own JSON report), or an output
     * would replace an input. {@code paths} maps option names to files (null: option not given).
     */
    static void refuseSameFile(Map<String, Path> paths, Set<String> inputs) {
        List<Map.Entry<String, Path>> given = paths.entrySet().stream().filter(e -> e.getValue() != null).toList();
        for (int i = 0; i < given.size(); i++) {
            for (int j = i + 1; j < given.size(); j++) {
                var a = given.get(i);
                var b = given.get(j);
                if (inputs.contains(a.getKey()) && inputs.contains(b.getKey())) continue;
                if (sameFile(a.getValue(), b.getValue())) {
                    throw new UsageException("--" + b.getKey() + " " + b.getValue() + " is the same file as --" + a.getKey() + " "
                            + a.getValue() + (inputs.contains(a.getKey()) ? ", which it would overwrite" : "")
                            + ": give each output its own file name");
                }
            }
        }
    }

    private static boolean sameFile(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) return true;
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    static void checkOutputFile(Path file, String option) {
        if (file == null) return;
        if (file.toString().isBlank()) throw new UsageException("--" + option + " needs a file name");
        if (Files.isDirectory(file)) {
            throw new UsageException("--" + option + " " + file + " is a folder; give a file name (in it, for example)");
        }
        checkCanCreate(file, file.toAbsolutePath().getParent(), option);
    }

    /**
     * The writers create missing folders (--save runs/m.lanes, --checkpoint runs/ck): the nearest
     * one that exists, from {@code folder} up, must be a folder that takes them.
     */
    private static void checkCanCreate(Path target, Path folder, String option) {
        Path dir = folder;
        while (dir != null && !Files.exists(dir)) dir = dir.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UsageException("--" + option + " " + target + ": " + dir + " is not a folder");
        }
        if (!Files.isWritable(dir)) {
            throw new UsageException("--" + option + " " + target + ": cannot write in " + dir);
        }
    }

    /** With --resume, puts the latest checkpoint's state into {@code trainer}; otherwise a fresh start. */
    @SuppressWarnings("unchecked")
    private static Checkpoint.State resume(Config cfg, Trainer trainer, PrintStream out) {
        if (!cfg.resume()) return Checkpoint.State.FRESH;
        List<Path> found = Checkpoint.newestFirst(cfg.checkpoint());
        if (found.isEmpty()) {
            throw new UsageException("--resume: no checkpoint (epoch-NNNN.lanes) in " + cfg.checkpoint());
        }
        // A damaged latest file (a disk that filled up, a copy cut short) falls back to the one
        // before, with a warning: the run then redoes an epoch instead of stopping. Each restore
        // sets every weight and optimizer slot, so a failed one leaves nothing behind.
        Checkpoint.State s = null;
        Path latest = null;
        ModelFileException newest = null;
        for (Path p : found) {
            try {
                s = Checkpoint.restore(p, trainer);
                latest = p;
                break;
            } catch (ModelFileException e) {
                if (newest == null) newest = e;
            }
        }
        if (s == null) throw newest;
        if (newest != null) {
            Main.warnings().println("lanes: warning: " + newest.getMessage() + "; resuming from " + latest + " instead");
        }
        Map<String, Object> now = (Map<String, Object>) Json.parse(Json.write(runSettings(cfg, trainer)));
        for (var e : now.entrySet()) {
            Object then = s.run().get(e.getKey());
            if (e.getKey().equals("row_order") && then == null) {
                throw new UsageException("--resume: " + latest + " was written when " + cfg.dataset() + "'s training rows"
                        + " were in file order; they are now in random order, so it cannot continue the same run");
            }
            // Checkpoints before 0.1 was parsed exactly hold the float's widening, 0.10000000149011612.
            if (e.getKey().equals("validation-split") && then instanceof Number t && e.getValue() instanceof Number v
                    && t.floatValue() == v.floatValue()) {
                continue;
            }
            if (then != null && !then.equals(e.getValue())) {
                throw new UsageException("--resume: " + latest + " was written with --" + e.getKey() + " " + then
                        + ", this run has " + e.getValue() + "; resume with the same options");
            }
        }
        if (!cfg.quiet()) {
            out.printf(Locale.ROOT, "resumed from %s: %d epochs done, step %d%n", latest, s.epochsDone(), s.steps());
        }
        return s;
    }

    /**
     * Options outside the architecture that a resumed run must repeat: those that decide the
     * batches, and the objective (the loss and the L1/L2 terms). The architecture and the optimizer
     * are checked when the checkpoint is restored. Checkpoints written before a key was recorded
     * are not checked for it.
     */
    private static Map<String, Object> runSettings(Config cfg, Trainer trainer) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", cfg.dataset());
        m.put("seed", cfg.seed());
        m.put("batch", cfg.batch());
        m.put("validation-split", cfg.validationSplit());
        // The tabular recipes order their training rows randomly from the seed (see Recipe); older
        // checkpoints of theirs were trained on rows in file order.
        if (Set.of("csv", "ilpd", "california").contains(cfg.dataset())) m.put("row_order", "random");
        m.put("loss", trainer.loss().toString());
        m.put("l1", cfg.l1());
        m.put("l2", cfg.l2());
        // Class weights change the objective, as the loss does.
        m.put("class-weight", cfg.classWeight() == null ? "none" : cfg.classWeight());
        // The plateau rule changes the rates the run trains with, as --lr does.
        m.put("reduce-lr", cfg.reducePatience() == 0 ? "off" : cfg.reducePatience() + ":" + cfg.reduceFactor());
        return m;
    }

    /** Appends the epochs of {@code later} to {@code history} (a resumed run after the checkpoint's epochs). */
    static void appendEpochs(History history, History later) {
        int first = history.epochs();
        for (int e = 0; e < later.epochs(); e++) {
            Map<String, Double> values = new LinkedHashMap<>();
            for (String k : later.keys()) values.put(k, later.get(k).get(e));
            history.record(new EpochLogs(first + e, values, later.seconds().get(e), later.samplesPerSecond().get(e),
                    later.learningRates().get(e).floatValue()));
        }
    }

    static Sequential buildModel(Config cfg, Recipe.Prepared data, Kernels kernels) {
        Sequential.Builder b = Sequential.builder(data.train().featureCount()).kernels(kernels).seed(cfg.seed());
        Regularizer reg = cfg.l1() > 0 || cfg.l2() > 0 ? Regularizer.l1l2(cfg.l1(), cfg.l2()) : Regularizer.NONE;
        for (int units : cfg.layers()) {
            if (cfg.batchNorm()) {
                // Dense → BatchNorm → activation, the usual order: normalize the pre-activations.
                b.add(new Dense(units, Activation.linear()).regularizer(reg));
                b.add(new BatchNorm());
                b.add(new ActivationLayer(cfg.activation()));
            } else {
                b.add(new Dense(units, cfg.activation()).regularizer(reg));
            }
            if (cfg.dropout() > 0) b.add(new Dropout(cfg.dropout()));
        }
        Dense output = switch (data.task()) {
            case MULTICLASS -> new Dense(data.classes(), Activation.softmax());
            case BINARY -> new Dense(1, Activation.sigmoid());
            case REGRESSION -> new Dense(data.train().labelCols(), Activation.linear());
        };
        b.add(output.regularizer(reg));
        return b.build();
    }

    static Loss loss(Config cfg, Recipe.Prepared data) {
        if (cfg.loss() != null) {
            Loss loss;
            try {
                loss = Loss.parse(cfg.loss());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--loss: " + e.getMessage());
            }
            // The CLI's targets are one class index per row (classification) or one value (regression):
            // a loss that wants other targets is the user's choice of option, not a failure while running.
            Loss.Kind kind = loss.kind();
            boolean crossEntropy = kind == Loss.Kind.BINARY_CROSS_ENTROPY || kind == Loss.Kind.CATEGORICAL_CROSS_ENTROPY
                    || kind == Loss.Kind.SPARSE_CATEGORICAL_CROSS_ENTROPY;
            if (data.task() == Recipe.Task.MULTICLASS && kind != Loss.Kind.SPARSE_CATEGORICAL_CROSS_ENTROPY) {
                throw new UsageException("--loss " + cfg.loss() + " does not fit " + data.name() + "'s " + data.classes()
                        + " classes, given as one class index per row: leave --loss out (sparse_categorical_crossentropy)"
                        + (cfg.dataset().equals("csv") ? ", or use --task regression for a numeric target" : ""));
            }
            if (data.task() == Recipe.Task.BINARY && (kind == Loss.Kind.CATEGORICAL_CROSS_ENTROPY
                    || kind == Loss.Kind.SPARSE_CATEGORICAL_CROSS_ENTROPY)) {
                throw new UsageException("--loss " + cfg.loss() + " needs a softmax over several outputs; " + data.name()
                        + " has two classes and one sigmoid output: leave --loss out (binary_crossentropy), or mse");
            }
            if (data.task() == Recipe.Task.REGRESSION && crossEntropy) {
                throw new UsageException("--loss " + cfg.loss() + " is for classes; " + data.name()
                        + " is a regression task: use mse, mae or huber");
            }
            return loss;
        }
        return switch (data.task()) {
            case MULTICLASS -> Loss.sparseCategoricalCrossEntropy();
            case BINARY -> Loss.binaryCrossEntropy();
            case REGRESSION -> Loss.meanSquaredError();
        };
    }

    /**
     * --class-weight for a classification recipe: the given weights, or scikit-learn's balanced weights
     * from the rows fit trains on (the validation split's rows left out); null when not given.
     */
    static ClassWeights classWeights(Config cfg, Recipe.Prepared data) {
        String spec = cfg.classWeight();
        if (spec == null) return null;
        if (data.task() == Recipe.Task.REGRESSION) {
            throw new UsageException("--class-weight is for classification; " + data.name() + " is a regression task");
        }
        int classes = data.task() == Recipe.Task.BINARY ? 2 : data.classes();
        Matrix labels = data.train().labels();
        int rows = FitOptions.trainingRows(labels.rows(), cfg.validationSplit());
        if (!spec.equals("balanced")) {
            String[] parts = spec.split(",");
            if (parts.length != classes) {
                throw new UsageException("--class-weight " + spec + " gives " + parts.length + " weights; " + data.name()
                        + " has " + classes + " classes (one weight per class, in class order)");
            }
            float[] weights = new float[classes];
            for (int c = 0; c < classes; c++) weights[c] = Float.parseFloat(parts[c]);
            return ClassWeights.of(weights);
        }
        try {
            return ClassWeights.balanced(labels.rowRange(0, rows), classes);
        } catch (IllegalArgumentException e) { // a class with no training rows
            throw new UsageException("--class-weight balanced: " + e.getMessage());
        }
    }

    static Metric[] metrics(Recipe.Prepared data) {
        return data.task() == Recipe.Task.REGRESSION
                ? new Metric[] {Metric.meanAbsoluteError()}
                : new Metric[] {Metric.accuracy()};
    }

    static Optimizer optimizer(Config cfg) {
        float lr = Float.isNaN(cfg.lr()) ? defaultLearningRate(cfg.optimizer()) : cfg.lr();
        LearningRateSchedule s = schedule(cfg.schedule(), lr, cfg.epochs() - cfg.warmup());
        if (cfg.warmup() > 0) s = LearningRateSchedule.warmup(cfg.warmup(), s);
        Optimizer o = switch (cfg.optimizer()) {
            case "adam" -> new Adam(s, 0.9f, 0.999f, 1e-8f);
            case "adamw" -> new AdamW(s, Float.isNaN(cfg.weightDecay()) ? AdamW.DEFAULT_WEIGHT_DECAY : cfg.weightDecay(),
                    0.9f, 0.999f, 1e-8f);
            case "sgd" -> new Sgd(s);
            case "momentum" -> new Sgd(s, 0.9f, false);
            case "nesterov" -> new Sgd(s, 0.9f, true);
            case "adagrad" -> new Adagrad(s, 1e-7f);
            case "rmsprop" -> new RmsProp(s, 0.9f, 1e-7f);
            default -> throw new UsageException("unknown optimizer " + cfg.optimizer());
        };
        if (cfg.clipNorm() > 0) o.clipNorm(cfg.clipNorm());
        return o;
    }

    static float defaultLearningRate(String optimizer) {
        return switch (optimizer) {
            case "sgd", "momentum", "nesterov", "adagrad" -> 0.01f;
            default -> 0.001f;
        };
    }

    private static final String SCHEDULES = "constant, inverse-time:DECAY, exponential:RATE, sqrt[:K], step:FACTOR:EVERY"
            + " or cosine[:EPOCHS[:ALPHA]]";

    /**
     * constant | inverse-time:DECAY | exponential:RATE | sqrt:K | step:FACTOR:EVERY | cosine[:EPOCHS[:ALPHA]];
     * cosine decays over {@code epochs} (the run's epochs after any warm-up) unless told otherwise.
     */
    static LearningRateSchedule schedule(String spec, float lr, int epochs) {
        String[] p = spec.split(":", -1);
        int parts = switch (p[0]) {
            case "constant" -> 1;
            case "sqrt" -> Math.min(p.length, 2);
            case "step" -> 3;
            case "cosine" -> Math.min(p.length, 3);
            default -> 2;
        };
        if (p.length > parts) {
            throw new UsageException("--schedule '" + spec + "' has more parts than " + p[0] + " takes (" + SCHEDULES + ")");
        }
        try {
            return switch (p[0]) {
                case "constant" -> LearningRateSchedule.constant(lr);
                case "inverse-time" -> LearningRateSchedule.inverseTimeDecay(lr, Args.decimal(p[1]));
                case "exponential" -> LearningRateSchedule.exponential(lr, Args.decimal(p[1]));
                case "sqrt" -> LearningRateSchedule.inverseSqrt(lr, p.length > 1 ? Args.decimal(p[1]) : 1f);
                case "step" -> LearningRateSchedule.step(lr, Args.decimal(p[1]), Integer.parseInt(p[2]));
                case "cosine" -> LearningRateSchedule.cosine(lr, p.length > 1 ? Integer.parseInt(p[1]) : epochs,
                        p.length > 2 ? Args.decimal(p[2]) : 0f);
                default -> throw new UsageException("--schedule must be " + SCHEDULES + "; got '" + spec + "'");
            };
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new UsageException("--schedule '" + spec + "' is missing a number (for example inverse-time:0.1, "
                    + "exponential:0.95, step:0.5:10, cosine:20:0.01)");
        } catch (IllegalArgumentException e) {
            throw new UsageException("--schedule: " + e.getMessage());
        }
    }

    /** Prints the test-set report and returns it for --json. */
    static Map<String, Object> report(Config cfg, Recipe.Prepared data, Sequential model, Trainer trainer,
                                      PrintStream out) {
        return report(cfg.quiet(), data, model, trainer, out);
    }

    /** As above; {@code lanes evaluate} calls it with a loaded model. */
    static Map<String, Object> report(boolean quiet, Recipe.Prepared data, Sequential model, Trainer trainer,
                                      PrintStream out) {
        Map<String, Object> test = new LinkedHashMap<>();
        Dataset t = data.test();
        if (t == null) return test;
        Evaluation ev = trainer.evaluate(t.features(), t.labels());
        test.put("loss", ev.loss());
        if (data.task() == Recipe.Task.REGRESSION) {
            double[] rmseR2 = rmseAndR2(model, t);
            test.put("rmse", rmseR2[0]);
            test.put("r2", rmseR2[1]);
            if (!quiet) {
                out.printf(Locale.ROOT, "test: loss %.4f, RMSE %.4f, R² %.4f%n", ev.loss(), rmseR2[0], rmseR2[1]);
            }
            return test;
        }
        ConfusionMatrix cm = ConfusionMatrix.of(model, t.features(), t.labels());
        test.put("accuracy", cm.accuracy());
        double[] perClass = cm.perClassAccuracy();
        Map<String, Object> pc = new LinkedHashMap<>();
        List<String> names = t.classNames();
        for (int c = 0; c < perClass.length; c++) {
            pc.put(names != null && c < names.size() ? names.get(c) : Integer.toString(c), perClass[c]);
        }
        test.put("per_class_accuracy", pc);
        test.put("per_class", ClassificationReport.perClass(cm, names));
        test.put("macro_avg", ClassificationReport.macroAverage(cm));
        test.put("weighted_avg", ClassificationReport.weightedAverage(cm));
        RocAuc roc = data.task() == Recipe.Task.BINARY ? RocAuc.of(model, t.features(), t.labels()) : null;
        if (roc != null) test.put("roc_auc", roc.auc()); // NaN, written as null, when the test rows are one class
        if (!quiet) {
            out.printf(Locale.ROOT, "test: loss %.4f, accuracy %.2f%% (%d rows)%n", ev.loss(), 100 * cm.accuracy(),
                    cm.total());
            // The recall column is the per-class accuracy, which the confusion table repeats at its right.
            out.print(ClassificationReport.table(cm, names));
            if (roc != null) out.print(ClassificationReport.rocAucLine(roc, names));
            out.println("confusion matrix (rows: actual, columns: predicted):");
            out.print(Recipe.confusionTable(cm, names));
        }
        return test;
    }

    static double[] rmseAndR2(Sequential model, Dataset t) {
        Matrix pred = model.predict(t.features());
        try {
            Matrix y = t.labels();
            double sse = 0, sum = 0, sumSq = 0;
            long n = 0;
            for (int r = 0; r < y.rows(); r++) {
                for (int c = 0; c < y.cols(); c++) {
                    double yv = y.get(r, c), d = pred.get(r, c) - yv;
                    sse += d * d;
                    sum += yv;
                    sumSq += yv * yv;
                    n++;
                }
            }
            double mean = sum / n, sst = sumSq - n * mean * mean;
            return new double[] {Math.sqrt(sse / n), sst > 0 ? 1 - sse / sst : Double.NaN};
        } finally {
            pred.close();
        }
    }

    static Map<String, Object> preprocessing(Recipe.Prepared data) {
        return data.metadata();
    }

    private static void writeJson(Config cfg, Recipe.Prepared data, History h, Map<String, Object> test,
                                  double seconds, Kernels kernels) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("dataset", data.name());
        root.put("task", data.task().name().toLowerCase(Locale.ROOT));
        root.put("backend", kernels.name());
        root.put("threads", kernels.threads());
        root.put("layers", cfg.layers());
        root.put("batch", cfg.batch());
        root.put("optimizer", cfg.optimizer());
        root.put("seed", cfg.seed());
        List<Object> epochs = new ArrayList<>();
        for (int e = 0; e < h.epochs(); e++) {
            Map<String, Object> ep = new LinkedHashMap<>();
            ep.put("epoch", e + 1);
            for (String k : h.keys()) ep.put(k, h.get(k).get(e));
            ep.put("seconds", h.seconds().get(e));
            ep.put("samples_per_s", h.samplesPerSecond().get(e));
            // The rate as the float it was (0.001, not 0.0010000000474974513).
            ep.put("lr", (double) Float.parseFloat(Float.toString(h.learningRates().get(e).floatValue())));
            epochs.add(ep);
        }
        root.put("epochs", epochs);
        root.put("test", test);
        root.put("seconds_total", seconds);
        writeText(cfg.json(), Json.write(root) + "\n");
    }

    private static void writePlot(Config cfg, Recipe.Prepared data, History h) {
        List<SvgPlot.Panel> panels = new ArrayList<>();
        List<SvgPlot.Series> losses = new ArrayList<>();
        List<SvgPlot.Series> metrics = new ArrayList<>();
        for (String k : h.keys()) {
            double[] v = h.get(k).stream().mapToDouble(Double::doubleValue).toArray();
            (k.endsWith("loss") ? losses : metrics).add(new SvgPlot.Series(k, v));
        }
        panels.add(new SvgPlot.Panel("loss", losses));
        if (!metrics.isEmpty()) panels.add(new SvgPlot.Panel(data.task() == Recipe.Task.REGRESSION ? "error" : "accuracy", metrics));
        writeText(cfg.plot(), SvgPlot.render("Lanes: " + data.name() + " " + java.util.Arrays.toString(cfg.layers()), panels));
    }

    /** Written atomically, as model files are: a failed or interrupted write leaves any earlier file whole. */
    static void writeText(Path file, String text) {
        AtomicFiles.write(file, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }
}
