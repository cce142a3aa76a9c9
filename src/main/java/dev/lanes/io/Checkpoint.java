package dev.lanes.io;

import dev.lanes.nn.Parameter;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Optimizer;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.Callback;
import dev.lanes.train.EpochLogs;
import dev.lanes.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Everything a training run needs to continue where it stopped: the model's weights, the optimizer's
 * state slots and step counter, the trainer's step counter (it keys the dropout masks), the number of
 * completed epochs (it keys the shuffle and the learning-rate schedule) and the history so far.
 * Restoring all of them makes a resumed run end with bitwise the weights of an uninterrupted one
 * (same seed, same thread count).
 *
 * <p>One file per epoch, {@code DIR/epoch-0007.lanes}, written atomically; only the newest
 * {@value #KEEP} are kept. The file is a model file with extra {@code optimizer/...} tensors and a
 * {@code "lanes.checkpoint"} metadata entry, so {@code lanes evaluate --model} reads it too.
 *
 * <pre>{@code
 * Path latest = Checkpoint.latest(dir);
 * Checkpoint.State s = latest == null ? Checkpoint.State.FRESH : Checkpoint.restore(latest, trainer);
 * trainer.fit(x, y, options.initialEpoch(s.epochsDone()).callbacks(Checkpoint.writer(dir, prep, s.history())));
 * }</pre>
 */
public final class Checkpoint {
    static final String KEY = "lanes.checkpoint";
    static final String OPTIMIZER_PREFIX = "optimizer/";
    private static final String FORMAT = "lanes-checkpoint";
    private static final int VERSION = 1;
    private static final int KEEP = 2;
    private static final Pattern FILE_NAME = Pattern.compile("epoch-(\\d{1,9})\\.lanes");

    /**
     * Where a run stands: epochs completed, training steps taken, the logs of those epochs, and the
     * run settings the writer was given (batch size, seed, ...), for the caller to compare.
     */
    public record State(int epochsDone, long steps, List<EpochLogs> history, Map<String, Object> run) {
        public static final State FRESH = new State(0, 0, List.of(), Map.of());

        public State {
            history = List.copyOf(history);
            run = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(run));
        }
    }

    private Checkpoint() {}

    /** Writes the trainer's state after {@code epochsDone} epochs to {@code dir}; returns the file. */
    public static Path save(Path dir, Trainer trainer, Map<String, Object> preprocessing, int epochsDone,
                            List<EpochLogs> history) {
        return save(dir, trainer, preprocessing, Map.of(), epochsDone, history);
    }

    /** As above, also recording {@code run}: settings outside the model that a resume must repeat. */
    public static Path save(Path dir, Trainer trainer, Map<String, Object> preprocessing, Map<String, Object> run,
                            int epochsDone, List<EpochLogs> history) {
        Sequential model = trainer.model();
        Optimizer optimizer = trainer.optimizer();
        Map<String, SafeTensors.Tensor> tensors = ModelFile.weightTensors(model);
        List<Parameter> bound = optimizer.boundParameters();
        for (int i = 0; i < bound.size(); i++) {
            List<Matrix> slots = optimizer.stateOf(i);
            for (int s = 0; s < slots.size(); s++) {
                Matrix m = slots.get(s);
                tensors.put(slotName(bound.get(i), s), new SafeTensors.Tensor(new int[] {m.rows(), m.cols()}, m.toArray()));
            }
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("format", FORMAT);
        info.put("version", VERSION);
        info.put("epochs_done", epochsDone);
        info.put("steps", trainer.steps());
        info.put("iterations", optimizer.iterations());
        info.put("optimizer", optimizer.toString());
        List<Object> epochs = new ArrayList<>();
        for (EpochLogs e : history) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", e.epoch());
            m.put("values", e.values());
            m.put("seconds", e.seconds());
            m.put("samples_per_s", e.samplesPerSecond());
            m.put("learning_rate", e.learningRate());
            epochs.add(m);
        }
        info.put("history", epochs);
        info.put("run", run);
        Path file = dir.resolve(String.format(java.util.Locale.ROOT, "epoch-%04d.lanes", epochsDone));
        ModelFile.requireLoadable(file, tensors);
        SafeTensors.write(file, tensors, Map.of(
                ModelFile.KEY, ModelFile.description(model, trainer.loss(), preprocessing),
                KEY, Json.write(info)));
        pruneOlder(dir);
        return file;
    }

    /** The checkpoint with the most completed epochs in {@code dir}, or null when there is none. */
    public static Path latest(Path dir) {
        TreeMap<Integer, Path> files = list(dir);
        return files.isEmpty() ? null : files.lastEntry().getValue();
    }

    /** Every checkpoint file in {@code dir}, the latest epoch first (empty when there is none). */
    public static List<Path> newestFirst(Path dir) {
        return List.copyOf(list(dir).descendingMap().values());
    }

    /**
     * The layer descriptions without the Dense layers' L1/L2 penalties: those belong to the objective,
     * which a caller compares with the run settings it saved (the CLI names --l1/--l2), and
     * checkpoints written before model files kept them have none.
     */
    private static List<Object> withoutPenalties(List<?> layers) {
        List<Object> out = new ArrayList<>(layers.size());
        for (Object layer : layers) {
            if (layer instanceof Map<?, ?> m && (m.containsKey("l1") || m.containsKey("l2"))) {
                Map<Object, Object> copy = new LinkedHashMap<>(m);
                copy.remove("l1");
                copy.remove("l2");
                out.add(copy);
            } else {
                out.add(layer);
            }
        }
        return out;
    }

    /**
     * Puts the state saved in {@code file} into {@code trainer} (built with the same architecture and
     * optimizer) and returns where the run stands.
     *
     * @throws ModelFileException when the file is unreadable or was written by a different model or optimizer
     */
    public static State restore(Path file, Trainer trainer) {
        SafeTensors.Contents c = SafeTensors.read(file);
        // Read through JsonFields: a missing or mistyped field names the file and the field.
        JsonFields info = JsonFields.parse(file, "the checkpoint metadata", metadata(file, c, KEY, "checkpoint"));
        if (!FORMAT.equals(info.get("format")) || !(info.get("version") instanceof Long v) || v < 1 || v > VERSION) {
            throw new ModelFileException(file, -1, "not a checkpoint this Lanes reads (format " + info.get("format")
                    + ", version " + info.get("version") + ")");
        }
        Sequential model = trainer.model();
        Optimizer optimizer = trainer.optimizer();
        JsonFields saved = JsonFields.parse(file, "the model description", metadata(file, c, ModelFile.KEY, "model"));
        Map<?, ?> current = (Map<?, ?>) Json.parse(ModelFile.description(model, trainer.loss(), null));
        if (!withoutPenalties((List<?>) current.get("layers")).equals(withoutPenalties(saved.list("layers")))
                || !current.get("input_width").equals(saved.required("input_width", Long.class))) {
            throw new ModelFileException(file, -1, "the checkpoint holds a different architecture than this run builds: "
                    + Json.write(saved.get("layers")));
        }
        String trainedWith = info.string("optimizer");
        if (!optimizer.toString().equals(trainedWith)) {
            throw new ModelFileException(file, -1, "the checkpoint was trained with " + trainedWith
                    + ", this run uses " + optimizer);
        }
        // Everything the metadata says is read before the first weight is touched.
        int iterations = info.count("iterations", 0);
        long steps = info.wholeNumber("steps", 0, Long.MAX_VALUE);
        int epochsDone = info.count("epochs_done", 0);
        List<EpochLogs> history = history(info);
        Map<?, ?> runJson = info.optional("run", Map.class);
        ModelFile.copyWeights(file, c, model);
        List<Parameter> bound = optimizer.boundParameters();
        int slotTensors = 0;
        for (int i = 0; i < bound.size(); i++) {
            List<Matrix> slots = optimizer.stateOf(i);
            for (int s = 0; s < slots.size(); s++) {
                String name = slotName(bound.get(i), s);
                SafeTensors.Tensor t = c.tensors().get(name);
                Matrix m = slots.get(s);
                if (t == null || t.data().length != m.rows() * m.cols()) {
                    throw new ModelFileException(file, -1, "optimizer state '" + name + "' is missing or has the wrong size");
                }
                // A NaN slot would make the first resumed step's weights NaN. Infinities are allowed:
                // a second-moment accumulator (Adam's v, Adagrad's, RMSProp's) may overflow to +inf
                // with finite weights, which only makes that weight's step 0 (see Adam.boundsStep).
                int bad = ModelFile.firstNonFinite(t.data(), true);
                if (bad >= 0) {
                    throw new ModelFileException(file, c.byteOffset(name, bad), "optimizer state '" + name + "' holds NaN at "
                            + ModelFile.element(t.shape(), bad) + "; a checkpoint's optimizer state is never NaN, "
                            + "so the file is damaged");
                }
                m.copyFrom(t.data());
                slotTensors++;
            }
        }
        long inFile = c.tensors().keySet().stream().filter(n -> n.startsWith(OPTIMIZER_PREFIX)).count();
        if (inFile != slotTensors) {
            throw new ModelFileException(file, -1, "the checkpoint has " + inFile + " optimizer state tensors, "
                    + optimizer + " needs " + slotTensors);
        }
        optimizer.setIterations(iterations);
        trainer.setSteps(steps);
        Map<String, Object> run = new LinkedHashMap<>();
        if (runJson != null) {
            for (var e : runJson.entrySet()) run.put(String.valueOf(e.getKey()), e.getValue());
        }
        return new State(epochsDone, steps, history, run);
    }

    /**
     * A callback saving a checkpoint to {@code dir} after every epoch; {@code earlier} are the epochs of
     * the run being resumed, kept in front of the new ones in each checkpoint's history.
     */
    public static Callback writer(Path dir, Map<String, Object> preprocessing, List<EpochLogs> earlier) {
        return writer(dir, preprocessing, Map.of(), earlier);
    }

    /** As above, recording {@code run} in every checkpoint (see {@link State#run()}). */
    public static Callback writer(Path dir, Map<String, Object> preprocessing, Map<String, Object> run,
                                  List<EpochLogs> earlier) {
        List<EpochLogs> history = new ArrayList<>(earlier);
        return new Callback() {
            @Override
            public void onEpochEnd(int epoch, EpochLogs logs, Trainer trainer) {
                history.add(logs);
                save(dir, trainer, preprocessing, run, epoch + 1, history);
            }
        };
    }

    private static String slotName(Parameter p, int slot) {
        return OPTIMIZER_PREFIX + p.name() + "/slot_" + slot;
    }

    private static List<EpochLogs> history(JsonFields info) {
        List<EpochLogs> out = new ArrayList<>();
        List<?> epochs = info.list("history");
        for (int i = 0; i < epochs.size(); i++) {
            JsonFields m = info.element("history", epochs, i);
            Map<String, Double> values = new LinkedHashMap<>();
            // JSON writes NaN and infinities as null: a NaN validation loss is history, not damage.
            for (var e : m.entries("values", Number.class, true).entrySet()) {
                values.put(e.getKey(), e.getValue() == null ? Double.NaN : e.getValue().doubleValue());
            }
            out.add(new EpochLogs(m.count("epoch", 0), values, m.numberOrNaN("seconds"),
                    m.numberOrNaN("samples_per_s"), (float) m.numberOrNaN("learning_rate")));
        }
        return out;
    }

    /** The metadata entry {@code key} of a checkpoint, which must be there. */
    private static String metadata(Path file, SafeTensors.Contents c, String key, String what) {
        String json = c.metadata().get(key);
        if (json == null) {
            throw new ModelFileException(file, -1, "not a Lanes checkpoint (no " + what + " metadata)");
        }
        return json;
    }

    private static TreeMap<Integer, Path> list(Path dir) {
        TreeMap<Integer, Path> files = new TreeMap<>();
        if (!Files.isDirectory(dir)) return files;
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> {
                Matcher m = FILE_NAME.matcher(p.getFileName().toString());
                if (m.matches()) files.put(Integer.parseInt(m.group(1)), p);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + AtomicFiles.reason(e), e);
        }
        return files;
    }

    private static void pruneOlder(Path dir) {
        TreeMap<Integer, Path> files = list(dir);
        while (files.size() > KEEP) {
            Path oldest = files.pollFirstEntry().getValue();
            try {
                Files.deleteIfExists(oldest);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete old checkpoint " + oldest + ": " + AtomicFiles.reason(e), e);
            }
        }
    }
}
