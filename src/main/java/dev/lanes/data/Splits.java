package dev.lanes.data;

import java.util.Arrays;

/**
 * Seeded train/dev/test splits. Each part is a random selection of rows that keeps the rows' order
 * in the source (so a split is easy to inspect), and each part owns a copy of its rows.
 *
 * <p>Stratified splits give every class the same proportions in every part, up to rounding: each
 * class's share is rounded down, then the rows still needed to reach the overall part size go to
 * the classes with the largest rounded-off remainders.
 */
public final class Splits {
    private Splits() {}

    /**
     * Splits {@code data} into {@code trainFraction}, {@code devFraction} and the rest as test.
     * Part sizes are {@code round(n·fraction)}; a part of zero rows is returned as null.
     *
     * @param stratified keep class proportions in every part (classification sets only)
     */
    public static Split split(Dataset data, double trainFraction, double devFraction, long seed, boolean stratified) {
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
