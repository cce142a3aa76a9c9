package dev.lanes.train;

/**
 * Hooks into {@link Trainer#fit}: implement the ones you need. {@link #onBatchEnd} runs after every
 * training step and must not allocate if the step is to stay allocation-free.
 *
 * <pre>{@code
 * Callback printer = new Callback() {
 *     @Override public void onEpochEnd(int epoch, EpochLogs logs, Trainer trainer) {
 *         System.out.println(epoch + ": " + logs.get("loss"));
 *     }
 * };
 * }</pre>
 */
public interface Callback {
    default void onTrainBegin(Trainer trainer, FitOptions options) {}

    /** After the optimizer has taken the epoch's rate from its schedule. */
    default void onEpochBegin(int epoch, Trainer trainer) {}

    /** @param loss the batch's mean loss */
    default void onBatchEnd(int epoch, int batch, int batches, float loss) {}

    /** Call {@link Trainer#stopTraining()} here to end training after this epoch. */
    default void onEpochEnd(int epoch, EpochLogs logs, Trainer trainer) {}

    default void onTrainEnd(Trainer trainer, History history) {}

    /**
     * Instead of {@link #onTrainEnd}, when {@link Trainer#fit} ends with an exception (a diverging
     * step, another callback's error, an earlier callback's {@code onTrainEnd} among them): release
     * what {@link #onTrainBegin} took, since nothing else
     * will (an early-stopping copy of the weights is off-heap memory). Called only on callbacks
     * whose {@code onTrainBegin} returned; the exception reaches fit's caller whatever this does,
     * and an exception thrown here is attached to it as suppressed.
     */
    default void onTrainFailed(Trainer trainer, Throwable cause) {}
}
