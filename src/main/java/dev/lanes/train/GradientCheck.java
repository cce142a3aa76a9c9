package dev.lanes.train;

import dev.lanes.nn.Loss;
import dev.lanes.nn.Parameter;
import dev.lanes.nn.Sequential;
import dev.lanes.nn.WeightSnapshot;
import dev.lanes.tensor.Matrix;
import java.util.List;

/**
 * Checks back-propagation against two-sided finite differences,
 * {@code g̃ = (L(w + ε) − L(w − ε)) / 2ε}, over every trainable parameter on one small batch, and
 * reports the relative error {@code ‖g − g̃‖ / (‖g‖ + ‖g̃‖)}.
 *
 * <p>Float32 threshold: the loss is a float, so each difference carries a rounding error of about
 * {@code 1e-7·|L| / ε}; with the default ε = 1e-2 (chosen to keep that below the O(ε²) truncation
 * error on smooth activations) correct gradients come out around 1e-5 (measured: 4e-6 to 3e-5 for
 * every layer, activation and loss in the tests) and a wrong one at 0.1 or more.
 * {@link #FLOAT32_THRESHOLD} = 1e-2 separates the two. For ReLU and leaky ReLU use ε = 1e-3: a
 * difference that straddles a kink is not a gradient, and at ε = 1e-2 a few do (errors near 7e-3).
 * A parameter whose true gradient is zero (a bias just before batch normalization) shows a relative
 * error of 1 on its own, which is noise over noise; judge by the overall figure.
 *
 * <p>The check attaches {@code loss} to the model (as a {@link Trainer} would) and runs in training
 * mode with a fixed step, so dropout masks are identical in every evaluation; the weights
 * (batch-norm running averages included) are restored afterwards. Regularization penalties are
 * not part of the checked loss.
 *
 * <pre>{@code
 * GradientCheck.Result r = GradientCheck.run(model, Loss.categoricalCrossEntropy(), x, y);
 * assert r.relativeError() < GradientCheck.FLOAT32_THRESHOLD : r;
 * }</pre>
 */
public final class GradientCheck {
    /** Relative error below which a float32 gradient is taken as correct. */
    public static final double FLOAT32_THRESHOLD = 1e-2;
    /** The default finite-difference step. */
    public static final float DEFAULT_EPSILON = 1e-2f;

    private GradientCheck() {}

    /**
     * @param relativeError   ‖g − g̃‖ / (‖g‖ + ‖g̃‖) over all parameters
     * @param worstParameter  the parameter with the largest relative error on its own
     * @param worstError      that parameter's relative error
     * @param values          how many scalars were checked
     */
    public record Result(double relativeError, String worstParameter, double worstError, int values) {
        public boolean passed() { return relativeError < FLOAT32_THRESHOLD; }
    }

    public static Result run(Sequential model, Loss loss, Matrix x, Matrix y) {
        return run(model, loss, x, y, DEFAULT_EPSILON);
    }

    public static Result run(Sequential model, Loss loss, Matrix x, Matrix y, float epsilon) {
        model.attachLoss(loss);
        loss.checkTargets(y, x.rows(), model.outputWidth());
        final long step = 12345;
        try (WeightSnapshot original = model.snapshot();
             Matrix dOutput = Matrix.allocate(x.rows(), model.outputWidth())) {
            Matrix output = model.forward(x, true, step);
            loss.compute(model.kernels(), output, y, dOutput);
            model.backward(dOutput);

            List<Parameter> parameters = model.parameters();
            double diff = 0, analyticNorm = 0, numericNorm = 0, worstError = -1;
            String worst = null;
            int values = 0;
            for (Parameter p : parameters) {
                if (!p.trainable()) continue;
                float[] analytic = p.gradient().toArray();
                Matrix w = p.value();
                double pd = 0, pa = 0, pn = 0;
                for (int r = 0; r < w.rows(); r++) {
                    for (int c = 0; c < w.cols(); c++) {
                        float saved = w.get(r, c);
                        w.set(r, c, saved + epsilon);
                        double plus = lossAt(model, loss, x, y, dOutput, step);
                        w.set(r, c, saved - epsilon);
                        double minus = lossAt(model, loss, x, y, dOutput, step);
                        w.set(r, c, saved);
                        // The step actually taken in float, not the nominal 2ε.
                        double h = (double) (saved + epsilon) - (double) (saved - epsilon);
                        double numeric = (plus - minus) / h;
                        double a = analytic[r * w.cols() + c];
                        pd += (a - numeric) * (a - numeric);
                        pa += a * a;
                        pn += numeric * numeric;
                        values++;
                    }
                }
                double error = relative(pd, pa, pn);
                if (error > worstError) {
                    worstError = error;
                    worst = p.name();
                }
                diff += pd;
                analyticNorm += pa;
                numericNorm += pn;
            }
            original.restore();
            return new Result(relative(diff, analyticNorm, numericNorm), worst, worstError, values);
        }
    }

    private static double relative(double squaredDiff, double squaredA, double squaredN) {
        double denominator = Math.sqrt(squaredA) + Math.sqrt(squaredN);
        return denominator == 0 ? 0 : Math.sqrt(squaredDiff) / denominator;
    }

    private static double lossAt(Sequential model, Loss loss, Matrix x, Matrix y, Matrix scratch, long step) {
        return loss.compute(model.kernels(), model.forward(x, true, step), y, scratch);
    }
}
