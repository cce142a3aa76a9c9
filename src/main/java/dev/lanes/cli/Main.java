package dev.lanes.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code lanes} command line. Exit status: 0 success, 1 a failure while running, 2 a usage
 * mistake (unknown command or option, bad value, missing file), reported in one line.
 */
public final class Main {
    /** Where warnings go during a {@link #run}: its error stream, so they land beside its errors. */
    private static final ThreadLocal<PrintStream> WARNINGS = new ThreadLocal<>();
    /** The warnings {@link #warnOnce} has printed during the current run (tune parses options per trial). */
    private static final ThreadLocal<java.util.Set<String>> WARNED = ThreadLocal.withInitial(java.util.HashSet::new);

    private Main() {}

    /** The stream for "lanes: warning: ..." lines: the running command's error stream, else stderr. */
    static PrintStream warnings() {
        PrintStream w = WARNINGS.get();
        return w != null ? w : System.err;
    }

    /** Prints {@code line} to {@link #warnings()} unless this run printed it already. */
    static void warnOnce(String line) {
        if (WARNED.get().add(line)) warnings().println(line);
    }

    public static void main(String[] argv) {
        System.exit(run(Arrays.asList(argv), System.out, System.err));
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        WARNINGS.set(err);
        try {
            // "lanes", "lanes help [command]" and --help or -h anywhere print the usage.
            if (argv.isEmpty() || argv.get(0).equals("help") || argv.contains("--help") || argv.contains("-h")) {
                out.print(USAGE);
                return 0;
            }
            String cmd = argv.get(0);
            List<String> rest = argv.subList(1, argv.size());
            return switch (cmd) {
                case "bench" -> bench(rest, out);
                case "train" -> TrainCommand.run(rest, out);
                case "evaluate" -> EvaluateCommand.run(rest, out);
                case "predict" -> PredictCommand.run(rest, out);
                case "summary" -> SummaryCommand.run(rest, out);
                case "tune" -> TuneCommand.run(rest, out);
                default -> throw new UsageException("unknown command '" + cmd + "' (try 'lanes help')");
            };
        } catch (UsageException e) {
            err.println("lanes: " + e.getMessage());
            return 2;
        } catch (dev.lanes.data.DataFileException | dev.lanes.io.ModelFileException e) {
            err.println("lanes: " + e.getMessage());
            return 2;
        } catch (java.io.UncheckedIOException e) {
            err.println("lanes: " + e.getMessage());
            return 2;
        } catch (dev.lanes.train.TrainingDivergedException e) {
            err.println("lanes: " + e.getMessage() + " On the command line: a lower --lr, or --clip-norm 1;"
                    + " --save, --json and --plot are written only when training ends (--checkpoint keeps each finished"
                    + " epoch).");
            return 1;
        } catch (OutOfMemoryError e) {
            // Off-heap matrices past the machine's memory (say --layers 2000000000): one line, not a trace.
            boolean gemm = argv.size() > 1 && argv.get(0).equals("bench") && argv.get(1).equals("gemm");
            err.println("lanes: out of memory: " + e.getMessage() + (gemm ? "; try smaller --m, --n or --k"
                    : "; try narrower --layers, a smaller --batch or fewer --threads"));
            return 1;
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("lanes: " + e.getMessage());
            return 1;
        } finally {
            WARNINGS.remove();
            WARNED.remove();
        }
    }

    private static int bench(List<String> argv, PrintStream out) {
        if (argv.isEmpty()) {
            throw new UsageException("bench needs a benchmark name: gemm, train, predict, compare-backends or regress");
        }
        List<String> rest = argv.subList(1, argv.size());
        return switch (argv.get(0)) {
            case "gemm" -> GemmBench.run(rest, out);
            case "train" -> TrainBench.run(rest, out);
            case "predict" -> PredictBench.run(rest, out);
            case "compare-backends" -> CompareBackends.run(rest, out);
            case "regress" -> Regress.run(rest, out);
            default -> throw new UsageException("unknown benchmark '" + argv.get(0) + "' (expected gemm, train, predict, compare-backends or regress)");
        };
    }

    static final String USAGE = """
            Usage: lanes <command> [options]

            Commands:
              bench compare-backends   loop versus simd on GEMM, fused kernels, a training epoch
                           [--threads T] [--quick] [--only NAME] [--json]
              bench regress            re-run the regression set and compare with a baseline
                           [--baseline perf-reports/baseline.json] [--threshold 5%] [--write]
                           [--repeats R] [--threads T] [--quick]
              bench gemm   measure GEMM GFLOP/s
                           --m M --n N --k K [--trans-a] [--trans-b] [--threads T]
                           [--backend simd|loop] [--repeats R] [--seconds S] [--json]
              bench train  training throughput on synthetic MNIST-shaped data
                           [--layers 256,128] [--activation relu] [--batch 128] [--samples N]
                           [--epochs E] [--features 784] [--classes 10] [--seed S]
                           [--optimizer adam|sgd] [--threads T] [--backend simd|loop]
                           [--no-rollback] [--profile] [--json]
              bench predict  latency of one predict call (median, p99), inference only
                           [--layers 256,128] [--rows 1] [--features 784] [--classes 10]
                           [--threads T] [--backend simd|loop] [--calls N] [--quick] [--json]
              train        train an MLP; with no options MNIST 784-256-128-10 (see README)
                           [--dataset mnist|fashion-mnist|optdigits|ilpd|california|csv]
                           [--data PATH] [--label COL] [--task classification|regression]
                           [--layers 256,128] [--activation relu] [--dropout R] [--batch-norm]
                           [--loss NAME] [--optimizer adam|adamw|sgd|momentum|nesterov|adagrad|
                           rmsprop] [--lr X] [--weight-decay W] [--schedule S] [--warmup E] [--l1 X] [--l2 X]
                           [--clip-norm N] [--batch N] [--epochs N] [--early-stopping PATIENCE]
                           [--reduce-lr PATIENCE[:FACTOR]] [--validation-split F] [--seed S] [--threads T] [--backend simd|loop]
                           [--class-weight balanced|W0,W1,...] [--save FILE] [--json FILE] [--plot FILE.svg] [--quiet]
                           [--checkpoint DIR [--resume]]: a checkpoint every epoch, continue
                           from the latest one
              evaluate     test report of a saved model, inputs prepared as in training
                           --model FILE [--dataset NAME] [--data PATH] [--label COL] [--seed N]
                           [--threads T] [--backend simd|loop] [--json FILE] [--quiet]
              predict      predict the rows of a CSV file (features only)
                           --model FILE --input FILE.csv [--output FILE.csv]
                           [--header=true|false (default: recognised)] [--threads T]
                           [--backend simd|loop]; separator , ; or tab recognised
              summary      layer table, loss and input preparation of a saved model
                           --model FILE
              tune         random search over learning rate, width, depth, dropout, batch size
                           and optimizer; leaderboard; saves the best model
                           [--dataset NAME] [--data PATH] [--label COL] [--task T] [--trials N]
                           [--epochs E] [--coarse-to-fine] [--validation-split F] [--seed N]
                           [--threads T] [--backend simd|loop] [--save FILE] [--json FILE] [--quiet]
              help         this text

            Exit status: 0 success, 1 failure while running, 2 usage mistake.
            """;
}
