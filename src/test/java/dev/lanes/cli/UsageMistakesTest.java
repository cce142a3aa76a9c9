package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every user mistake is one line on stderr starting "lanes: ", exit status 2, and no stack trace. */
class UsageMistakesTest {
    @TempDir static Path dir;

    static Stream<Arguments> mistakes() throws Exception {
        Path garbage = dir.resolve("garbage.lanes");
        Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        Path truncated = dir.resolve("truncated.lanes");
        assertEquals(0, CliRun.of("train", "--dataset", "optdigits", "--epochs", "1", "--layers", "8", "--threads", "1",
                "--quiet", "--save", truncated.toString()).status());
        byte[] whole = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 100));
        Path wideCsv = dir.resolve("wide.csv");
        Files.writeString(wideCsv, "1,2,3\n4,5,6\n");
        String missing = dir.resolve("nope.lanes").toString();
        return Stream.of(
                Arguments.of("unknown command", new String[] {"fly"}, "unknown command"),
                Arguments.of("unknown option", new String[] {"train", "--colour", "red"}, "unknown option --colour"),
                Arguments.of("bad number", new String[] {"train", "--epochs", "zero"}, "--epochs"),
                Arguments.of("bad choice", new String[] {"train", "--optimizer", "magic"}, "--optimizer"),
                Arguments.of("a value on an on/off flag", new String[] {"train", "--batch-norm=maybe"}, "--batch-norm"),
                Arguments.of("a Java float literal", new String[] {"train", "--lr", "0.01f"}, "--lr"),
                Arguments.of("a Java float literal in a schedule", new String[] {"train", "--schedule", "exponential:0.9f"},
                        "--schedule"),
                Arguments.of("a softmax loss for a binary task", new String[] {"train", "--dataset", "ilpd", "--loss",
                        "sparse_categorical_crossentropy"}, "binary_crossentropy"),
                Arguments.of("tune with a label for a built-in dataset", new String[] {"tune", "--dataset", "optdigits",
                        "--label", "digit"}, "--label"),
                Arguments.of("a schedule with extra parts", new String[] {"train", "--schedule", "constant:5"},
                        "--schedule"),
                Arguments.of("a cosine schedule over no epochs", new String[] {"train", "--schedule", "cosine:0"},
                        "--schedule: cosine decay needs >= 1 epoch"),
                Arguments.of("a warm-up as long as the run", new String[] {"train", "--epochs", "3", "--warmup", "3"},
                        "--warmup 3 leaves none of the 3 epochs"),
                Arguments.of("a label for a built-in dataset", new String[] {"train", "--dataset", "optdigits", "--label",
                        "digit"}, "--label"),
                Arguments.of("saving to a folder", new String[] {"train", "--dataset", "optdigits", "--save",
                        dir.toString()}, "is a folder"),
                Arguments.of("a checkpoint folder that is a file", new String[] {"train", "--dataset", "optdigits",
                        "--checkpoint", garbage.toString()}, "is a file"),
                Arguments.of("absurd thread count", new String[] {"train", "--threads", "100000"}, "--threads"),
                Arguments.of("a folder as the model", new String[] {"summary", "--model", dir.toString()}, "is a folder"),
                Arguments.of("a regression loss for classes", new String[] {"train", "--dataset", "optdigits", "--loss",
                        "mse"}, "--loss mse"),
                Arguments.of("weight decay without AdamW", new String[] {"train", "--weight-decay", "0.01"},
                        "--weight-decay"),
                Arguments.of("resume without checkpoint", new String[] {"train", "--resume"}, "--checkpoint"),
                Arguments.of("resume from an empty folder", new String[] {"train", "--dataset", "optdigits",
                        "--checkpoint", dir.resolve("empty").toString(), "--resume"}, "no checkpoint"),
                Arguments.of("missing model", new String[] {"evaluate", "--model", missing}, "does not exist"),
                Arguments.of("no model option", new String[] {"summary"}, "--model"),
                Arguments.of("garbage model", new String[] {"summary", "--model", garbage.toString()}, "garbage.lanes"),
                Arguments.of("truncated model", new String[] {"evaluate", "--model", truncated.toString()}, "truncated.lanes"),
                Arguments.of("missing input", new String[] {"predict", "--model", truncated.toString(), "--input",
                        dir.resolve("none.csv").toString()}, "does not exist"),
                Arguments.of("wrong dataset for model", new String[] {"evaluate", "--model", "MODEL", "--dataset",
                        "california"}, "features"),
                Arguments.of("wrong column count", new String[] {"predict", "--model", "MODEL", "--input",
                        wideCsv.toString()}, "3 columns"),
                Arguments.of("bad trials", new String[] {"tune", "--trials", "-1"}, "--trials"),
                Arguments.of("a file where a dataset wants its folder", new String[] {"train", "--dataset", "optdigits",
                        "--data", wideCsv.toString()}, "--dataset csv"),
                Arguments.of("a plot that is not SVG", new String[] {"train", "--dataset", "optdigits", "--plot",
                        dir.resolve("curve.png").toString()}, ".svg"),
                Arguments.of("threads that are not a number", new String[] {"train", "--threads", "abc"}, "from 1 to 1024"),
                Arguments.of("a plateau factor of 1", new String[] {"train", "--reduce-lr", "3:1"}, "0 < FACTOR < 1"),
                Arguments.of("a plateau patience of 0", new String[] {"train", "--reduce-lr", "0"}, "PATIENCE:FACTOR"),
                Arguments.of("a plateau spec with a word", new String[] {"train", "--reduce-lr", "x:0.5"}, "got 'x:0.5'"),
                Arguments.of("a trailing comma in the layers", new String[] {"train", "--layers", "256,"}, "--layers"),
                Arguments.of("tune saving to a folder, before any trial", new String[] {"tune", "--dataset", "optdigits",
                        "--trials", "50", "--save", dir.toString()}, "is a folder"),
                Arguments.of("tune with one file for the model and the report", new String[] {"tune", "--dataset",
                        "optdigits", "--trials", "50", "--save", missing, "--json", missing}, "same file as --save"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void reportsOneLineAndExitsWith2(String what, String[] argv, String mentions) throws Exception {
        Path model = dir.resolve("good.lanes");
        if (!Files.exists(model)) {
            assertEquals(0, CliRun.of("train", "--dataset", "optdigits", "--epochs", "1", "--layers", "8", "--threads",
                    "1", "--quiet", "--save", model.toString()).status());
        }
        for (int i = 0; i < argv.length; i++) if (argv[i].equals("MODEL")) argv[i] = model.toString();
        CliRun run = CliRun.of(argv);
        assertEquals(2, run.status(), run::toString);
        assertEquals(1, run.err().lines().count(), run::toString);
        assertTrue(run.err().startsWith("lanes: "), run::toString);
        assertTrue(run.err().contains(mentions), run::toString);
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), run::toString);
    }
}
