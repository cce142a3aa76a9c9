package dev.lanes.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Prints one line per epoch ({@code Epoch 3/10 - 0.52s - 61,234 samples/s - loss: 0.3412 - accuracy:
 * 0.9012 - val_loss: ...}) and, on a terminal, redraws a progress bar with the running loss while the
 * epoch runs. {@link Trainer#fit} adds one when {@link FitOptions#verbose()} is set. Without the bar
 * a batch costs two additions; with it, the line is formatted at most ten times a second.
 */
public final class ProgressLogger implements Callback {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR_WIDTH = 30;

    private final PrintStream out;
    private final boolean live;
    private final int epochs;
    private double lossSum;
    private int lossCount;
    private long lastDraw;
    /** A progress bar is on the current line (live mode), to be ended before anything else prints. */
    private boolean barShown;

    public ProgressLogger(PrintStream out, boolean live, int epochs) {
        this.out = out;
        this.live = live;
        this.epochs = epochs;
    }

    @Override
    public void onEpochBegin(int epoch, Trainer trainer) {
        lossSum = 0;
        lossCount = 0;
        lastDraw = System.nanoTime();
    }

    @Override
    public void onBatchEnd(int epoch, int batch, int batches, float loss) {
        lossSum += loss;
        lossCount++;
        if (!live) return;
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS && batch + 1 < batches) return;
        lastDraw = now;
        int filled = (int) ((long) BAR_WIDTH * (batch + 1) / batches);
        out.print(String.format(Locale.ROOT, "\rEpoch %d/%d [%s%s] %d/%d - loss: %.4f", epoch + 1, epochs,
                "=".repeat(filled), " ".repeat(BAR_WIDTH - filled), batch + 1, batches, lossSum / lossCount));
        out.flush();
        barShown = true;
    }

    @Override
    public void onEpochEnd(int epoch, EpochLogs logs, Trainer trainer) {
        StringBuilder line = new StringBuilder();
        if (live) line.append('\r').append(" ".repeat(BAR_WIDTH + 48)).append('\r');
        line.append(String.format(Locale.ROOT, "Epoch %d/%d - %.2fs - %,.0f samples/s", epoch + 1, epochs,
                logs.seconds(), logs.samplesPerSecond()));
        for (Map.Entry<String, Double> e : logs.values().entrySet()) {
            line.append(String.format(Locale.ROOT, " - %s: %.4f", e.getKey(), e.getValue()));
        }
        line.append(String.format(Locale.ROOT, " - lr: %.3g", logs.learningRate()));
        out.println(line);
        barShown = false;
    }

    /** Ends a half-drawn bar's line, so the error that follows starts on a line of its own. */
    @Override
    public void onTrainFailed(Trainer trainer, Throwable cause) {
        if (barShown) {
            out.println();
            out.flush();
            barShown = false;
        }
    }
}
