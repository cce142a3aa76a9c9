package dev.lanes.nn;

/**
 * L1 and L2 penalties on a layer's weights, in the convention of Andrew Ng's deep-learning course
 * (not Keras's, which has no 1/2m): with m the batch size, the penalty added to the mean loss is
 * {@code λ₂/(2m)·‖W‖²_F + λ₁/m·‖W‖₁}, so the gradient gains {@code (λ₂/m)·W + (λ₁/m)·sign(W)}.
 * L2 is therefore weight decay applied inside the optimizer's update pass (Keras's {@code l2(k)}
 * equals {@code l2(2·m·k)} here). Biases are not penalized; the penalty is included in the training
 * loss reported by {@code fit}, not in {@code evaluate}.
 *
 * <pre>{@code new Dense(64, Activation.relu()).regularizer(Regularizer.l2(0.01f)) }</pre>
 *
 * @param l1 λ₁ ≥ 0
 * @param l2 λ₂ ≥ 0
 */
public record Regularizer(float l1, float l2) {
    /** No penalty. */
    public static final Regularizer NONE = new Regularizer(0f, 0f);

    public Regularizer {
        if (!(l1 >= 0f) || !(l2 >= 0f) || Float.isInfinite(l1) || Float.isInfinite(l2)) {
            throw new IllegalArgumentException("regularization strengths must be finite and >= 0, got l1=" + l1 + " l2=" + l2);
        }
    }

    public static Regularizer l1(float lambda) { return new Regularizer(lambda, 0f); }

    public static Regularizer l2(float lambda) { return new Regularizer(0f, lambda); }

    public static Regularizer l1l2(float l1, float l2) { return new Regularizer(l1, l2); }

    public boolean isNone() { return l1 == 0f && l2 == 0f; }
}
