package dev.lanes.cli;

import dev.lanes.io.Json;
import dev.lanes.io.ModelFile;
import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Optimizer;
import dev.lanes.train.EarlyStopping;
import dev.lanes.train.FitOptions;
import dev.lanes.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code lanes tune}: random search (the Keras Tuner idea) over learning rate (log-uniform), hidden
 * width, depth, dropout, batch size and optimizer. Each trial is a short training scored on a
 * validation split held out of the training part (the test part stays unseen until the winner is
 * chosen); each trial keeps its best epoch. With {@code --coarse-to-fine} half the budget is spent
 * on a second round sampling near the best trial of the first. Same seed, same leaderboard.
 */
final class TuneCommand {
    private static final Set<String> VALUED = Set.of("dataset", "data", "label", "task", "trials", "epochs",
            "validation-split", "seed", "threads", "backend", "save", "json");
    private static final Set<String> FLAGS = Set.of("coarse-to-fine", "quiet");
    private static final String[] OPTIMIZERS = {"adam", "adamw", "rmsprop", "momentum", "nesterov"};

    /** One point of the search space. */
    record Params(float lr, int width, int depth, float dropout, int batch, String optimizer) {
        String layers() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < depth; i++) sb.append(i > 0 ? "," : "").append(width);
            return sb.toString();
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "lr %.2e, layers %s, dropout %.2f, batch %d, %s", lr, layers(), dropout,
                    batch, optimizer);
        }
    }

    /** A finished trial: its validation score at its best epoch. */
    record Trial(int number, int round, Params params, double score, int bestEpoch, double seconds) {}

    private TuneCommand() {}

    static int run(List<String> argv, PrintStream out) {
        Args a = new Args("tune", argv, VALUED, FLAGS);
        if (!a.positional().isEmpty()) throw new UsageException("tune: unexpected argument '" + a.positional().get(0) + "'");
        String dataset = a.string("dataset", "optdigits");
        TrainCommand.Config.checkCsvOnly(dataset, a);
        int trials = a.integer("trials", 8, 1);
        int epochs = a.integer("epochs", 5, 1);
        boolean coarseToFine = a.flag("coarse-to-fine");
        if (coarseToFine && trials < 2) throw new UsageException("--coarse-to-fine needs --trials 2 or more");
        float validation = a.floatValue("validation-split", 0.2f, 0.01f, 0.9f);
        long seed = a.longValue("seed", 42);
        int threads = a.threads();
        String backend = a.backend();
        String save = a.string("save", null), json = a.string("json", null), data = a.string("data", null);
        boolean quiet = a.flag("quiet");
        // Checked before the search, not after its last trial.
        TrainCommand.checkOutputFile(save == null ? null : Path.of(save), "save");
        TrainCommand.checkOutputFile(json == null ? null : Path.of(json), "json");
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("data", data == null ? null : Path.of(data));
        files.put("save", save == null ? null : Path.of(save));
        files.put("json", json == null ? null : Path.of(json));
        TrainCommand.refuseSameFile(files, Set.of("data"));
        // Options every trial shares, in `lanes train` syntax, so trials are built exactly as train builds.
        List<String> common = new ArrayList<>(List.of("--dataset", dataset, "--epochs", Integer.toString(epochs),
                "--seed", Long.toString(seed), "--validation-split", Float.toString(validation),
                "--threads", Integer.toString(threads), "--backend", backend, "--schedule", "constant", "--quiet"));
        if (data != null) common.addAll(List.of("--data", data));
        if (a.string("label", null) != null) common.addAll(List.of("--label", a.string("label", null)));
        if (a.string("task", null) != null) common.addAll(List.of("--task", a.string("task", null)));

        try (Kernels kernels = Kernels.create(backend, threads);
             Recipe.Prepared prepared = Recipe.load(dataset, data == null ? null : Path.of(data), a.string("label", null),
                     a.string("task", null), seed)) {
            boolean regression = prepared.task() == Recipe.Task.REGRESSION;
            String objective = regression ? "val_loss" : "val_accuracy";
            if (!quiet) {
                out.printf(Locale.ROOT, "tuning on %s: %d trials of %d epochs, objective %s on a %.0f%% validation split%s%n",
                        prepared.name(), trials, epochs, objective, 100 * validation,
                        coarseToFine ? ", coarse to fine" : "");
            }
            SplittableRandom random = new SplittableRandom(seed);
            Comparator<Trial> better = regression ? Comparator.comparingDouble(Trial::score)
                    : Comparator.comparingDouble(Trial::score).reversed();
            List<Trial> done = new ArrayList<>();
            Best best = new Best();
            int coarse = coarseToFine ? (trials + 1) / 2 : trials;
            for (int t = 0; t < trials; t++) {
                int round = t < coarse ? 1 : 2;
                Params p = round == 1 ? sampleCoarse(random) : sampleFine(random, best.trial.params());
                Trial trial = runTrial(t + 1, round, p, common, prepared, kernels, objective, best, better);
                done.add(trial);
                if (!quiet) {
                    out.printf(Locale.ROOT, "trial %2d (round %d): %s = %.4f (epoch %d) - %s - %.1f s%n", trial.number(),
                            round, objective, trial.score(), trial.bestEpoch() + 1, p, trial.seconds());
                }
            }
            done.sort(better);
            out.print(leaderboard(done, objective));
            if (best.weights == null) {
                throw new IllegalStateException("no trial produced a finite " + objective + "; try other --epochs or data");
            }
            finish(best, prepared, kernels, save, quiet, out);
            if (json != null) writeJson(Path.of(json), prepared, objective, done);
        }
        return 0;
    }

    /** The best trial so far, its configuration and its weights at its best epoch. */
    private static final class Best {
        Trial trial;
        TrainCommand.Config config;
        List<float[]> weights;
    }

    private static Trial runTrial(int number, int round, Params p, List<String> common, Recipe.Prepared data,
                                  Kernels kernels, String objective, Best best, Comparator<Trial> better) {
        List<String> args = new ArrayList<>(common);
        args.addAll(List.of("--layers", p.layers(), "--dropout", Float.toString(p.dropout()), "--batch",
                Integer.toString(p.batch()), "--optimizer", p.optimizer(), "--lr", Float.toString(p.lr())));
        TrainCommand.Config cfg = TrainCommand.Config.parse("tune", args);
        long start = System.nanoTime();
        // Patience equal to the epoch budget never stops early; it only keeps the best epoch's weights.
        EarlyStopping keepBest = EarlyStopping.builder().monitor(objective).patience(cfg.epochs())
                .restoreBestWeights(true).build();
        try (Sequential model = TrainCommand.buildModel(cfg, data, kernels);
             Optimizer optimizer = TrainCommand.optimizer(cfg);
             Trainer trainer = new Trainer(model, TrainCommand.loss(cfg, data), optimizer, TrainCommand.metrics(data))) {
            double score;
            try {
                trainer.fit(data.train().features(), data.train().labels(), FitOptions.builder().epochs(cfg.epochs())
                        .batchSize(cfg.batch()).seed(cfg.seed()).validationSplit(cfg.validationSplit())
                        .callbacks(keepBest).verbose(false).build());
                score = keepBest.best();
            } catch (dev.lanes.train.TrainingDivergedException e) {
                score = Double.NaN; // a diverging learning rate is a result, not a failure of the search
            }
            boolean finite = Double.isFinite(score);
            Trial trial = new Trial(number, round, p, finite ? score : objective.equals("val_loss")
                    ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY, keepBest.bestEpoch(),
                    (System.nanoTime() - start) / 1e9);
            if (finite && (best.trial == null || better.compare(trial, best.trial) < 0)) {
                best.trial = trial;
                best.config = cfg;
                best.weights = model.getWeights();
            }
            return trial;
        }
    }

    static Params sampleCoarse(SplittableRandom r) {
        float lr = logUniform(r, 1e-4, 3e-2);
        int width = new int[] {32, 64, 128, 256}[r.nextInt(4)];
        int depth = 1 + r.nextInt(3);
        float dropout = Math.round(r.nextDouble(0, 0.5) * 20) / 20f;
        int batch = new int[] {32, 64, 128, 256}[r.nextInt(4)];
        return new Params(lr, width, depth, dropout, batch, OPTIMIZERS[r.nextInt(OPTIMIZERS.length)]);
    }

    /** Near {@code b}: learning rate within 3× either way, width and batch halved/kept/doubled, depth ±1, dropout ±0.1. */
    static Params sampleFine(SplittableRandom r, Params b) {
        float lr = logUniform(r, b.lr() / 3, b.lr() * 3);
        int width = Math.max(8, b.width() * new int[] {1, 2, 4}[r.nextInt(3)] / 2);
        int depth = Math.clamp(b.depth() - 1 + r.nextInt(3), 1, 4);
        float dropout = Math.round(Math.clamp(b.dropout() + r.nextDouble(-0.1, 0.1), 0, 0.6) * 20) / 20f;
        int batch = Math.max(8, b.batch() * new int[] {1, 2, 4}[r.nextInt(3)] / 2);
        return new Params(lr, width, depth, dropout, batch, b.optimizer());
    }

    private static float logUniform(SplittableRandom r, double lo, double hi) {
        return (float) Math.exp(r.nextDouble(Math.log(lo), Math.log(hi)));
    }

    static String leaderboard(List<Trial> ranked, String objective) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%4s %5s %5s %12s  %-9s %-12s %7s %5s  %s%n", "rank", "trial", "round",
                objective, "lr", "layers", "dropout", "batch", "optimizer"));
        for (int i = 0; i < ranked.size(); i++) {
            Trial t = ranked.get(i);
            Params p = t.params();
            sb.append(String.format(Locale.ROOT, "%4d %5d %5d %12.4f  %-9.2e %-12s %7.2f %5d  %s%n", i + 1, t.number(),
                    t.round(), t.score(), p.lr(), p.layers(), p.dropout(), p.batch(), p.optimizer()));
        }
        return sb.toString();
    }

    private static void finish(Best best, Recipe.Prepared data, Kernels kernels, String save, boolean quiet,
                               PrintStream out) {
        try (Sequential model = TrainCommand.buildModel(best.config, data, kernels);
             Optimizer optimizer = TrainCommand.optimizer(best.config);
             Trainer trainer = new Trainer(model, TrainCommand.loss(best.config, data), optimizer,
                     TrainCommand.metrics(data))) {
            model.setWeights(best.weights);
            out.println("best: trial " + best.trial.number() + ", " + best.trial.params());
            Map<String, Object> test = TrainCommand.report(true, data, model, trainer, out);
            if (!quiet && !test.isEmpty()) {
                out.println("best on the test part: " + (test.containsKey("accuracy")
                        ? String.format(Locale.ROOT, "accuracy %.2f%%", 100 * (Double) test.get("accuracy"))
                        : String.format(Locale.ROOT, "RMSE %.4f, R² %.4f", (Double) test.get("rmse"), (Double) test.get("r2"))));
            }
            if (save != null) {
                ModelFile.save(Path.of(save), model, trainer.loss(), data.metadata());
                if (!quiet) out.println("saved " + save);
            }
        }
    }

    private static void writeJson(Path file, Recipe.Prepared data, String objective, List<Trial> ranked) {
        List<Object> rows = new ArrayList<>();
        for (Trial t : ranked) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("trial", t.number());
            m.put("round", t.round());
            m.put(objective, t.score());
            m.put("best_epoch", t.bestEpoch() + 1);
            m.put("lr", t.params().lr());
            m.put("layers", t.params().layers());
            m.put("dropout", t.params().dropout());
            m.put("batch", t.params().batch());
            m.put("optimizer", t.params().optimizer());
            m.put("seconds", t.seconds());
            rows.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("dataset", data.name());
        root.put("objective", objective);
        root.put("trials", rows);
        TrainCommand.writeText(file, Json.write(root) + "\n");
    }
}
