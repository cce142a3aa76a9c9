package dev.lanes.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.data.CsvReader;
import dev.lanes.data.CsvTable;
import dev.lanes.data.DataFileException;
import dev.lanes.data.IdxReader;
import dev.lanes.io.Checkpoint;
import dev.lanes.io.ModelFile;
import dev.lanes.io.ModelFileException;
import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.BatchNorm;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the three file readers: starting from valid files, each iteration
 * applies a few random mutations (bit flips, interesting bytes, truncation, splices, duplicated
 * ranges, header fields and numbers rewritten to lie about sizes) and reads the result. The only
 * acceptable outcomes are a successful read or the reader's documented exception; anything else
 * (another exception, an OutOfMemoryError from a lying header, a hang) fails the test, which prints
 * the seed and the input in hex so the case can be replayed.
 *
 * <p>Bounded for CI: {@link #ITERATIONS} inputs or {@link #BUDGET_NANOS} per reader, whichever comes
 * first. Set {@code -Dlanes.fuzz.iterations=N -Dlanes.fuzz.seconds=S} for a longer local run.
 */
class FileFormatFuzzTest {
    private static final int ITERATIONS = Integer.getInteger("lanes.fuzz.iterations", 3_000);
    private static final long BUDGET_NANOS = Long.getLong("lanes.fuzz.seconds", 6) * 1_000_000_000L;
    private static final long SEED = Long.getLong("lanes.fuzz.seed", 0x1a2e5L);

    @TempDir static Path dir;
    private static Kernels kernels;

    @BeforeAll
    static void open() { kernels = Kernels.create("loop", 1); }

    @AfterAll
    static void close() { kernels.close(); }

    /** Reads one file; returns normally or throws. Whatever it returns is closed by the caller. */
    interface Reader {
        AutoCloseable read(Path file) throws Exception;
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void idxReader() throws IOException {
        byte[] images = idx(new int[] {5, 4, 3}, 1);
        byte[] labels = idx(new int[] {7}, 2);
        fuzz("idx", List.of(images, labels, gzip(images), gzip(labels)), DataFileException.class, file -> {
            // The reader's contract: any dimension count it is asked for; try both kinds.
            try (var a = IdxReader.read(file, 3, 255f)) {
                return null;
            } catch (DataFileException e) {
                return IdxReader.read(file, 1, 1f);
            }
        });
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void csvReader() throws IOException {
        byte[] classes = """
                age,color,score,label
                31,red,0.5,yes
                47,blue,1e-3,no
                "52",green,-2.25,yes
                ?,red,7,no
                """.getBytes(StandardCharsets.UTF_8);
        byte[] regression = "x1;x2;y\n1;2;3\n4;5;6.5\n-1;0;NaN\n".getBytes(StandardCharsets.UTF_8);
        CsvReader classReader = CsvReader.builder().header(true).classLabels("label").categorical("color")
                .impute(CsvReader.Missing.MEAN).build();
        CsvReader targetReader = CsvReader.builder().header(true).delimiter(';').target(2).build();
        fuzz("csv", List.of(classes, regression), DataFileException.class, file -> {
            try (CsvTable t = classReader.read(file)) {
                return null;
            } catch (DataFileException e) {
                return targetReader.read(file);
            }
        });
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void modelFileReader() throws IOException {
        Path seedFile = dir.resolve("seed.lanes");
        try (Sequential model = Sequential.builder(3).kernels(kernels).seed(4)
                .add(new Dense(4, Activation.relu())).add(new BatchNorm()).add(new Dropout(0.25f))
                .add(new Dense(2, Activation.softmax())).build()) {
            ModelFile.save(seedFile, model, Loss.sparseCategoricalCrossEntropy(), Map.of("scale", 0.5));
        }
        byte[] seed = Files.readAllBytes(seedFile);
        fuzz("model", List.of(seed), ModelFileException.class, file -> ModelFile.load(file, kernels));
        fuzz("model-header", List.of(seed), r -> Mutator.mutateSafetensorsHeader(seed, r), ModelFileException.class,
                file -> ModelFile.load(file, kernels));
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void checkpointReader() throws IOException {
        try (Sequential model = Sequential.builder(3).kernels(kernels).seed(5)
                     .add(new Dense(4, Activation.relu())).add(new Dense(2, Activation.softmax())).build();
             Trainer trainer = new Trainer(model, Loss.sparseCategoricalCrossEntropy(), new Adam(0.01f));
             Matrix x = Matrix.allocate(4, 3).fill(0.5f); Matrix y = Matrix.of(4, 1, 0, 1, 1, 0)) {
            trainer.trainBatch(x, y);
            Path saved = Checkpoint.save(Files.createDirectories(dir.resolve("checkpoints")), trainer, Map.of(), 1, List.of());
            byte[] seed = Files.readAllBytes(saved);
            Reader restore = file -> {
                Checkpoint.restore(file, trainer);
                return null;
            };
            fuzz("checkpoint", List.of(seed), ModelFileException.class, restore);
            fuzz("checkpoint-header", List.of(seed), r -> Mutator.mutateSafetensorsHeader(seed, r), ModelFileException.class,
                    restore);
        }
    }

    @Test
    void aModelDescriptionClaimingMoreWeightsThanTheFileHoldsIsRefusedBeforeAllocating() throws IOException {
        Path seedFile = dir.resolve("small.lanes");
        try (Sequential model = Sequential.builder(3).kernels(kernels).add(new Dense(4)).build()) {
            ModelFile.save(seedFile, model, Loss.meanSquaredError(), Map.of());
        }
        byte[] seed = Files.readAllBytes(seedFile);
        String text = new String(seed, StandardCharsets.ISO_8859_1);
        final String UNITS = "\\\"units\\\":"; // the description is JSON inside a JSON string: quotes escaped
        assertTrue(text.contains(UNITS + "4"), text);
        // (3 + 1) x 2,000,000,000 floats claimed: 32 GB of weights (and as much for gradients) in a file of a few hundred bytes.
        String lying = text.replace(UNITS + "4", UNITS + "2000000000");
        long headerLength = 0;
        for (int i = 7; i >= 0; i--) headerLength = headerLength << 8 | (seed[i] & 0xff);
        long newLength = headerLength + lying.length() - text.length();
        byte[] bytes = lying.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 8; i++) bytes[i] = (byte) (newLength >>> (8 * i));
        Path file = dir.resolve("lying.lanes");
        Files.write(file, bytes);
        ModelFileException e = org.junit.jupiter.api.Assertions.assertThrows(ModelFileException.class,
                () -> ModelFile.load(file, kernels));
        assertTrue(e.getMessage().contains("the architecture needs 8000000000 weights but the file holds 16"), e.getMessage());
    }

    private static void fuzz(String name, List<byte[]> seeds, Class<? extends RuntimeException> documented, Reader reader)
            throws IOException {
        fuzz(name, seeds, r -> Mutator.mutate(seeds, r), documented, reader);
    }

    private static void fuzz(String name, List<byte[]> seeds, Function<SplittableRandom, byte[]> mutator,
                             Class<? extends RuntimeException> documented, Reader reader) throws IOException {
        SplittableRandom random = new SplittableRandom(SEED ^ name.hashCode());
        Path file = dir.resolve(name + ".fuzz");
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int rejected = 0, accepted = 0;
        for (int i = 0; i < ITERATIONS && System.nanoTime() < deadline; i++) {
            byte[] input = i < seeds.size() ? seeds.get(i) : mutator.apply(random);
            Files.write(file, input);
            try (AutoCloseable result = reader.read(file)) {
                accepted++;
            } catch (Throwable t) {
                if (documented.isInstance(t)) {
                    rejected++;
                    assertTrue(t.getMessage() != null && t.getMessage().contains(file.toString()),
                            "the message names the file: " + t.getMessage());
                } else if (!(t instanceof UncheckedIOException)) {
                    throw new AssertionError(name + " iteration " + i + " (seed " + SEED + ") threw " + t
                            + " for input " + HexFormat.of().formatHex(input), t);
                }
            }
        }
        System.out.printf("fuzz %s: %d inputs, %d read, %d rejected with %s%n", name, accepted + rejected, accepted,
                rejected, documented.getSimpleName());
        assertTrue(accepted >= seeds.size(), name + ": the seeds themselves must read");
        assertTrue(rejected > 0, name + ": the mutations must reach the error paths");
    }

    /** A uint8 IDX file with the given dimensions and pseudo-random contents. */
    private static byte[] idx(int[] dims, long seed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(0);
        out.write(IdxReader.UNSIGNED_BYTE);
        out.write(dims.length);
        long count = 1;
        for (int d : dims) {
            out.write(d >>> 24);
            out.write(d >>> 16);
            out.write(d >>> 8);
            out.write(d);
            count *= d;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i < count; i++) out.write(random.nextInt(256));
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }
}
