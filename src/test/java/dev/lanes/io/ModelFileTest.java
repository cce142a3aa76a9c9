package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.BatchNorm;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.tensor.Matrix;
import dev.lanes.train.FitOptions;
import dev.lanes.train.Trainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
}
