package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each loss's value and gradient against torch.nn.functional (torch 2.13, float32, reduction "mean",
 * gradient by autograd), on both backends. Every loss here averages as torch's default does: MSE,
 * MAE, Huber and binary cross-entropy over all m·n elements (which is also Keras's mean over the last
 * axis, then over the batch); the categorical cross-entropies over the m rows. The cross-entropies
 * take logits: binary is {@code binary_cross_entropy_with_logits}, exact at logits ±100 where torch's
 * {@code BCELoss} on probabilities clamps log(0) to −100 (21.127 on Z, T below, against 19.127) and
 * Keras's clips probabilities at 1e-7.
 *
 * <p>Reference script ({@code rng = numpy.random.default_rng(11)}):
 * <pre>
 * P = g.normal(0, 1.5, (4, 3)); Y = g.normal(0, 1.5, (4, 3))        # float32
 * p = torch.tensor(P, requires_grad=True); l = F.mse_loss(p, torch.tensor(Y)); l.backward()  # l, p.grad
 * # likewise F.l1_loss, F.huber_loss(delta=1.0 / 0.5), F.binary_cross_entropy_with_logits(Z, T),
 * # F.cross_entropy(LOGITS, SOFT) (probability targets) and F.cross_entropy(LOGITS, [1, 2, 3, 0])
 * </pre>
 */
class LossParityTest {
    static final float[] P = {0.051289152354002f, 2.039621353149414f, 1.8370816707611084f, -0.7654606103897095f, -0.44695428013801575f, -0.7910763025283813f, 0.8545895218849182f, -0.08409665524959564f, 1.120328426361084f, -2.7709872722625732f, 2.349823236465454f, -0.1446482390165329f};
    static final float[] Y = {1.0205676555633545f, -0.2048494964838028f, -0.5686478614807129f, 0.694665253162384f, 1.2367702722549438f, -0.303794801235199f, -0.2291792631149292f, 1.0285478830337524f, -1.3055109977722168f, -2.2715752124786377f, 0.5924727916717529f, -1.00584876537323f};
    static final float MSE = 2.445467710494995f;
    static final float[] MSE_GRAD = {-0.16154642403125763f, 0.3740784823894501f, 0.400954931974411f, -0.24335432052612305f, -0.2806207537651062f, -0.0812135860323906f, 0.18062815070152283f, -0.1854407638311386f, 0.4043065905570984f, -0.08323534578084946f, 0.2928917407989502f, 0.14353342354297638f};
    static final float MAE = 1.4159021377563477f;
    static final float[] MAE_GRAD = {-0.0833333358168602f, 0.0833333358168602f, 0.0833333358168602f, -0.0833333358168602f, -0.0833333358168602f, -0.0833333358168602f, 0.0833333358168602f, -0.0833333358168602f, 0.0833333358168602f, -0.0833333358168602f, 0.0833333358168602f, 0.0833333358168602f};
    static final float HUBER1 = 0.9381387233734131f;
    static final float[] HUBER1_GRAD = {-0.08077321201562881f, 0.0833333358168602f, 0.0833333358168602f, -0.0833333358168602f, -0.0833333358168602f, -0.0406067930161953f, 0.0833333358168602f, -0.0833333358168602f, 0.0833333358168602f, -0.04161767289042473f, 0.0833333358168602f, 0.07176671177148819f};
    static final float HUBER05 = 0.5829578042030334f;
    static final float[] HUBER05_GRAD = {-0.0416666679084301f, 0.0416666679084301f, 0.0416666679084301f, -0.0416666679084301f, -0.0416666679084301f, -0.0406067930161953f, 0.0416666679084301f, -0.0416666679084301f, 0.0416666679084301f, -0.04161767289042473f, 0.0416666679084301f, 0.0416666679084301f};
    static final float[] Z = {100.0f, -100.0f, 0.5f, -100.0f, 100.0f, -2.0f, 3.0f, -0.25f, 20.0f, -20.0f, 1.5f, -7.0f};
    static final float[] T = {0.0f, 1.0f, 1.0f, 0.0f, 1.0f, 0.30000001192092896f, 1.0f, 0.0f, 0.699999988079071f, 1.0f, 0.0f, 0.0f};
    static final float BCE = 19.127321243286133f;
    static final float[] BCE_GRAD = {0.0833333358168602f, -0.0833333358168602f, -0.031461719423532486f, 0.0f, 0.0f, -0.015066425316035748f, -0.003952155355364084f, 0.03648529201745987f, 0.02500000037252903f, -0.0833333358168602f, 0.06813120096921921f, 7.592092879349366e-05f};
    // torch BCELoss(sigmoid(Z), T) = 21.127321243286133
    static final float[] LOGITS = {2.0f, -1.0f, 0.5f, 0.0f, 100.0f, -100.0f, 0.0f, 3.0f, -0.30000001192092896f, 0.699999988079071f, 1.100000023841858f, -2.200000047683716f, 5.0f, 5.0f, 5.0f, 5.0f};
    static final float[] SOFT = {0.10000000149011612f, 0.6000000238418579f, 0.20000000298023224f, 0.10000000149011612f, 0.0f, 0.0f, 1.0f, 0.0f, 0.25f, 0.25f, 0.25f, 0.25f, 0.0f, 1.0f, 0.0f, 0.0f};
    static final float CCE = 26.49335479736328f;
    static final float[] CCE_GRAD = {0.15252496302127838f, -0.14116156101226807f, -0.010388825088739395f, -0.0009746048599481583f, 0.25f, 0.0f, -0.25f, 1.8637269575520067e-43f, -0.03094649687409401f, 0.023271314799785614f, 0.06545576453208923f, -0.057780586183071136f, 0.0625f, -0.1875f, 0.0625f, 0.0625f};
    static final float[] LABELS = {1.0f, 2.0f, 3.0f, 0.0f};
    static final float SCCE = 27.174604415893555f;
    static final float[] SCCE_GRAD = {0.17752496898174286f, -0.2411615550518036f, 0.039611175656318665f, 0.02402539551258087f, 0.25f, 0.0f, -0.25f, 1.8637269575520067e-43f, 0.03155350312590599f, 0.08577131479978561f, 0.12795576453208923f, -0.24528059363365173f, -0.1875f, 0.0625f, 0.0625f, 0.0625f};

    private static void check(String backend, Loss loss, float[] out, float[] targets, int rows, int cols,
                              int targetCols, float want, float[] wantGrad) {
        try (Kernels k = Kernels.create(backend, 1);
             Matrix o = Matrix.of(rows, cols, out); Matrix y = Matrix.of(rows, targetCols, targets);
             Matrix d = Matrix.allocate(rows, cols)) {
            float got = loss.compute(k, o, y, d);
            assertEquals(want, got, 1e-6f * Math.max(1f, Math.abs(want)), backend + " " + loss + " value");
            float[] g = d.toArray();
            for (int i = 0; i < g.length; i++) {
                assertEquals(wantGrad[i], g[i], 1e-7f + 1e-6f * Math.abs(wantGrad[i]), backend + " " + loss + " gradient[" + i + "]");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "simd"})
    void regressionLossesMatchTorch(String backend) {
        check(backend, Loss.meanSquaredError(), P, Y, 4, 3, 3, MSE, MSE_GRAD);
        check(backend, Loss.meanAbsoluteError(), P, Y, 4, 3, 3, MAE, MAE_GRAD);
        check(backend, Loss.huber(1f), P, Y, 4, 3, 3, HUBER1, HUBER1_GRAD);
        check(backend, Loss.huber(0.5f), P, Y, 4, 3, 3, HUBER05, HUBER05_GRAD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "simd"})
    void crossEntropiesMatchTorchIncludingExtremeLogits(String backend) {
        check(backend, Loss.binaryCrossEntropy(), Z, T, 4, 3, 3, BCE, BCE_GRAD);
        check(backend, Loss.categoricalCrossEntropy(), LOGITS, SOFT, 4, 4, 4, CCE, CCE_GRAD);
        check(backend, Loss.sparseCategoricalCrossEntropy(), LOGITS, LABELS, 4, 4, 1, SCCE, SCCE_GRAD);
    }
}
