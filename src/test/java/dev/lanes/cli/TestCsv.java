package dev.lanes.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.IntFunction;

/** Small CSV files for the CLI's tests. */
final class TestCsv {
    private TestCsv() {}

    /**
     * {@code dir/name} with a header {@code x,z,<labelName>} and {@code rows} rows of two numeric
     * features; row r (line r + 2) has label {@code label.apply(r)}.
     */
    static Path withLabel(Path dir, String name, String labelName, int rows, IntFunction<String> label) throws Exception {
        StringBuilder sb = new StringBuilder("x,z," + labelName + "\n");
        for (int r = 0; r < rows; r++) {
            sb.append(String.format(Locale.ROOT, "%.3f,%d,", Math.sin(r), r % 5)).append(label.apply(r)).append('\n');
        }
        Path f = dir.resolve(name);
        Files.writeString(f, sb);
        return f;
    }
}
