package dev.lanes.optim;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Parameter;
import dev.lanes.nn.Regularizer;
import dev.lanes.tensor.Matrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The bookkeeping every optimizer shares, in the shape of Keras's base optimizer: the step counter,
 * per-parameter state slots (allocated off-heap on {@link #bind}), the learning-rate schedule,
 * gradient clipping (by global norm, then by value) and the layers' L1/L2 penalties. A subclass
 * implements only {@link #update}, one fused kernel pass over one parameter buffer.
 *
 * <pre>{@code
 * Optimizer adam = new Adam(1e-3f).clipNorm(1f);
 * Optimizer sgd = new Sgd(LearningRateSchedule.step(0.1f, 0.5f, 10));
 * }</pre>
 *
 * <p>A step allocates nothing: the parameter list is copied into an array on bind and the state
 * lives in preallocated matrices.
 */
public abstract class Optimizer implements AutoCloseable {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final Matrix[] NO_STATE = new Matrix[0];

    private LearningRateSchedule schedule;
    private float learningRate;
    private float clipNorm;
    private float clipValue;
    private int iterations;
    /**
     * An upper bound on the magnitude of every gradient the state slots have absorbed since they
     * were zeroed (with the L1/L2 terms the update adds), or +∞ when unknown; see {@link #cannotOverflow}.
     */
    private float largestGradient;
    private Kernels kernels;
    private List<Parameter> bound;
    /** The list last given to {@link #bind}, so {@link #isBoundTo} answers for it without iterating. */
    private List<Parameter> boundSource;
    private Parameter[] parameters = new Parameter[0];
    private Matrix[][] state = new Matrix[0][];
    private Arena stateArena;
    private boolean closed;

    protected Optimizer(LearningRateSchedule schedule) {
        setSchedule(schedule);
    }

    /**
     * An optimizer by name, with each class's default hyper-parameters (momentum 0.9 for the
     * momentum variants): {@code sgd}, {@code momentum}, {@code nesterov}, {@code adagrad},
     * {@code rmsprop}, {@code adam}, {@code adamw} (case-insensitive). The names are Keras's; each
     * class says whose update rule and defaults it follows. For command lines and configuration files.
     */
    public static Optimizer named(String name, float learningRate) {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "sgd" -> new Sgd(learningRate);
            case "momentum" -> Sgd.momentum(learningRate, 0.9f);
            case "nesterov" -> Sgd.nesterov(learningRate, 0.9f);
            case "adagrad" -> new Adagrad(learningRate);
            case "rmsprop" -> new RmsProp(learningRate);
            case "adam" -> new Adam(learningRate);
            case "adamw" -> new AdamW(learningRate);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name
                    + "' (expected sgd, momentum, nesterov, adagrad, rmsprop, adam or adamw)");
        };
    }

    /** Replaces the learning-rate schedule and sets the current rate to its epoch-0 value. */
    public final Optimizer schedule(LearningRateSchedule schedule) {
        setSchedule(schedule);
        return this;
    }

    private void setSchedule(LearningRateSchedule schedule) {
        if (schedule == null) throw new IllegalArgumentException("schedule must not be null");
        this.schedule = schedule;
        this.learningRate = schedule.rate(0);
    }

    /**
     * Rescales all gradients together when their global L2 norm exceeds {@code maxNorm}; 0 disables.
     * This is Keras's {@code global_clipnorm} and PyTorch's {@code clip_grad_norm_}, not Keras's
     * per-variable {@code clipnorm}. Clipping applies to the loss gradients before the L1/L2 terms
     * are added (as PyTorch's {@code weight_decay}; Keras's regularizers are part of the clipped loss).
     * The factor is {@code maxNorm/norm}, as Keras's; PyTorch's is {@code maxNorm/(norm + 1e-6)}.
     */
    public Optimizer clipNorm(float maxNorm) {
        if (!(maxNorm >= 0f)) throw new IllegalArgumentException("clipNorm must be >= 0, got " + maxNorm);
        this.clipNorm = maxNorm;
        return this;
    }

    /** Clamps every gradient element to [−maxAbs, maxAbs]; 0 disables. */
    public Optimizer clipValue(float maxAbs) {
        if (!(maxAbs >= 0f)) throw new IllegalArgumentException("clipValue must be >= 0, got " + maxAbs);
        this.clipValue = maxAbs;
        return this;
    }

    public LearningRateSchedule schedule() { return schedule; }

    public float learningRate() { return learningRate; }

    /** Overrides the rate until the next epoch starts (the learning-rate-scheduler callback uses this). */
    public void setLearningRate(float learningRate) {
        if (!(learningRate > 0f) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    /** Steps taken so far (Adam's t after the last step). */
    public int iterations() { return iterations; }

    /** The trainable parameters and the kernels to update them with; allocates zeroed state slots. */
    public void bind(List<Parameter> modelParameters, Kernels kernels) {
        checkOpen();
        if (modelParameters.equals(bound) && kernels == this.kernels) return;
        List<Parameter> trainable = new ArrayList<>();
        for (Parameter p : modelParameters) {
            if (p.trainable()) trainable.add(p);
        }
        closeState();
        stateArena = Arena.ofShared();
        int slots = stateSlots();
        parameters = trainable.toArray(new Parameter[0]);
        state = new Matrix[parameters.length][];
        for (int i = 0; i < parameters.length; i++) {
            Matrix w = parameters[i].value();
            state[i] = slots == 0 ? NO_STATE : new Matrix[slots];
            for (int s = 0; s < slots; s++) {
                state[i][s] = Matrix.allocate(stateArena, w.rows(), w.cols());
            }
        }
        this.kernels = kernels;
        this.bound = List.copyOf(modelParameters);
        this.boundSource = modelParameters;
        iterations = 0;
        largestGradient = 0f;
    }

    /**
     * Whether the last {@link #bind} was to {@code modelParameters}, so {@link #step} updates them. A
     * training loop checks it: an optimizer given to a second model since then steps that model's
     * weights. Allocates nothing for the list that was bound.
     *
     * @throws IllegalStateException when this optimizer was closed (its own message, not "bound elsewhere")
     */
    public boolean isBoundTo(List<Parameter> modelParameters) {
        checkOpen();
        return bound != null && (modelParameters == boundSource || modelParameters.equals(bound));
    }

    /** The bound trainable parameters, in the order {@link #stateOf} indexes them. */
    public List<Parameter> boundParameters() { return List.of(parameters); }

    /**
     * The state buffers of the {@code index}-th {@linkplain #boundParameters() bound parameter} (Adam:
     * first then second moment; none for plain SGD), live: a checkpoint reads them and a resumed run
     * writes them back before training continues.
     */
    public List<Matrix> stateOf(int index) { return List.of(state[index]); }

    /**
     * Restores the step counter saved with the state (Adam's bias correction depends on it). Call it
     * after writing the state slots back: it also measures them for {@link #cannotOverflow}.
     */
    public void setIterations(int iterations) {
        if (iterations < 0) throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
        this.iterations = iterations;
        // A slot's magnitude bounds the gradients it absorbed (Adam's first moment is an average of
        // them); the others only make the bound more cautious.
        float largest = 0f;
        if (kernels != null) {
            for (Matrix[] slots : state) {
                for (Matrix slot : slots) largest = Math.max(largest, kernels.maxAbs(slot));
            }
        }
        largestGradient = kernels == null || Float.isNaN(largest) ? Float.POSITIVE_INFINITY : largest;
    }

    /** Sets the learning rate from the schedule; called by the training loop before each epoch. */
    public void beginEpoch(int epoch) {
        learningRate = schedule.rate(epoch);
    }

    /**
     * Applies one update to every bound parameter from the gradients the backward pass left in them
     * (which clipping and L1 may modify).
     *
     * @param batchRows m, which scales the L1/L2 penalties (see {@link Regularizer})
     * @return whether every updated weight is finite; false means some are NaN or infinite now
     */
    public boolean step(int batchRows) {
        return step(batchRows, Float.POSITIVE_INFINITY);
    }

    /**
     * As {@link #step(int)}, told that no gradient is larger than {@code maxAbsGradient} in
     * magnitude (the training loop measures it while checking that they are finite), which lets
     * {@link #cannotOverflow} answer for later steps too.
     */
    public boolean step(int batchRows, float maxAbsGradient) {
        checkOpen();
        largestGradient = Math.max(largestGradient, effectiveGradientBound(maxAbsGradient, batchRows));
        if (kernels == null) throw new IllegalStateException("optimizer is not bound to a model's parameters");
        iterations++;
        if (clipNorm > 0f) clipByGlobalNorm();
        boolean finite = true;
        for (int i = 0; i < parameters.length; i++) {
            Parameter p = parameters[i];
            Matrix g = p.gradient();
            if (clipValue > 0f) kernels.clamp(g, -clipValue, clipValue);
            Regularizer r = p.regularizer();
            if (r.l1() > 0f) addL1Subgradient(p.value(), g, r.l1() / batchRows);
            finite &= update(kernels, p.value(), g, state[i], learningRate, r.l2() / batchRows, p.decays(), iterations);
        }
        return finite;
    }

    /**
     * Whether the next {@link #step(int, float) step} provably leaves every finite weight finite,
     * given finite gradients no larger than {@code maxAbsGradient} in magnitude: then a training
     * loop that must be able to undo a step needs no copy of the weights. Clipping and the L1/L2
     * terms are accounted for. False when this optimizer cannot bound its step (the default) or
     * the bound does not hold. Like the state it reasons about, the answer assumes the state slots
     * hold what this optimizer's own steps (or a checkpoint of them) put there.
     */
    public final boolean cannotOverflow(float maxAbsGradient, int batchRows) {
        if (kernels == null) return false;
        float now = effectiveGradientBound(maxAbsGradient, batchRows);
        return Float.isFinite(now) && boundsStep(now, Math.max(largestGradient, now), learningRate, iterations + 1);
    }

    /**
     * Whether step {@code t} at rate {@code lr} moves no weight by as much as {@link #SAFE_STEP},
     * and overflows in none of its intermediate values, when this step's gradients are at most
     * {@code gradientNow} in magnitude and every gradient the state has absorbed, this step's
     * included, at most {@code gradientEver} (both with the L2 term {@code l2·w}; the second +∞
     * when unknown). A weight moved by less than half of ulp(Float.MAX_VALUE) rounds to at most
     * Float.MAX_VALUE in magnitude, so it stays finite whatever its value.
     */
    protected boolean boundsStep(float gradientNow, float gradientEver, float lr, int t) {
        return false;
    }

    /**
     * The part of a step bound for squared gradients too small for float: where g² underflows to 0
     * (|g| below 4e-23), the root in lr·g/(√s + ε) can be 0 and the step lr·|g|/ε, under
     * lr·1e-19/ε. (RMSProp's (1−ρ)·g² underflows below 4e-23/√(1−ρ): it scales this by 1/√(1−ρ).)
     * Subnormal squares round by more than their bounds allow for; {@link #SAFE_STEP}'s factor of
     * 8 covers that.
     */
    static double underflowTerm(float lr, float epsilon) {
        return lr * 1e-19 / epsilon;
    }

    /** 2^100: an eighth of half an ulp of Float.MAX_VALUE, so rounding in a bounded step cannot carry it past. */
    protected static final float SAFE_STEP = 0x1p100f;

    /** {@code maxAbsGradient} plus the largest L1 subgradient and L2 term (|w| ≤ Float.MAX_VALUE) any parameter adds. */
    private float effectiveGradientBound(float maxAbsGradient, int batchRows) {
        if (Float.isNaN(maxAbsGradient)) return Float.POSITIVE_INFINITY;
        double extra = 0;
        for (Parameter p : parameters) {
            Regularizer r = p.regularizer();
            extra = Math.max(extra, ((double) r.l1() + (double) r.l2() * Float.MAX_VALUE) / batchRows);
        }
        double g = maxAbsGradient + extra;
        return g > Float.MAX_VALUE ? Float.POSITIVE_INFINITY : (float) g;
    }

    /** The global L2 norm of all bound gradients. */
    public double gradientNorm() {
        double sum = 0;
        for (Parameter p : parameters) sum += kernels.sumOfSquares(p.gradient());
        return Math.sqrt(sum);
    }

    private void clipByGlobalNorm() {
        double norm = gradientNorm();
        if (norm > clipNorm) {
            float factor = (float) (clipNorm / norm);
            for (Parameter p : parameters) kernels.scale(factor, p.gradient());
        }
    }

    /**
     * {@code g += λ·sign(w)}. No kernel for it yet; it runs only for layers with an L1 penalty, so a
     * scalar loop over the segments is acceptable.
     */
    private static void addL1Subgradient(Matrix w, Matrix g, float lambda) {
        MemorySegment ws = w.segment(), gs = g.segment();
        for (int r = 0; r < w.rows(); r++) {
            long wi = (long) r * w.stride(), gi = (long) r * g.stride();
            for (int c = 0; c < w.cols(); c++) {
                float x = ws.getAtIndex(F, wi + c);
                if (x != 0f) gs.setAtIndex(F, gi + c, gs.getAtIndex(F, gi + c) + (x > 0f ? lambda : -lambda));
            }
        }
    }

    /** Zeroes the state slots and the step counter (a fresh start on the same parameters). */
    public void reset() {
        checkOpen();
        for (Matrix[] slots : state) {
            for (Matrix s : slots) s.fill(0f);
        }
        iterations = 0;
        largestGradient = 0f;
    }

    /** How many buffers of the parameter's shape this optimizer keeps per parameter. */
    protected abstract int stateSlots();

    /**
     * One update of {@code w} from {@code g}.
     *
     * @param state  {@link #stateSlots()} zero-initialized buffers shaped like {@code w}
     * @param l2     coupled L2 coefficient to add as {@code l2·w} to the gradient
     * @param decays whether decoupled weight decay applies to this parameter
     * @param t      the 1-based step number
     * @return whether every updated weight is finite (the update kernels report it)
     */
    protected abstract boolean update(Kernels kernels, Matrix w, Matrix g, Matrix[] state, float lr, float l2,
                                   boolean decays, int t);

    private void closeState() {
        if (stateArena != null && stateArena.scope().isAlive()) stateArena.close();
        stateArena = null;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("this " + getClass().getSimpleName() + " optimizer was closed; its state is freed");
    }

    /** Frees the state slots; the optimizer cannot be used afterwards. */
    @Override
    public void close() {
        closed = true;
        closeState();
        kernels = null;
        bound = null;
        boundSource = null;
    }
}
