package dev.lanes.io;

import dev.lanes.train.Callback;
import dev.lanes.train.EarlyStopping;
import dev.lanes.train.EpochLogs;
import dev.lanes.train.FitOptions;
import dev.lanes.train.Monitor;
import dev.lanes.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Saves the model as a {@link ModelFile} at the end of epochs, as Keras's {@code ModelCheckpoint}:
 * every epoch, or with {@code saveBestOnly} only when the monitored quantity improves on the best so
 * far (Keras's rule, see {@link Monitor}), so that the file holds the best model of the run whatever
 * happens after. A file name holding {@code {epoch}} gets the 1-based epoch number, one file per
 * epoch; otherwise each save replaces the last. Every write is atomic: an interrupted run leaves the
 * previous file whole. For resuming a run (optimizer state, history), see {@link Checkpoint}.
 *
 * <pre>{@code
 * ModelCheckpoint best = ModelCheckpoint.builder(Path.of("best.lanes")).monitor("val_accuracy").saveBestOnly(true).build();
 * trainer.fit(x, y, FitOptions.builder().epochs(30).validationSplit(0.1).callbacks(best).build());
 * }</pre>
 */
public final class ModelCheckpoint implements Callback {
    private final Path file;
    private final Monitor monitor;
    private final boolean saveBestOnly;
    private final Map<String, Object> preprocessing;
    private final PrintStream log;
    private double best;
    private int bestEpoch;
    private Path lastSaved;

    private ModelCheckpoint(Builder b) {
        if (b.file == null) throw new IllegalArgumentException("ModelCheckpoint needs a file to save to");
        this.file = b.file;
        this.monitor = Monitor.of(b.monitor, b.minDelta, b.mode, "model checkpoint");
        this.saveBestOnly = b.saveBestOnly;
        this.preprocessing = Map.copyOf(b.preprocessing);
        this.log = b.log;
    }

    /** Settings for saving to {@code file}; defaults as Keras's: monitor {@code val_loss}, every epoch. */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    /** Collects {@link ModelCheckpoint} settings. */
    public static final class Builder {
        private final Path file;
        private String monitor = "val_loss";
        private double minDelta;
        private EarlyStopping.Mode mode = EarlyStopping.Mode.AUTO;
        private boolean saveBestOnly;
        private Map<String, Object> preprocessing = Map.of();
        private PrintStream log;

        private Builder(Path file) { this.file = file; }

        public Builder monitor(String monitor) { this.monitor = monitor; return this; }

        public Builder minDelta(double minDelta) { this.minDelta = minDelta; return this; }

        public Builder mode(EarlyStopping.Mode mode) { this.mode = mode; return this; }

        /** Save only epochs that improve the monitored quantity (default false: every epoch). */
        public Builder saveBestOnly(boolean saveBestOnly) { this.saveBestOnly = saveBestOnly; return this; }

        /** Notes on how inputs were prepared, stored with the model as {@link ModelFile#save} stores them. */
        public Builder preprocessing(Map<String, Object> preprocessing) { this.preprocessing = preprocessing; return this; }

        /** Where to print one line per save, as Keras's {@code verbose=1}; none by default. */
        public Builder log(PrintStream log) { this.log = log; return this; }

        public ModelCheckpoint build() { return new ModelCheckpoint(this); }
    }

    @Override
    public void onTrainBegin(Trainer trainer, FitOptions options) {
        if (saveBestOnly) monitor.checkAvailable(options);
        best = monitor.worst();
        bestEpoch = -1;
        lastSaved = null;
    }

    @Override
    public void onEpochEnd(int epoch, EpochLogs logs, Trainer trainer) {
        double current = saveBestOnly ? monitor.read(logs) : Double.NaN;
        if (saveBestOnly && !monitor.improves(current, best)) return;
        Path target = fileFor(epoch);
        ModelFile.save(target, trainer.model(), trainer.loss(), preprocessing);
        if (log != null) {
            log.println(saveBestOnly
                    ? String.format(Locale.ROOT, "Epoch %d: %s improved from %.5f to %.5f, saved to %s", epoch + 1,
                            monitor.name(), best, current, target)
                    : String.format(Locale.ROOT, "Epoch %d: saved to %s", epoch + 1, target));
        }
        if (saveBestOnly) {
            best = current;
            bestEpoch = epoch;
        }
        lastSaved = target;
    }

    /** The file of epoch {@code epoch} (0-based): {@code {epoch}} in the file name becomes epoch + 1. */
    Path fileFor(int epoch) {
        String name = file.getFileName().toString();
        if (!name.contains("{epoch}")) return file;
        return file.resolveSibling(name.replace("{epoch}", Integer.toString(epoch + 1)));
    }

    /** The file written last in the current or latest fit, or null when none was. */
    public Path lastSaved() { return lastSaved; }

    /** With {@code saveBestOnly}, the 0-based epoch saved last (the best), or −1. */
    public int bestEpoch() { return bestEpoch; }

    /** With {@code saveBestOnly}, the best monitored value so far. */
    public double best() { return best; }
}
