package dev.lanes.train;

/** The loss became NaN or infinite; the message says where and what to try. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int epoch;
    private final int step;

    TrainingDivergedException(String message, int epoch, int step) {
        super(message);
        this.epoch = epoch;
        this.step = step;
    }

    /** 0-based epoch in which the loss stopped being finite. */
    public int epoch() { return epoch; }

    /** 0-based batch within that epoch. */
    public int step() { return step; }
}
