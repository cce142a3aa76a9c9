package dev.lanes.nn;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Forward and backward of an {@link Activation} over a batch, shared by Dense and ActivationLayer. */
final class Activations {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Activations() {}

    /** {@code out = g(x)}; {@code out} may be {@code x}. */
    static void forward(Kernels k, Activation g, Matrix x, Matrix out) {
        if (g.kind() == Activation.Kind.SOFTMAX) {
            k.softmaxRows(x, out);
        } else if (g.isLinear()) {
            if (x != out) k.copy(x, out);
        } else {
            k.activate(g.kernelActivation(), g.alpha(), x, out);
        }
    }

    /** {@code dZ = ∂L/∂z} from the output {@code a = g(z)} and {@code dA}; {@code dZ} may be {@code dA}. */
    static void backward(Kernels k, Activation g, Matrix a, Matrix dA, Matrix dZ) {
        if (g.kind() == Activation.Kind.SOFTMAX) {
            softmaxBackward(a, dA, dZ);
        } else if (g.isLinear()) {
            if (dA != dZ) k.copy(dA, dZ);
        } else {
            k.activationBackward(g.kernelActivation(), g.alpha(), a, dA, dZ);
        }
    }

    /**
     * dZᵢ = aᵢ·(dAᵢ − Σⱼ dAⱼ·aⱼ), the softmax Jacobian applied row by row. Only reached when a
     * softmax output is not trained with cross-entropy (which fuses it away) or a softmax sits inside
     * the network, so a scalar loop is enough here.
     */
    private static void softmaxBackward(Matrix a, Matrix dA, Matrix dZ) {
        MemorySegment as = a.segment(), ds = dA.segment(), zs = dZ.segment();
        int n = a.cols();
        for (int r = 0; r < a.rows(); r++) {
            long ai = (long) r * a.stride(), di = (long) r * dA.stride(), zi = (long) r * dZ.stride();
            double dot = 0;
            for (int c = 0; c < n; c++) {
                dot += (double) ds.getAtIndex(F, di + c) * as.getAtIndex(F, ai + c);
            }
            for (int c = 0; c < n; c++) {
                float ac = as.getAtIndex(F, ai + c);
                zs.setAtIndex(F, zi + c, (float) (ac * (ds.getAtIndex(F, di + c) - dot)));
            }
        }
    }
}
