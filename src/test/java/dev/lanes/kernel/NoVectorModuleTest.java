package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.nn.Activation;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.FitOptions;
import dev.lanes.train.Metric;
import dev.lanes.train.Trainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lanes as an embedder meets it: the jar on a plain class path, a JVM started without
 * {@code --add-modules jdk.incubator.vector}. Every other test runs with the module (Surefire's
 * argLine), so only a child JVM can show the fallback: one warning line, then working loop kernels;
 * and a forced simd or a bad thread count refused with an error that names the setting on every
 * call, not an ExceptionInInitializerError once and a bare NoClassDefFoundError after.
 */
class NoVectorModuleTest {

    /** The child JVM: prints what an embedding application would see. */
    public static final class Embedder {
        public static void main(String[] args) {
            if (args[0].equals("train")) {
                System.out.println("backend " + Kernels.get().name());
                try (Matrix x = Matrix.of(4, 2, 0, 0, 0, 1, 1, 0, 1, 1); Matrix y = Matrix.of(4, 1, 0, 1, 1, 0);
                     Sequential net = Sequential.builder(2).seed(1)
                             .add(new Dense(8, Activation.tanh())).add(new Dense(1, Activation.sigmoid())).build();
                     Trainer t = new Trainer(net, Loss.binaryCrossEntropy(), new Adam(0.05f), Metric.accuracy())) {
                    t.fit(x, y, FitOptions.quiet(300, 4));
                    System.out.println("xor " + Arrays.toString(net.predictClasses(x)));
                }
            } else {
                // Twice: an application that catches the first failure and tries again must learn why again.
                for (int i = 0; i < 2; i++) {
                    try {
                        System.out.println("got " + Kernels.get().name());
                    } catch (Throwable t) {
                        System.out.println(t.getClass().getSimpleName() + ": " + t.getMessage());
                    }
                }
            }
        }
    }

    private record Run(int exit, String out, List<String> errLines) {}

    private static Run child(List<String> jvmOptions, String mainClass, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(50, TimeUnit.SECONDS), "child JVM did not finish: " + command);
        List<String> errLines = err.lines().filter(l -> !l.isBlank()).toList();
        return new Run(p.exitValue(), out, errLines);
    }

    @Test
    @Timeout(60)
    void withoutTheModuleTheLibraryWarnsOnceAndTrainsOnLoops() throws Exception {
        Run r = child(List.of(), Embedder.class.getName(), "train");
        assertEquals(0, r.exit(), r.out() + r.errLines());
        assertTrue(r.out().contains("backend loop"), r.out());
        assertTrue(r.out().contains("xor [0, 1, 1, 0]"), r.out());
        assertEquals(1, r.errLines().size(), "exactly one warning line, got " + r.errLines());
        String warning = r.errLines().get(0);
        assertTrue(warning.contains("loop kernels") && warning.contains("--add-modules jdk.incubator.vector"), warning);
    }

    @Test
    @Timeout(60)
    void withoutTheModuleAForcedSimdIsRefusedOnEveryCallNamingTheFlag() throws Exception {
        Run r = child(List.of("-Dlanes.backend=simd"), Embedder.class.getName(), "twice");
        assertEquals(0, r.exit(), r.out() + r.errLines());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        for (String line : lines) {
            assertTrue(line.startsWith("IllegalStateException: -Dlanes.backend=simd")
                    && line.contains("--add-modules jdk.incubator.vector"), line);
        }
        assertEquals(List.of(), r.errLines(), "no loop warning when simd was asked for");
    }

    @Test
    @Timeout(60)
    void aBadThreadCountIsRefusedOnEveryCallNamingTheValue() throws Exception {
        Run r = child(List.of("-Dlanes.backend=loop", "-Dlanes.threads=0"), Embedder.class.getName(), "twice");
        assertEquals(0, r.exit(), r.out() + r.errLines());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        for (String line : lines) {
            assertTrue(line.startsWith("IllegalArgumentException: -Dlanes.threads") && line.contains("'0'"), line);
        }
    }

    @Test
    @Timeout(60)
    void withoutTheModuleTheCommandLineRefusesSimdAsAUsageMistakeWhicheverWayItIsAsked() throws Exception {
        // --backend simd and -Dlanes.backend=simd are the same request: the same exit code, before data is read.
        Run option = child(List.of(), "dev.lanes.cli.Main", "train", "--backend", "simd", "--epochs", "1");
        Run property = child(List.of("-Dlanes.backend=simd"), "dev.lanes.cli.Main", "train", "--epochs", "1");
        for (Run r : List.of(option, property)) {
            assertEquals(2, r.exit(), r.out() + r.errLines());
            assertEquals(1, r.errLines().size(), "one line, got " + r.errLines());
            String line = r.errLines().get(0);
            assertTrue(line.startsWith("lanes: ") && line.contains("simd")
                    && line.contains("--add-modules jdk.incubator.vector"), line);
        }
    }

    @Test
    @Timeout(60)
    void withoutTheModuleTheCommandLineWarnsOnceAndTrains() throws Exception {
        Run r = child(List.of(), "dev.lanes.cli.Main",
                "train", "--dataset", "optdigits", "--layers", "16", "--epochs", "1", "--threads", "1", "--quiet");
        assertEquals(0, r.exit(), r.out() + r.errLines());
        assertEquals(1, r.errLines().size(), "exactly one warning line, got " + r.errLines());
        String warning = r.errLines().get(0);
        assertTrue(warning.startsWith("lanes: warning: using the slow loop kernels")
                && warning.contains("--add-modules jdk.incubator.vector"), warning);
    }

    @Test
    @Timeout(60)
    void withoutTheModuleTheSimdBenchmarksAreUsageMistakesNotStackTraces() throws Exception {
        Run compare = child(List.of(), "dev.lanes.cli.Main", "bench", "compare-backends", "--quick", "--only", "gemm");
        Run regress = child(List.of(), "dev.lanes.cli.Main", "bench", "regress", "--quick", "--repeats", "1");
        for (Run r : List.of(compare, regress)) {
            assertEquals(2, r.exit(), r.out() + r.errLines());
            assertEquals(1, r.errLines().size(), "one line, got " + r.errLines());
            assertTrue(r.errLines().get(0).contains("cannot run here") && r.errLines().get(0).contains("--add-modules"),
                    r.errLines().get(0));
        }
    }
}
