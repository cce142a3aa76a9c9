package dev.lanes.cli;

import dev.lanes.kernel.Kernels;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code lanes summary}: the Keras-style layer table of a saved model, its loss and its input preparation. */
final class SummaryCommand {
    private SummaryCommand() {}

    static int run(List<String> argv, PrintStream out) {
        Args a = new Args("summary", argv, Set.of("model"), Set.of());
        if (!a.positional().isEmpty()) throw new UsageException("summary: unexpected argument '" + a.positional().get(0) + "'");
        try (Kernels kernels = Kernels.create("loop", 1);
             SavedModel saved = SavedModel.open(a.string("model", null), kernels)) {
            out.print(saved.model().summary());
            Map<String, Object> m = saved.metadata();
            out.println("loss: " + saved.loss() + (saved.loaded().loss() == null ? " (not saved; the task's default)" : ""));
            out.println("task: " + saved.task().name().toLowerCase(Locale.ROOT));
            if (m.get("dataset") != null) {
                out.println("trained on: " + m.get("dataset") + (m.get("split_seed") != null ? " (split seed " + m.get("split_seed") + ")" : ""));
            }
            out.println("inputs: " + saved.model().inputWidth() + " features; preparation: " + saved.preparation().describe());
            if (saved.task() != Recipe.Task.REGRESSION) out.println("classes: " + String.join(", ", saved.classNames()));
        }
        return 0;
    }
}
