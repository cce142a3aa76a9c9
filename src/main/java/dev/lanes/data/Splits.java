package dev.lanes.data;

import java.util.Arrays;

/**
 * Seeded train/dev/test splits. Each part is a random selection of rows, and each part owns a copy
 * of its rows. By default a part keeps the rows' order in the source (so a split is easy to
 * inspect); {@link RowOrder#RANDOM} puts each part in a seeded random order instead.
 *
 * <p>Stratified splits give every class the same proportions in every part, up to rounding: each
 * class's share is rounded down, then the rows still needed to reach the overall part size go to
 * the classes with the largest rounded-off remainders.
 *
 * <p>Why the row order matters: {@code FitOptions.validationSplit} holds out the <em>last</em>
 * rows it is given, as Keras does. On a part in source order that is the end of the file, which for
 * a file sorted by label (or by region, or by date) is not a sample of the part at all: all of one
 * class, or all of one area. {@link RowOrder#RANDOM} makes every run of rows at the end of a part a
 * random sample of that part, and with {@code stratified} one with the part's class proportions.
 */
public final class Splits {
    private Splits() {}

    /** The order of the rows inside each part. */
    public enum RowOrder {
        /** Rows in the order of the source; the last rows of a part are the last ones of the file. */
        SOURCE,
        /**
         * Rows in a random order drawn from the seed (a stream of its own, so the parts hold the
         * same rows as with {@link #SOURCE}). Stratified, the classes are interleaved evenly: any
         * run of rows at the end of a part has each class's share of the part to within a row.
         */
        RANDOM
    }

    /**
     * Splits {@code data} into {@code trainFraction}, {@code devFraction} and the rest as test.
     * Part sizes are {@code round(n·fraction)}; a part of zero rows is returned as null.
     *
     * @param stratified keep class proportions in every part (classification sets only)
     */
    public static Split split(Dataset data, double trainFraction, double devFraction, long seed, boolean stratified) {
        return split(data, trainFraction, devFraction, seed, stratified, RowOrder.SOURCE);
    }

    /**
     * As {@link #split(Dataset, double, double, long, boolean)}, with the rows of each part in
     * {@code order}. The parts hold the same rows whatever the order.
     */
    public static Split split(Dataset data, double trainFraction, double devFraction, long seed, boolean stratified,
                              RowOrder order) {
        if (!(trainFraction > 0) || !(devFraction >= 0) || trainFraction + devFraction > 1 + 1e-9) {
            throw new IllegalArgumentException("fractions must satisfy train > 0, dev >= 0, train + dev <= 1; got "
                    + trainFraction + " and " + devFraction);
        }
        int n = data.rows();
        int trainSize = (int) Math.round(n * trainFraction);
        int devSize = Math.min((int) Math.round(n * devFraction), n - trainSize);
        if (trainSize < 1) {
            throw new IllegalArgumentException("a training fraction of " + trainFraction + " of " + n + " rows leaves no training rows");
        }
        int[][] parts = stratified
                ? stratifiedParts(data, trainSize, devSize, seed)
                : randomParts(n, trainSize, devSize, seed);
        if (order == RowOrder.RANDOM) {
            for (int p = 0; p < parts.length; p++) {
                // A stream of its own: the parts' rows stay those of the source-order split with this seed.
                SplitMix64 rng = SplitMix64.forStream(seed, ORDER_STREAM + p);
                if (stratified) interleave(data, parts[p], rng);
                else rng.shuffle(parts[p], 0, parts[p].length);
            }
        }
        Dataset train = null;
        Dataset dev = null;
        try {
            train = data.select(parts[0]);
            dev = parts[1].length > 0 ? data.select(parts[1]) : null;
            Dataset test = parts[2].length > 0 ? data.select(parts[2]) : null;
            return new Split(train, dev, test);
        } catch (RuntimeException e) {
            if (train != null) train.close();
            if (dev != null) dev.close();
            throw e;
        }
    }

    private static int[][] randomParts(int n, int trainSize, int devSize, long seed) {
        int[] order = identity(n);
        new SplitMix64(seed).shuffle(order, 0, n);
        return sortedParts(order, trainSize, devSize);
    }

    private static int[][] stratifiedParts(Dataset data, int trainSize, int devSize, long seed) {
        if (!data.isClassification()) {
            throw new IllegalArgumentException("a stratified split needs class labels; this is " + data);
        }
        int k = data.numClasses();
        int n = data.rows();
        int[] counts = data.classCounts();
        // Rows grouped by class, each group shuffled with the same generator in class order.
        int[] start = new int[k + 1];
        for (int c = 0; c < k; c++) start[c + 1] = start[c] + counts[c];
        int[] grouped = new int[n];
        int[] fill = Arrays.copyOf(start, k);
        for (int r = 0; r < n; r++) grouped[fill[data.classId(r)]++] = r;
        SplitMix64 rng = new SplitMix64(seed);
        for (int c = 0; c < k; c++) rng.shuffle(grouped, start[c], start[c + 1]);

        int[] trainPerClass = apportion(counts, new int[k], trainSize, n);
        int[] devPerClass = apportion(counts, trainPerClass, devSize, n);

        int testSize = n - trainSize - devSize;
        int[][] parts = {new int[trainSize], new int[devSize], new int[testSize]};
        int[] used = new int[3];
        for (int c = 0; c < k; c++) {
            int at = start[c];
            int[] take = {trainPerClass[c], devPerClass[c], counts[c] - trainPerClass[c] - devPerClass[c]};
            for (int p = 0; p < 3; p++) {
                System.arraycopy(grouped, at, parts[p], used[p], take[p]);
                used[p] += take[p];
                at += take[p];
            }
        }
        for (int[] part : parts) Arrays.sort(part);
        return parts;
    }

    /** Stream index of the first part's row order (train; dev and test follow), apart from the split's own draws. */
    private static final long ORDER_STREAM = 0x5EED_0DE5L;

    /**
     * Puts {@code rows} in a random order in which every class is spread evenly: the i-th of a
     * class's m rows (shuffled) gets the key (i + u)/m, u uniform in [0, 1), and the rows are sorted
     * by key. Any key threshold then leaves each class's count within one row of its exact share,
     * so every run of rows at the end is a stratified random sample of {@code rows}.
     */
    static void interleave(Dataset data, int[] rows, SplitMix64 rng) {
        int n = rows.length;
        rng.shuffle(rows, 0, n);
        int[] counts = new int[data.numClasses()];
        for (int r : rows) counts[data.classId(r)]++;
        int[] seen = new int[counts.length];
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            int c = data.classId(rows[i]);
            double key = (seen[c]++ + rng.nextDouble()) / counts[c];
            // Key in the high 31 bits (a key in [0, 1) scaled to 2^31), position in the shuffle below.
            packed[i] = (long) (key * (1L << 31)) << 32 | i;
        }
        Arrays.sort(packed);
        int[] shuffled = rows.clone();
        for (int i = 0; i < n; i++) rows[i] = shuffled[(int) packed[i]];
    }

    /**
     * Shares of {@code total} rows per class proportional to {@code counts}: floor of each exact
     * share, then one more to the classes with the largest remainders, never giving a class more
     * than it has left after {@code taken}.
     */
    private static int[] apportion(int[] counts, int[] taken, int total, int n) {
        int k = counts.length;
        int[] share = new int[k];
        double[] remainder = new double[k];
        int assigned = 0;
        for (int c = 0; c < k; c++) {
            double exact = (double) counts[c] * total / n;
            share[c] = Math.min((int) Math.floor(exact), counts[c] - taken[c]);
            remainder[c] = exact - share[c];
            assigned += share[c];
        }
        while (assigned < total) {
            int best = -1;
            for (int c = 0; c < k; c++) {
                if (share[c] + taken[c] < counts[c] && (best < 0 || remainder[c] > remainder[best])) best = c;
            }
            if (best < 0) break;
            share[best]++;
            remainder[best] -= 1;
            assigned++;
        }
        return share;
    }

    private static int[][] sortedParts(int[] order, int trainSize, int devSize) {
        int[] train = Arrays.copyOfRange(order, 0, trainSize);
        int[] dev = Arrays.copyOfRange(order, trainSize, trainSize + devSize);
        int[] test = Arrays.copyOfRange(order, trainSize + devSize, order.length);
        Arrays.sort(train);
        Arrays.sort(dev);
        Arrays.sort(test);
        return new int[][] {train, dev, test};
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }
}
