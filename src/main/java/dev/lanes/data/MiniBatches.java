package dev.lanes.data;

import dev.lanes.tensor.Matrix;

/**
 * Mini-batch iteration over a dataset, allocation-free per batch.
 *
 * <p>With shuffling, each epoch visits the rows in a fresh order that depends only on the seed and
 * the epoch number (so a resumed run sees the same batches as an uninterrupted one); the rows of a
 * batch are gathered into matrices allocated once. Without shuffling, batches are views of the
 * dataset's own memory, created once up front. The last batch of an epoch holds the remainder and
 * may be smaller; every row is visited exactly once per epoch.
 *
 * <pre>{@code
 * try (MiniBatches batches = new MiniBatches(train, 128, true, seed, true)) {
 *     for (int epoch = 0; epoch < epochs; epoch++) {
 *         batches.startEpoch(epoch);
 *         while (batches.next()) {
 *             step(batches.features(), batches.labels());   // size() rows each
 *         }
 *     }
 * }
 * }</pre>
 *
 * The matrices returned for a batch are only valid until the next call to {@link #next()}.
 */
public final class MiniBatches implements AutoCloseable {
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean oneHot;
    private final long seed;
    private final int[] order;
    private final SplitMix64 rng = new SplitMix64(0);
    private final int batches;

    // Shuffled mode gathers into these; one-hot mode expands labels into labelBuffer.
    private final Matrix featureBuffer;
    private final Matrix labelBuffer;
    private final Matrix featureTail;
    private final Matrix labelTail;
    // Unshuffled mode: views of the dataset, one per batch.
    private final Matrix[] featureViews;
    private final Matrix[] labelViews;

    private int batch = -1;
    private boolean started;

    /**
     * @param shuffle      visit the rows in a new seeded order each epoch
     * @param oneHotLabels give class labels as one-hot rows ({@code size × classes}) instead of ids
     */
    public MiniBatches(Dataset data, int batchSize, boolean shuffle, long seed, boolean oneHotLabels) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (oneHotLabels && !data.isClassification()) {
            throw new IllegalArgumentException("one-hot labels need a classification set; this is " + data);
        }
        this.data = data;
        int n = data.rows();
        this.batchSize = Math.min(batchSize, n);
        this.shuffle = shuffle;
        this.oneHot = oneHotLabels;
        this.seed = seed;
        this.order = Splits.identity(n);
        this.batches = (n + this.batchSize - 1) / this.batchSize;
        int tail = n % this.batchSize;
        int labelCols = oneHot ? data.numClasses() : data.labelCols();

        if (shuffle) {
            featureBuffer = Matrix.allocate(this.batchSize, data.featureCount());
            featureTail = tail > 0 ? featureBuffer.rowRange(0, tail) : featureBuffer;
            featureViews = null;
        } else {
            featureBuffer = null;
            featureTail = null;
            featureViews = views(data.features(), n);
        }
        if (data.hasLabels() && (shuffle || oneHot)) {
            labelBuffer = Matrix.allocate(this.batchSize, labelCols);
            labelTail = tail > 0 ? labelBuffer.rowRange(0, tail) : labelBuffer;
            labelViews = null;
        } else {
            labelBuffer = null;
            labelTail = null;
            labelViews = data.hasLabels() ? views(data.labels(), n) : null;
        }
    }

    private Matrix[] views(Matrix m, int n) {
        Matrix[] v = new Matrix[batches];
        for (int b = 0; b < batches; b++) {
            int from = b * batchSize;
            v[b] = m.rowRange(from, Math.min(n, from + batchSize));
        }
        return v;
    }

    /** Starts epoch {@code epoch} (0-based): rewinds and, when shuffling, draws that epoch's order. */
    public void startEpoch(int epoch) {
        if (shuffle) {
            for (int i = 0; i < order.length; i++) order[i] = i;
            rng.reseed(seed, epoch);
            rng.shuffle(order, 0, order.length);
        }
        batch = -1;
        started = true;
    }

    /** Moves to the next batch of the epoch; false when the epoch is done. */
    public boolean next() {
        if (!started) {
            throw new IllegalStateException("call startEpoch before next");
        }
        if (batch + 1 >= batches) {
            batch = batches;
            return false;
        }
        batch++;
        int from = batch * batchSize;
        int to = Math.min(order.length, from + batchSize);
        boolean last = to - from < batchSize;
        if (shuffle) {
            Dataset.gatherRows(data.features(), order, from, to, last ? featureTail : featureBuffer);
        }
        if (labelBuffer != null) {
            Matrix dst = last ? labelTail : labelBuffer;
            if (oneHot) {
                expandOneHot(from, to, dst);
            } else {
                Dataset.gatherRows(data.labels(), order, from, to, dst);
            }
        }
        return true;
    }

    private void expandOneHot(int from, int to, Matrix dst) {
        dst.fill(0f);
        Matrix ids = data.labels();
        for (int i = from; i < to; i++) {
            dst.set(i - from, (int) ids.get(order[i], 0), 1f);
        }
    }

    /** Features of the current batch: {@code size() × featureCount}. */
    public Matrix features() {
        checkInBatch();
        if (!shuffle) return featureViews[batch];
        return isTail() ? featureTail : featureBuffer;
    }

    /** Labels of the current batch: class ids, one-hot rows or targets, {@code size()} rows. */
    public Matrix labels() {
        checkInBatch();
        if (!data.hasLabels()) throw new IllegalStateException("the dataset has no labels");
        if (labelBuffer == null) return labelViews[batch];
        return isTail() ? labelTail : labelBuffer;
    }

    /** Rows in the current batch. */
    public int size() {
        checkInBatch();
        return Math.min(order.length, (batch + 1) * batchSize) - batch * batchSize;
    }

    /** The dataset row that is row {@code i} of the current batch. */
    public int sourceRow(int i) {
        checkInBatch();
        if (i < 0 || i >= size()) throw new IndexOutOfBoundsException("row " + i + " of a batch of " + size());
        return order[batch * batchSize + i];
    }

    /** Batches per epoch. */
    public int batchesPerEpoch() { return batches; }

    public int batchSize() { return batchSize; }

    private boolean isTail() {
        return (batch + 1) * batchSize > order.length;
    }

    private void checkInBatch() {
        if (batch < 0 || batch >= batches) {
            throw new IllegalStateException("no current batch: call startEpoch, then next() until it returns false");
        }
    }

    /** Frees the batch buffers (not the dataset). */
    @Override
    public void close() {
        if (featureBuffer != null) featureBuffer.close();
        if (labelBuffer != null) labelBuffer.close();
    }
}
