package dev.lanes.reliability;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.BatchNorm;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.optim.Optimizer;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.Trainer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * Runs in a child JVM started by {@link MemoryLifecycleTest} with a fixed, pre-touched heap and native
 * memory tracking, so that resident-set changes come from native memory and the bytes the arenas hold
 * ({@code malloc}ed via Unsafe, NMT category "Other") can be read exactly. Prints {@code key=value} lines.
 */
public final class MemoryCycles {
    private static final Pattern OTHER = Pattern.compile("-\\s+Other \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

    public static void main(String[] args) throws Exception {
        int cycles = Integer.parseInt(args[0]);
        try (Kernels kernels = Kernels.create("simd", 1);
             Matrix x = NonFiniteGuardTest.gaussian(64, 32, 1, 1f);
             Matrix y = ConcurrentPredictTest.labels(64, 10)) {
            for (int i = 0; i < 400; i++) cycle(kernels, x, y, i); // warm-up: JIT (C2 keeps compiling kernels for a few hundred cycles), malloc arenas, pools
            long otherBase = otherKb();
            Sequential big = Sequential.builder(1000).kernels(kernels).add(new Dense(1000)).build();
            System.out.println("modelKb=" + (otherKb() - otherBase));
            big.close();
            System.out.println("closedModelKb=" + (otherKb() - otherBase));

            long rssBefore = rssKb(), otherBefore = otherKb();
            for (int i = 0; i < cycles; i++) {
                if (args.length > 1 && args[1].equals("leak")) {
                    Sequential unused = Sequential.builder(32).kernels(kernels).add(new Dense(64)).build(); // never closed
                } else {
                    cycle(kernels, x, y, i);
                }
            }
            System.out.println("cycleRssGrowthKb=" + (rssKb() - rssBefore));
            System.out.println("cycleOtherGrowthKb=" + (otherKb() - otherBefore));
        }
    }

    static void cycle(Kernels kernels, Matrix x, Matrix y, long seed) {
        try (Sequential model = Sequential.builder(32).kernels(kernels).seed(seed)
                     .add(new Dense(64, Activation.relu())).add(new BatchNorm()).add(new Dropout(0.1f))
                     .add(new Dense(10, Activation.softmax())).build();
             Optimizer adam = new Adam(1e-3f);
             Trainer trainer = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), adam)) {
            trainer.trainBatch(x, y);
            model.predict(x.rowRange(0, 3)).close();
        }
    }

    /** NMT's "Other" category: memory from Unsafe.allocateMemory, which backs native arenas. */
    static long otherKb() throws Exception {
        String summary = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
        Matcher m = OTHER.matcher(summary);
        if (!m.find()) throw new IllegalStateException("no 'Other' category in NMT summary:\n" + summary);
        return Long.parseLong(m.group(2));
    }

    static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
