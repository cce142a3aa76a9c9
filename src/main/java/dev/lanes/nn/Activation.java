package dev.lanes.nn;

import java.util.Locale;

/**
 * An activation function as a layer option ({@code new Dense(64, Activation.relu())}) or a standalone
 * {@link ActivationLayer}. Everything except softmax maps onto a kernel activation and can be fused
 * into the GEMM epilogue; softmax is row-wise and runs as its own pass (or, on the output layer,
 * inside the cross-entropy loss kernel).
 *
 * @param kind  which function
 * @param alpha the negative-side slope of {@link Kind#LEAKY_RELU}; 0 for every other kind
 */
public record Activation(Kind kind, float alpha) {

    /** The supported functions. */
    public enum Kind { LINEAR, RELU, LEAKY_RELU, SIGMOID, TANH, SOFTMAX }

    public Activation {
        if (kind == null) throw new IllegalArgumentException("activation kind must not be null");
        if (kind != Kind.LEAKY_RELU && alpha != 0f) {
            throw new IllegalArgumentException("only leaky ReLU takes a slope, got " + kind + " with alpha " + alpha);
        }
        if (kind == Kind.LEAKY_RELU && !(alpha > 0f && alpha < Float.POSITIVE_INFINITY)) {
            // The backward kernel reads the derivative off the sign of the output, which needs a positive slope.
            throw new IllegalArgumentException("leaky ReLU slope must be finite and > 0, got " + alpha);
        }
    }

    public static Activation linear() { return new Activation(Kind.LINEAR, 0f); }

    public static Activation relu() { return new Activation(Kind.RELU, 0f); }

    /** Keras's default slope is 0.3 (the layer) and 0.2 (the function); pass the one you mean. */
    public static Activation leakyRelu(float alpha) { return new Activation(Kind.LEAKY_RELU, alpha); }

    public static Activation sigmoid() { return new Activation(Kind.SIGMOID, 0f); }

    public static Activation tanh() { return new Activation(Kind.TANH, 0f); }

    public static Activation softmax() { return new Activation(Kind.SOFTMAX, 0f); }

    /**
     * Parses {@code linear}, {@code relu}, {@code leaky_relu} (slope 0.2) or {@code leaky_relu:0.1},
     * {@code sigmoid}, {@code tanh}, {@code softmax} (case-insensitive; {@code identity} means linear).
     */
    public static Activation parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        String name = t;
        String arg = null;
        int colon = t.indexOf(':');
        if (colon >= 0) {
            name = t.substring(0, colon);
            arg = t.substring(colon + 1);
        }
        Activation a = switch (name.replace("-", "_")) {
            case "linear", "identity", "none" -> linear();
            case "relu" -> relu();
            case "leaky_relu", "leakyrelu" -> leakyRelu(arg == null ? 0.2f : parseSlope(arg, text));
            case "sigmoid" -> sigmoid();
            case "tanh" -> tanh();
            case "softmax" -> softmax();
            default -> throw new IllegalArgumentException("unknown activation '" + text
                    + "' (expected linear, relu, leaky_relu[:slope], sigmoid, tanh or softmax)");
        };
        if (arg != null && a.kind != Kind.LEAKY_RELU) {
            throw new IllegalArgumentException("activation '" + text + "' takes no argument");
        }
        return a;
    }

    private static float parseSlope(String arg, String text) {
        try {
            return Float.parseFloat(arg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad leaky ReLU slope in '" + text + "'", e);
        }
    }

    /** The kernel activation to fuse, or {@code null} for softmax (which is not element-wise). */
    public dev.lanes.kernel.Activation kernelActivation() {
        return switch (kind) {
            case LINEAR -> dev.lanes.kernel.Activation.IDENTITY;
            case RELU -> dev.lanes.kernel.Activation.RELU;
            case LEAKY_RELU -> dev.lanes.kernel.Activation.LEAKY_RELU;
            case SIGMOID -> dev.lanes.kernel.Activation.SIGMOID;
            case TANH -> dev.lanes.kernel.Activation.TANH;
            case SOFTMAX -> null;
        };
    }

    public boolean isLinear() { return kind == Kind.LINEAR; }

    /** Keras-style name: {@code relu}, {@code leaky_relu(0.2)}, ... */
    @Override
    public String toString() {
        return kind == Kind.LEAKY_RELU ? "leaky_relu(" + alpha + ")" : kind.name().toLowerCase(Locale.ROOT);
    }
}
