package dev.lanes.io;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.ActivationLayer;
import dev.lanes.nn.BatchNorm;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Parameter;
import dev.lanes.nn.Regularizer;
import dev.lanes.nn.Sequential;
import dev.lanes.tensor.Matrix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A trained model in one file: the weights as safetensors (one F32 tensor per parameter, named
 * {@code "dense_1/kernel"} and so on, readable by numpy and PyTorch) and, in the safetensors metadata
 * under {@code "lanes.model"}, a JSON description of the architecture, the loss and how inputs were
 * prepared. Written atomically; loading rebuilds the same layers and gives bit-identical predictions.
 *
 * <pre>{@code
 * ModelFile.save(Path.of("mnist.lanes"), model, Loss.sparseCategoricalCrossEntropy(), Map.of());
 * try (ModelFile.Loaded m = ModelFile.load(Path.of("mnist.lanes"), Kernels.get())) {
 *     int[] classes = m.model().predictClasses(x);
 * }
 * }</pre>
 */
public final class ModelFile {
    static final String KEY = "lanes.model";
    static final String FORMAT = "lanes-model";
    static final int VERSION = 1;

    /** A loaded model, its loss and the preparation its inputs need; close it to free the model. */
    public record Loaded(Sequential model, Loss loss, Map<String, Object> preprocessing) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    private ModelFile() {}

    /** Writes {@code model} (with {@code loss}, may be null, and {@code preprocessing} notes) to {@code file}. */
    public static void save(Path file, Sequential model, Loss loss, Map<String, Object> preprocessing) {
        Map<String, SafeTensors.Tensor> tensors = weightTensors(model);
        requireLoadable(file, tensors);
        SafeTensors.write(file, tensors, Map.of(KEY, description(model, loss, preprocessing)));
    }

    /**
     * Refuses to write what {@link #load} and {@link Checkpoint#restore} refuse to read: a weight
     * that is NaN or infinite, an optimizer state value that is NaN. Training never leaves them
     * unless told to keep a diverged step's weights ({@code Trainer.keepLastFiniteWeights(false)}).
     *
     * @throws IllegalArgumentException naming the tensor and the element
     */
    static void requireLoadable(Path file, Map<String, SafeTensors.Tensor> tensors) {
        for (Map.Entry<String, SafeTensors.Tensor> e : tensors.entrySet()) {
            boolean state = e.getKey().startsWith(Checkpoint.OPTIMIZER_PREFIX);
            float[] data = e.getValue().data();
            int bad = firstNonFinite(data, state);
            if (bad >= 0) {
                throw new IllegalArgumentException("cannot save " + file + ": " + (state ? "optimizer state '" : "weight '")
                        + e.getKey() + "' holds " + data[bad] + " at " + element(e.getValue().shape(), bad)
                        + "; a file with it could not be loaded");
            }
        }
    }

    /** The architecture, loss and preprocessing as the JSON stored under {@link #KEY}. */
    static String description(Sequential model, Loss loss, Map<String, Object> preprocessing) {
        Map<String, Object> desc = new LinkedHashMap<>();
        desc.put("format", FORMAT);
        desc.put("version", VERSION);
        desc.put("input_width", model.inputWidth());
        List<Object> layers = new ArrayList<>();
        for (Layer layer : model.layers()) layers.add(describe(layer));
        desc.put("layers", layers);
        if (loss != null) desc.put("loss", lossSpec(loss));
        desc.put("seed", model.seed());
        desc.put("preprocessing", preprocessing == null ? Map.of() : preprocessing);
        return Json.write(desc);
    }

    /** One F32 tensor per parameter, named as the parameter. */
    static Map<String, SafeTensors.Tensor> weightTensors(Sequential model) {
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            Matrix v = p.value();
            tensors.put(p.name(), new SafeTensors.Tensor(new int[] {v.rows(), v.cols()}, v.toArray()));
        }
        return tensors;
    }

    /** Reads {@code file} and rebuilds its model on {@code kernels}. */
    public static Loaded load(Path file, Kernels kernels) {
        SafeTensors.Contents c = SafeTensors.read(file);
        String json = c.metadata().get(KEY);
        if (json == null) {
            throw new ModelFileException(file, -1, "a safetensors file, but not a Lanes model (no '" + KEY + "' metadata)");
        }
        // Every field is read through JsonFields: a damaged or hand-edited description is refused
        // with the file and the field named, never with a NullPointerException's JVM message.
        JsonFields desc = JsonFields.parse(file, "the model description", json);
        String format = desc.string("format");
        if (!FORMAT.equals(format)) {
            throw new ModelFileException(file, -1, "unknown model format '" + format + "'");
        }
        long version = desc.wholeNumber("version", 1, Long.MAX_VALUE);
        if (version > VERSION) {
            throw new ModelFileException(file, -1, "model format version " + version
                    + " is newer than this Lanes reads (" + VERSION + ")");
        }
        Map<?, ?> preprocessing = desc.optional("preprocessing", Map.class);
        Sequential model;
        Loss loss;
        try {
            Sequential.Builder b = Sequential.builder(desc.count("input_width", 1)).kernels(kernels);
            Long seed = desc.optional("seed", Long.class);
            if (seed != null) b.seed(seed);
            List<?> layers = desc.list("layers");
            for (int i = 0; i < layers.size(); i++) b.add(layer(desc.element("layers", layers, i)));
            // A description is not trusted with memory: it must not claim more weights than the file holds.
            long held = 0;
            for (SafeTensors.Tensor t : c.tensors().values()) held += t.data().length;
            if (b.parameterCount() > held) {
                throw new ModelFileException(file, -1, "the architecture needs " + b.parameterCount()
                        + " weights but the file holds " + held);
            }
            // The loss before the model: a bad one must not leave a built model's memory behind.
            String lossSpec = desc.optional("loss", String.class);
            loss = lossSpec == null ? null : Loss.parse(lossSpec);
            model = b.build();
        } catch (ModelFileException e) {
            throw e;
        } catch (RuntimeException e) {
            // The library's own checks (an unknown activation, a dropout rate of 2, no layers) word
            // their IllegalArgumentExceptions for users.
            throw new ModelFileException(file, -1, "the model description is invalid: " + e.getMessage());
        }
        try {
            copyWeights(file, c, model);
            if (loss != null) model.attachLoss(loss);
        } catch (RuntimeException e) {
            model.close();
            throw e instanceof ModelFileException me ? me : new ModelFileException(file, -1, e.getMessage());
        }
        Map<String, Object> prep = new LinkedHashMap<>();
        if (preprocessing != null) {
            for (var e : preprocessing.entrySet()) prep.put(String.valueOf(e.getKey()), e.getValue());
        }
        return new Loaded(model, loss, prep);
    }

    /**
     * Sets every parameter of {@code model} from the tensor of the same name, checking shapes and
     * finiteness; the file must hold exactly the model's tensors, apart from a checkpoint's
     * optimizer state.
     */
    static void copyWeights(Path file, SafeTensors.Contents c, Sequential model) {
        Map<String, SafeTensors.Tensor> tensors = c.tensors();
        for (Parameter p : model.parameters()) {
            SafeTensors.Tensor t = tensors.get(p.name());
            Matrix v = p.value();
            if (t == null) {
                throw new ModelFileException(file, -1, "weights for '" + p.name() + "' are missing");
            }
            int[] s = t.shape();
            if (s.length != 2 || s[0] != v.rows() || s[1] != v.cols()) {
                throw new ModelFileException(file, -1, "'" + p.name() + "' has shape " + java.util.Arrays.toString(s)
                        + " but the architecture needs " + v.rows() + "x" + v.cols());
            }
            // Training stops before a weight turns NaN or infinite (and puts back the last finite
            // ones), and save refuses them: here they mean a damaged file, which would otherwise
            // predict NaN for every row without a word.
            int bad = firstNonFinite(t.data(), false);
            if (bad >= 0) {
                throw new ModelFileException(file, c.byteOffset(p.name(), bad), "weight tensor '" + p.name()
                        + "' holds " + t.data()[bad] + " at " + element(s, bad) + "; a model's weights must be finite, "
                        + "so the file is damaged");
            }
            v.copyFrom(t.data());
        }
        long weights = tensors.keySet().stream().filter(n -> !n.startsWith(Checkpoint.OPTIMIZER_PREFIX)).count();
        if (weights != model.parameters().size()) {
            throw new ModelFileException(file, -1, "the file has " + weights + " weight tensors but the "
                    + "architecture has " + model.parameters().size() + " parameters");
        }
    }

    /**
     * The index of the first NaN or infinity in {@code data}, or -1; with {@code infinitiesAllowed},
     * of the first NaN. Runs only when a file is read or written, never during training.
     */
    static int firstNonFinite(float[] data, boolean infinitiesAllowed) {
        for (int i = 0; i < data.length; i++) {
            float x = data[i];
            if (infinitiesAllowed ? Float.isNaN(x) : !Float.isFinite(x)) return i;
        }
        return -1;
    }

    /** "element 13 (row 1, column 3)" of a matrix, "element 13" of any other shape. */
    static String element(int[] shape, int index) {
        return shape.length == 2 && shape[1] > 0
                ? "element " + index + " (row " + index / shape[1] + ", column " + index % shape[1] + ")"
                : "element " + index;
    }

    private static Map<String, Object> describe(Layer layer) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", layer.typeName());
        m.put("name", layer.name());
        switch (layer) {
            case Dense d -> {
                m.put("units", d.units());
                m.put("activation", activationSpec(d.activation()));
                m.put("use_bias", d.useBias());
                // Written only when set, so files without a penalty read as before. Kept because a
                // loaded model may go on training, and the penalty is part of its loss.
                if (d.regularizer().l1() > 0f) m.put("l1", d.regularizer().l1());
                if (d.regularizer().l2() > 0f) m.put("l2", d.regularizer().l2());
            }
            case Dropout d -> m.put("rate", d.rate());
            case BatchNorm bn -> {
                m.put("momentum", bn.momentum());
                m.put("epsilon", bn.epsilon());
            }
            case ActivationLayer a -> m.put("activation", activationSpec(a.activation()));
        }
        return m;
    }

    private static Layer layer(JsonFields m) {
        String type = m.string("type");
        return switch (type) {
            case "Dense" -> {
                // use_bias has always been written; a missing one reads as the default, true.
                Boolean useBias = m.optional("use_bias", Boolean.class);
                Number l1 = m.optional("l1", Number.class), l2 = m.optional("l2", Number.class);
                Dense dense = new Dense(m.count("units", 1), Activation.parse(m.string("activation")),
                        dev.lanes.nn.Initializer.zeros(), useBias == null || useBias);
                if (l1 != null || l2 != null) {
                    dense.regularizer(Regularizer.l1l2(l1 == null ? 0f : l1.floatValue(), l2 == null ? 0f : l2.floatValue()));
                }
                yield dense;
            }
            case "Dropout" -> new Dropout(m.number("rate"));
            case "BatchNormalization" -> new BatchNorm(m.number("momentum"), m.number("epsilon"));
            case "Activation" -> new ActivationLayer(Activation.parse(m.string("activation")));
            default -> throw new IllegalArgumentException("unknown layer type '" + type + "'");
        };
    }

    static String activationSpec(Activation a) {
        return a.kind() == Activation.Kind.LEAKY_RELU ? "leaky_relu:" + a.alpha() : a.kind().name().toLowerCase(Locale.ROOT);
    }

    static String lossSpec(Loss l) {
        return switch (l.kind()) {
            case MEAN_SQUARED_ERROR -> "mse";
            case MEAN_ABSOLUTE_ERROR -> "mae";
            case HUBER -> "huber:" + l.delta();
            case BINARY_CROSS_ENTROPY -> "binary_crossentropy";
            case CATEGORICAL_CROSS_ENTROPY -> "categorical_crossentropy";
            case SPARSE_CATEGORICAL_CROSS_ENTROPY -> "sparse_categorical_crossentropy";
        };
    }
}
