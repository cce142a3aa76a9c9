package dev.lanes.data;

import dev.lanes.tensor.Matrix;

/** Small synthetic datasets whose rows are easy to recognise. */
final class TestData {
    private TestData() {}

    /** {@code n} rows; feature 0 is the row index, feature 1 is 10·index; class = index % classes. */
    static Dataset indexed(int n, int classes) {
        Matrix x = Matrix.allocate(n, 2);
        Matrix y = Matrix.allocate(n, 1);
        for (int r = 0; r < n; r++) {
            x.set(r, 0, r);
            x.set(r, 1, 10f * r);
            y.set(r, 0, r % classes);
        }
        return Dataset.classification(x, y, java.util.List.of("index", "tenfold"), Dataset.numberedNames("", classes));
    }

    /** Like {@link #indexed} but with class sizes {@code counts} (rows of class 0 first, then 1, …). */
    static Dataset imbalanced(int... counts) {
        int n = 0;
        for (int c : counts) n += c;
        Matrix x = Matrix.allocate(n, 1);
        Matrix y = Matrix.allocate(n, 1);
        int r = 0;
        for (int c = 0; c < counts.length; c++) {
            for (int i = 0; i < counts[c]; i++, r++) {
                x.set(r, 0, r);
                y.set(r, 0, c);
            }
        }
        return Dataset.classification(x, y, java.util.List.of("index"), Dataset.numberedNames("", counts.length));
    }
}
