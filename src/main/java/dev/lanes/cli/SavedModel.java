package dev.lanes.cli;

import dev.lanes.io.ModelFile;
import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Sequential;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A model file opened for evaluate, predict and summary, with what its metadata says about the task. */
record SavedModel(Path file, ModelFile.Loaded loaded) implements AutoCloseable {

    static SavedModel open(String file, Kernels kernels) {
        if (file == null) throw new UsageException("--model FILE is required");
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new UsageException("model file " + path + (Files.isDirectory(path) ? " is a folder" : " does not exist"));
        }
        return new SavedModel(path, ModelFile.load(path, kernels));
    }

    Sequential model() { return loaded.model(); }

    Map<String, Object> metadata() { return loaded.preprocessing(); }

    Preparation preparation() { return Preparation.readFrom(metadata(), file.toString()); }

    /** From the metadata, or else from the output layer: softmax, one sigmoid unit, anything else. */
    Recipe.Task task() {
        if (metadata().get("task") instanceof String t) {
            try {
                return Recipe.Task.valueOf(t.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException(file + ": unknown task '" + t + "' in the model's metadata");
            }
        }
        Activation out = model().outputActivation();
        if (out.kind() == Activation.Kind.SOFTMAX) return Recipe.Task.MULTICLASS;
        if (out.kind() == Activation.Kind.SIGMOID && model().outputWidth() == 1) return Recipe.Task.BINARY;
        return Recipe.Task.REGRESSION;
    }

    /** The saved loss, or the task's usual one for files saved without it. */
    Loss loss() {
        if (loaded.loss() != null) return loaded.loss();
        return switch (task()) {
            case MULTICLASS -> Loss.sparseCategoricalCrossEntropy();
            case BINARY -> Loss.binaryCrossEntropy();
            case REGRESSION -> Loss.meanSquaredError();
        };
    }

    /** Class names from the metadata, or 0, 1, ... */
    List<String> classNames() {
        int classes = task() == Recipe.Task.BINARY ? 2 : model().outputWidth();
        List<String> names = new ArrayList<>(classes);
        List<?> saved = metadata().get("class_names") instanceof List<?> l && l.size() == classes ? l : null;
        for (int c = 0; c < classes; c++) names.add(saved != null ? String.valueOf(saved.get(c)) : Integer.toString(c));
        return names;
    }

    String string(String key) {
        return metadata().get(key) instanceof String s ? s : null;
    }

    @Override
    public void close() {
        loaded.close();
    }
}
