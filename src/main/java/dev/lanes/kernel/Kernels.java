package dev.lanes.kernel;

import dev.lanes.tensor.Matrix;

/**
 * The numerical kernels Lanes runs on. Two implementations stand behind this one contract:
 * {@code loop} (plain scalar Java, the correctness oracle and the "loop" side of loop-versus-vector
 * comparisons) and {@code simd} (the Java Vector API). {@link #get()} returns the one chosen at
 * start-up; see {@link KernelProvider} for how it is chosen and how to force one.
 *
 * <p>Instances own a persistent worker pool; {@link #close()} stops it. The shared default instance
 * from {@link #get()} lives for the whole JVM.
 *
 * <p>The kernels after {@link #gemm} (activations, losses, reductions, element-wise helpers,
 * optimizer updates, dropout, batch norm) run on the calling thread: they are memory-bound and sized
 * for one mini-batch, where a hand-off to the pool costs more than it saves. Their results therefore
 * never depend on the thread count. None of them allocates on the heap once compiled.
 */
public interface Kernels extends AutoCloseable {

    /** The default kernels: chosen once, shared, {@code Runtime.availableProcessors()} threads. */
    static Kernels get() {
        return KernelProvider.defaultKernels();
    }

    /** New kernels of the named backend ({@code "loop"} or {@code "simd"}) with their own worker pool. */
    static Kernels create(String backend, int threads) {
        return KernelProvider.create(backend, threads);
    }

    /** "loop" or "simd". */
    String name();

    /**
     * The GEMM micro-kernel's register tile, MR×NR as in "6x16", or "" for a backend without one.
     * Benchmarks print it: on AVX2 it depends on the JVM's flags (see the README's Backends section).
     */
    default String gemmTile() {
        return "";
    }

    /** Worker threads this instance uses for one call (1 = the caller only). */
    int threads();

    /**
     * {@code C = epilogue(alpha·op(A)·op(B) + beta·C)}, where op(X) is X or Xᵀ. op(A) is M×K, op(B)
     * is K×N and C is M×N; any sizes ≥ 1 and any row strides. With {@code beta == 0}, C is not read
     * (it may hold anything, NaN included). Results are bitwise identical for every thread count.
     */
    void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c, Epilogue epilogue);

    /** {@code C = alpha·op(A)·op(B) + beta·C}. */
    default void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        gemm(transA, transB, alpha, a, b, beta, c, Epilogue.NONE);
    }

    /**
     * {@code C = alpha·op(A)·op(B) + beta·C}, returning {@link #maxAbs} of the result: the
     * weight-gradient product of backprop, whose largest magnitude the training loop checks every
     * step. The vectorized kernels fold each finished tile's magnitudes in as they store it, instead
     * of reading all of C back; this default (the loop twin) runs the two kernels one after the other.
     */
    default float gemmMaxAbs(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        gemm(transA, transB, alpha, a, b, beta, c, Epilogue.NONE);
        return maxAbs(c);
    }

    /** {@code C = A·B}. */
    default void matmul(Matrix a, Matrix b, Matrix c) {
        gemm(false, false, 1f, a, b, 0f, c, Epilogue.NONE);
    }

    // ---------------------------------------------------------------- element-wise activations

    /** {@code out = g(x)} element-wise; {@code out} may be {@code x}. Shapes must match. */
    void activate(Activation activation, float leak, Matrix x, Matrix out);

    /**
     * {@code dZ = dA ⊙ g′}, with g′ computed from the activation's output {@code a} (sigmoid a(1−a),
     * tanh 1−a², ReLU and leaky ReLU from the sign of a, which is z's sign for a leak &gt; 0; identity 1).
     * {@code dZ} may be {@code dA}.
     */
    void activationBackward(Activation activation, float leak, Matrix a, Matrix dA, Matrix dZ);

    /** Row-wise softmax, numerically stable (the row maximum is subtracted); {@code out} may be {@code x}. */
    void softmaxRows(Matrix x, Matrix out);

    // ---------------------------------------------------------------- losses: value and gradient in one pass
    // Each returns the mean loss over the batch (m = rows) and writes the gradient with respect to its
    // first argument, already divided by m, into the last argument (which may alias the first).

    /**
     * Softmax + categorical cross-entropy from logits with one-hot (or soft) targets: per row
     * −Σ y·log p. dLogits = (p·Σy − y)/m, Σy the row's target sum: (p − y)/m for rows summing to 1,
     * 0 for an all-zero row (whose loss is 0 too).
     */
    float softmaxCrossEntropy(Matrix logits, Matrix targets, Matrix dLogits);

    /**
     * Softmax + cross-entropy with integer class labels: {@code labels} is m×1 holding 0..C−1 as floats
     * (anything else throws {@link IllegalArgumentException}).
     */
    float sparseSoftmaxCrossEntropy(Matrix logits, Matrix labels, Matrix dLogits);

    /** Sigmoid + binary cross-entropy from logits, stable for any logit; mean over all elements. */
    float sigmoidBinaryCrossEntropy(Matrix logits, Matrix targets, Matrix dLogits);

    // Weighted forms (Keras's class_weight and sample_weight, reduced by sum_over_batch_size): row r's
    // loss and gradient are multiplied by rowWeights[r] (an m×1 column), and the sum is still divided
    // by the batch size, not by Σw: loss = Σᵣ wᵣ·Lᵣ / m, dLogits row r = wᵣ·∂Lᵣ/∂z / m. A weight of
    // exactly 1 or 2 reproduces the unweighted result, or twice it, bit for bit.

    /** {@link #softmaxCrossEntropy} with row r's loss and gradient times {@code rowWeights[r]}. */
    float weightedSoftmaxCrossEntropy(Matrix logits, Matrix targets, Matrix rowWeights, Matrix dLogits);

    /** {@link #sparseSoftmaxCrossEntropy} with row r's loss and gradient times {@code rowWeights[r]}. */
    float weightedSparseSoftmaxCrossEntropy(Matrix logits, Matrix labels, Matrix rowWeights, Matrix dLogits);

    /**
     * {@link #sigmoidBinaryCrossEntropy} with every element of row r times {@code rowWeights[r]}; still
     * divided by all m·n elements (for one sigmoid output, n = 1, that is Keras's weighted mean).
     */
    float weightedSigmoidBinaryCrossEntropy(Matrix logits, Matrix targets, Matrix rowWeights, Matrix dLogits);

    /** Mean squared error over all m×n elements; gradient 2(p − y)/(m·n). */
    float meanSquaredError(Matrix predictions, Matrix targets, Matrix dPredictions);

    /** Mean absolute error over all m×n elements; gradient sign(p − y)/(m·n), 0 at 0. */
    float meanAbsoluteError(Matrix predictions, Matrix targets, Matrix dPredictions);

    /** Huber loss with threshold {@code delta}, mean over all m×n elements. */
    float huber(Matrix predictions, Matrix targets, float delta, Matrix dPredictions);

    /** {@link #meanSquaredError} with row r's terms and gradient times {@code rowWeights[r]}; still over all m·n elements. */
    float weightedMeanSquaredError(Matrix predictions, Matrix targets, Matrix rowWeights, Matrix dPredictions);

    /** {@link #meanAbsoluteError} with row r's terms and gradient times {@code rowWeights[r]}. */
    float weightedMeanAbsoluteError(Matrix predictions, Matrix targets, Matrix rowWeights, Matrix dPredictions);

    /** {@link #huber} with row r's terms and gradient times {@code rowWeights[r]}. */
    float weightedHuber(Matrix predictions, Matrix targets, float delta, Matrix rowWeights, Matrix dPredictions);

    // ---------------------------------------------------------------- reductions

    /** {@code out[j] = scale·Σᵢ x[i][j]} (out is 1×N); with scale 1/m this is the bias gradient. */
    void columnSums(Matrix x, float scale, Matrix out);

    /** Index of the largest value of each row (the first one on ties) into {@code out[0..rows)}. */
    void argmaxRows(Matrix x, int[] out);

    /**
     * Σ x². The loop backend accumulates in double; simd sums float vectors over short chunks and the
     * chunks in double, within 1.3e-6 relative of the exact sum for any length.
     */
    double sumOfSquares(Matrix x);

    /** Σ |x|, with the accuracy of {@link #sumOfSquares}. */
    double sumOfAbs(Matrix x);

    /** Whether every element of x is finite (no NaN, no ±∞): the training loop's divergence check. */
    boolean allFinite(Matrix x);

    /**
     * max |x|: NaN when any element is NaN, +∞ when any is infinite (and none is NaN), so it also
     * answers {@link #allFinite}. The training loop reads the gradients' largest magnitude from it,
     * to know whether an update can overflow.
     */
    float maxAbs(Matrix x);

    // ---------------------------------------------------------------- element-wise helpers

    /** {@code y = alpha·x + y}. */
    void axpy(float alpha, Matrix x, Matrix y);

    /** {@code x = alpha·x}. */
    void scale(float alpha, Matrix x);

    /** {@code y = x}. */
    void copy(Matrix x, Matrix y);

    /**
     * Row r of {@code out} = row {@code index[from + r]} of {@code source}, for every row of
     * {@code out}: a shuffled mini-batch. The simd backend splits the rows across its threads.
     */
    void gatherRows(Matrix source, int[] index, int from, Matrix out);

    /**
     * A hint that rows {@code index[from..to)} of {@code source} are gathered next (the next
     * mini-batch): the backends load the first cache line of each, so the rows' DRAM misses start
     * now rather than inside that gather. Values never change; an empty or past-the-end range does
     * nothing.
     */
    default void prefetchRows(Matrix source, int[] index, int from, int to) {}

    /** {@code x = value}. */
    void fill(Matrix x, float value);

    /** {@code out = a ⊙ b}; {@code out} may alias either. */
    void multiply(Matrix a, Matrix b, Matrix out);

    /** {@code x = min(max(x, lo), hi)} (gradient clipping by value). */
    void clamp(Matrix x, float lo, float hi);

    // ---------------------------------------------------------------- optimizer updates, one pass per buffer
    // w: parameters, g: gradients (not modified), state buffers same shape as w. l2 adds l2·w to the
    // gradient before the update (coupled weight decay); 0 disables it. Each returns whether every
    // updated weight is finite, checked on the values as they are stored: a training loop's
    // divergence guard needs no pass of its own over the weights.

    /** {@code w -= lr·(g + l2·w)}. */
    boolean sgdUpdate(Matrix w, Matrix g, float lr, float l2);

    /**
     * Momentum (PyTorch form): {@code v = β·v + g'}; {@code w -= lr·v}, or with Nesterov
     * {@code w -= lr·(g' + β·v)}, where {@code g' = g + l2·w}.
     */
    boolean momentumUpdate(Matrix w, Matrix g, Matrix v, float lr, float beta, boolean nesterov, float l2);

    /** Adagrad: {@code s += g'²; w -= lr·g'/(√s + ε)}. */
    boolean adagradUpdate(Matrix w, Matrix g, Matrix s, float lr, float eps, float l2);

    /** RMSProp: {@code s = ρ·s + (1−ρ)·g'²; w -= lr·g'/(√s + ε)}. */
    boolean rmspropUpdate(Matrix w, Matrix g, Matrix s, float lr, float rho, float eps, float l2);

    /**
     * Adam with bias correction at step {@code t} (1-based):
     * {@code m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²; w -= lr·m̂/(√v̂ + ε)}. With
     * {@code decoupledDecay > 0} this is AdamW: {@code w -= lr·decoupledDecay·w} as well, outside the
     * adaptive step (use {@code l2 = 0} then).
     */
    boolean adamUpdate(Matrix w, Matrix g, Matrix m, Matrix v, float lr, float beta1, float beta2, float eps,
                    int t, float l2, float decoupledDecay);

    // ---------------------------------------------------------------- dropout

    /**
     * Inverted dropout: {@code mask = (u < keep) / keep}, {@code out = x ⊙ mask}, where u is uniform in
     * [0,1) with 16 random bits (so an element is kept with probability keep rounded up to a multiple
     * of 2⁻¹⁶) from a counter-based generator keyed by ({@code seed}, {@code step}, element index), so the
     * mask depends on nothing else (not the thread count, the backend or the row stride; see
     * {@link CounterRng}). {@code keep} must be in (0, 1]. {@code out} may be {@code x}.
     */
    void dropoutForward(Matrix x, Matrix mask, Matrix out, float keep, long seed, long step);

    // Backward of dropout is multiply(dOut, mask, dX).

    // ---------------------------------------------------------------- batch normalization (over rows)

    /**
     * Training forward: per column j, batch mean μ and (biased) variance σ², {@code xhat = (x−μ)/√(σ²+ε)},
     * {@code out = γ·xhat + β}; {@code invStd} (1×N) receives 1/√(σ²+ε) for the backward pass; running
     * averages are updated as {@code running = momentum·running + (1−momentum)·batch} (Keras's
     * convention; the running variance uses the unbiased batch variance as PyTorch does, and is left
     * unchanged for a batch of one row, whose unbiased variance is undefined). {@code xhat} and
     * {@code out} may be {@code x}.
     */
    void batchNormForwardTrain(Matrix x, Matrix gamma, Matrix beta, Matrix runningMean, Matrix runningVar,
                               float momentum, float eps, Matrix xhat, Matrix invStd, Matrix out);

    /** Inference forward with the running averages. */
    void batchNormForwardInference(Matrix x, Matrix gamma, Matrix beta, Matrix runningMean, Matrix runningVar,
                                   float eps, Matrix out);

    /**
     * Backward: {@code dBeta = Σ dOut}, {@code dGamma = Σ dOut ⊙ xhat} (column sums, not divided by m:
     * dOut is already a mean-loss gradient), and
     * {@code dX = γ·invStd/m · (m·dOut − dBeta − xhat ⊙ dGamma)}. {@code dX} may be {@code dOut}.
     */
    void batchNormBackward(Matrix dOut, Matrix xhat, Matrix gamma, Matrix invStd,
                           Matrix dGamma, Matrix dBeta, Matrix dX);

    /** Stops the worker pool; further calls fail. A no-op for the shared default instance. */
    @Override
    void close();
}
