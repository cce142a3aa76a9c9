package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.ActivationLayer;
import dev.lanes.nn.BatchNorm;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Regularizer;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.optim.Sgd;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.FitOptions;
import dev.lanes.train.Trainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
    @TempDir Path dir;

    @Test
    void aTrainedModelLoadsBackWithBitIdenticalPredictionsLossAndPreprocessing() throws Exception {
        SplittableRandom r = new SplittableRandom(2);
        float[] xs = new float[200 * 6], ys = new float[200];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextGaussian();
        for (int i = 0; i < ys.length; i++) ys[i] = xs[i * 6] + xs[i * 6 + 1] > 0 ? 1 : 0;
        Path file = dir.resolve("m.lanes");
        try (Kernels k = Kernels.create("simd", 1); Matrix x = Matrix.of(200, 6, xs); Matrix y = Matrix.of(200, 1, ys)) {
            try (Sequential m = Sequential.builder(6).kernels(k).seed(5).add(new Dense(10, Activation.tanh()))
                    .add(new BatchNorm()).add(new Dropout(0.25f)).add(new Dense(1, Activation.sigmoid())).build();
                 Adam adam = new Adam(0.01f);
                 Trainer t = new Trainer(m, Loss.binaryCrossEntropy(), adam)) {
                t.fit(x, y, FitOptions.quiet(2, 16));
                ModelFile.save(file, m, Loss.binaryCrossEntropy(), Map.of("divide_by", 3f, "class_names", List.of("no", "yes")));
                try (ModelFile.Loaded loaded = ModelFile.load(file, k);
                     Matrix expected = m.predict(x); Matrix actual = loaded.model().predict(x)) {
                    for (int i = 0; i < 200; i++) {
                        assertEquals(Float.floatToRawIntBits(expected.get(i, 0)), Float.floatToRawIntBits(actual.get(i, 0)));
                    }
                    assertEquals(Loss.binaryCrossEntropy(), loaded.loss());
                    assertEquals(3.0, ((Number) loaded.preprocessing().get("divide_by")).doubleValue());
                    assertEquals(List.of("no", "yes"), loaded.preprocessing().get("class_names"));
                    assertEquals(m.summary(), loaded.model().summary());
                }
            }
        }
        // Break the architecture JSON inside the header: refused, naming the file.
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.ISO_8859_1).replace("Dense", "Dunce");
        Files.write(file, text.getBytes(StandardCharsets.ISO_8859_1));
        try (Kernels k = Kernels.create("loop", 1)) {
            ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(file, k));
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("Dunce"), e.getMessage());
        }
    }

    @Test
    void aSeedOfNineteenDigitsIsKept() {
        Path file = dir.resolve("seed.lanes");
        long seed = -7046029254386353131L;
        try (Kernels k = Kernels.create("loop", 1);
             Sequential m = Sequential.builder(3).kernels(k).seed(seed).add(new Dense(2, Activation.softmax())).build()) {
            ModelFile.save(file, m, null, Map.of());
            try (ModelFile.Loaded loaded = ModelFile.load(file, k)) {
                assertEquals(seed, loaded.model().seed());
            }
        }
    }

    @Test
    void aLoadedModelKeepsItsL1AndL2PenaltiesAndTrainsOnAsTheOriginalDoes() {
        Path file = dir.resolve("penalized.lanes");
        SplittableRandom r = new SplittableRandom(4);
        float[] xs = new float[40 * 3], ys = new float[40 * 2];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextGaussian();
        for (int i = 0; i < ys.length; i++) ys[i] = (float) r.nextGaussian();
        try (Kernels k = Kernels.create("loop", 1); Matrix x = Matrix.of(40, 3, xs); Matrix y = Matrix.of(40, 2, ys);
             Sequential m = Sequential.builder(3).kernels(k).seed(8)
                     .add(new Dense(6, Activation.tanh()).regularizer(Regularizer.l1l2(0.01f, 0.5f)))
                     .add(new Dense(2).regularizer(Regularizer.l2(0.25f))).build()) {
            ModelFile.save(file, m, Loss.meanSquaredError(), Map.of());
            try (ModelFile.Loaded loaded = ModelFile.load(file, k)) {
                assertEquals(Regularizer.l1l2(0.01f, 0.5f), ((Dense) loaded.model().layer(0)).regularizer());
                assertEquals(Regularizer.l2(0.25f), loaded.model().parameters().get(2).regularizer());
                // Saved and loaded to continue training (Keras keeps a layer's kernel_regularizer): the
                // penalty is part of the loss and of every step, so dropping it changes the weights.
                for (Sequential model : List.of(m, loaded.model())) {
                    try (Sgd sgd = new Sgd(0.1f); Trainer t = new Trainer(model, Loss.meanSquaredError(), sgd)) {
                        t.fit(x, y, FitOptions.builder().epochs(2).batchSize(8).seed(1).verbose(false).build());
                    }
                }
                for (int i = 0; i < m.parameters().size(); i++) {
                    assertEquals(java.util.Arrays.toString(m.getWeights().get(i)),
                            java.util.Arrays.toString(loaded.model().getWeights().get(i)), m.parameters().get(i).name());
                }
            }
        }
    }

    /** A small model of every layer type, saved to {@code file}. */
    private static void saveEveryLayerType(Path file) {
        try (Kernels k = Kernels.create("loop", 1);
             Sequential m = Sequential.builder(4).kernels(k).seed(3).add(new Dense(5, Activation.relu()))
                     .add(new BatchNorm()).add(new Dropout(0.2f)).add(new ActivationLayer(Activation.tanh()))
                     .add(new Dense(3, Activation.softmax())).build()) {
            ModelFile.save(file, m, Loss.sparseCategoricalCrossEntropy(), Map.of("divide_by", 2.0));
        }
    }

    /** Rewrites the model description of {@code file} (weights kept) with {@code edit} applied. */
    @SuppressWarnings("unchecked")
    private static void editDescription(Path file, Consumer<Map<String, Object>> edit) {
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, Object> desc = (Map<String, Object>) Json.parse(c.metadata().get(ModelFile.KEY));
        edit.accept(desc);
        SafeTensors.write(file, c.tensors(), Map.of(ModelFile.KEY, Json.write(desc)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> layer(Map<String, Object> desc, int i) {
        return (Map<String, Object>) ((List<Object>) desc.get("layers")).get(i);
    }

    /** The refusal of a damaged file: a ModelFileException naming it, in words, not a JVM message. */
    private static ModelFileException refused(Path file) {
        ModelFileException e;
        try (Kernels k = Kernels.create("loop", 1)) {
            e = assertThrows(ModelFileException.class, () -> ModelFile.load(file, k));
        }
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        for (String jvm : List.of("java.", "Cannot invoke", "cannot be cast", "because")) {
            assertTrue(!e.getMessage().contains(jvm), e.getMessage());
        }
        return e;
    }

    @Test
    void aFlippedByteInTheWordLayersNamesTheMissingField() throws Exception {
        // As QA found it: one byte of the header changed, "layers" became "lazers".
        Path file = dir.resolve("m.lanes");
        saveEveryLayerType(file);
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\\\"layers\\\"");
        assertTrue(at > 0);
        bytes[at + 4] = 'z';
        Files.write(file, bytes);
        ModelFileException e = refused(file);
        assertTrue(e.getMessage().endsWith("the model description is invalid: missing \"layers\""), e.getMessage());
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyMissingOrMistypedFieldOfTheDescriptionIsNamed() {
        Path file = dir.resolve("m.lanes");
        // Each edit, and what the message must say about it.
        Map<String, Consumer<Map<String, Object>>> cases = new LinkedHashMap<>();
        cases.put("missing \"format\"", d -> d.remove("format"));
        cases.put("missing \"version\"", d -> d.remove("version"));
        cases.put("\"version\" must be a whole number, got \"1\"", d -> d.put("version", "1"));
        cases.put("\"version\" must be a whole number >= 1, got 0", d -> d.put("version", 0L));
        cases.put("missing \"input_width\"", d -> d.remove("input_width"));
        cases.put("\"input_width\" must be a whole number, got 4.5", d -> d.put("input_width", 4.5));
        cases.put("\"layers\" must be an array, got {}", d -> d.put("layers", new LinkedHashMap<>()));
        cases.put("\"layers[1]\" must be an object, got \"BatchNormalization\"",
                d -> ((List<Object>) d.get("layers")).set(1, "BatchNormalization"));
        cases.put("missing \"layers[0].type\"", d -> layer(d, 0).remove("type"));
        cases.put("\"layers[0].type\" must be a string, got 7", d -> layer(d, 0).put("type", 7L));
        cases.put("missing \"layers[0].units\"", d -> layer(d, 0).remove("units"));
        cases.put("\"layers[4].units\" must be a whole number, got \"3\"", d -> layer(d, 4).put("units", "3"));
        cases.put("\"layers[0].units\" must be a whole number >= 1, got -5", d -> layer(d, 0).put("units", -5L));
        cases.put("missing \"layers[0].activation\"", d -> layer(d, 0).remove("activation"));
        cases.put("\"layers[3].activation\" must be a string, got null", d -> layer(d, 3).put("activation", null));
        cases.put("\"layers[0].use_bias\" must be true or false, got \"yes\"", d -> layer(d, 0).put("use_bias", "yes"));
        cases.put("missing \"layers[1].momentum\"", d -> layer(d, 1).remove("momentum"));
        cases.put("\"layers[1].epsilon\" must be a number, got [0.001]", d -> layer(d, 1).put("epsilon", List.of(0.001)));
        cases.put("missing \"layers[2].rate\"", d -> layer(d, 2).remove("rate"));
        cases.put("\"loss\" must be a string, got 1", d -> d.put("loss", 1L));
        cases.put("\"seed\" must be a whole number, got \"3\"", d -> d.put("seed", "3"));
        cases.put("\"preprocessing\" must be an object, got [\"divide_by\"]", d -> d.put("preprocessing", List.of("divide_by")));
        for (var c : cases.entrySet()) {
            saveEveryLayerType(file);
            editDescription(file, c.getValue());
            ModelFileException e = refused(file);
            assertTrue(e.getMessage().endsWith("the model description is invalid: " + c.getKey()), e.getMessage());
        }
        // Optional fields may be absent: no loss, no seed, no preprocessing, and use_bias defaults to true.
        saveEveryLayerType(file);
        editDescription(file, d -> {
            d.remove("loss");
            d.remove("seed");
            d.remove("preprocessing");
            layer(d, 0).remove("use_bias");
        });
        try (Kernels k = Kernels.create("loop", 1); ModelFile.Loaded loaded = ModelFile.load(file, k)) {
            assertEquals(null, loaded.loss());
            assertEquals(Map.of(), loaded.preprocessing());
            assertEquals(5, loaded.model().layers().size());
        }
        // Not an object at all.
        SafeTensors.Contents c = SafeTensors.read(file);
        SafeTensors.write(file, c.tensors(), Map.of(ModelFile.KEY, "[\"layers\"]"));
        assertTrue(refused(file).getMessage().endsWith("the model description is not a JSON object but [\"layers\"]"));
    }

    @Test
    void randomDamageToTheDescriptionIsRefusedInWords() throws Exception {
        Path file = dir.resolve("m.lanes");
        saveEveryLayerType(file);
        byte[] good = Files.readAllBytes(file);
        String text = new String(good, StandardCharsets.ISO_8859_1);
        int from = text.indexOf("{\\\"format"), to = text.indexOf("}\"", from);
        assertTrue(from > 0 && to > from);
        Random rnd = new Random(11);
        // Bytes a hand edit or a flipped bit would likely leave: structure, quotes, digits, letters.
        byte[] alphabet = "{}[]\":,0123456789-.eE ntrufalsxyz".getBytes(StandardCharsets.ISO_8859_1);
        Path damaged = dir.resolve("damaged.lanes");
        try (Kernels k = Kernels.create("loop", 1)) {
            for (int i = 0; i < 400; i++) {
                byte[] b = good.clone();
                int flips = 1 + rnd.nextInt(3);
                for (int j = 0; j < flips; j++) b[from + rnd.nextInt(to - from)] = alphabet[rnd.nextInt(alphabet.length)];
                Files.write(damaged, b);
                try {
                    ModelFile.load(damaged, k).close();
                } catch (ModelFileException e) {
                    for (String jvm : List.of("java.", "Cannot invoke", "cannot be cast", "because")) {
                        assertTrue(!e.getMessage().contains(jvm), e.getMessage());
                    }
                }
            }
        }
    }

    @Test
    void aNonFiniteWeightIsRefusedNamingTheTensorTheElementAndItsByte() throws Exception {
        Path file = dir.resolve("m.lanes");
        saveEveryLayerType(file);
        byte[] good = Files.readAllBytes(file);
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            Files.write(file, good);
            int at = TensorBytes.offsetOf(file, "dense_1/bias", 2);
            TensorBytes.poke(file, at, bad);
            ModelFileException e = refused(file);
            assertEquals(at, e.offset());
            assertEquals(file + " (byte " + at + "): weight tensor 'dense_1/bias' holds " + bad + " at element 2 (row 0, "
                    + "column 2); a model's weights must be finite, so the file is damaged", e.getMessage());
        }
        // A kernel [4, 5]: element 7 is row 1, column 2. Batch-norm running statistics are checked too.
        Files.write(file, good);
        TensorBytes.poke(file, TensorBytes.offsetOf(file, "dense/kernel", 7), Float.NaN);
        assertTrue(refused(file).getMessage().contains("'dense/kernel' holds NaN at element 7 (row 1, column 2)"));
        Files.write(file, good);
        TensorBytes.poke(file, TensorBytes.offsetOf(file, "batch_normalization/moving_variance", 4), Float.POSITIVE_INFINITY);
        assertTrue(refused(file).getMessage().contains("'batch_normalization/moving_variance' holds Infinity at element 4"));
        Files.write(file, good);
        try (Kernels k = Kernels.create("loop", 1); ModelFile.Loaded loaded = ModelFile.load(file, k)) {
            assertEquals(5, loaded.model().layers().size());
        }
    }

    @Test
    void saveRefusesANonFiniteWeightItCouldNotLoadBack() {
        Path file = dir.resolve("nan.lanes");
        try (Kernels k = Kernels.create("loop", 1);
             Sequential m = Sequential.builder(3).kernels(k).add(new Dense(2, Activation.softmax())).build()) {
            m.parameters().get(1).value().set(0, 1, Float.NaN);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.save(file, m, null, Map.of()));
            assertEquals("cannot save " + file + ": weight 'dense/bias' holds NaN at element 1 (row 0, column 1); "
                    + "a file with it could not be loaded", e.getMessage());
            assertTrue(!Files.exists(file));
        }
    }
}
