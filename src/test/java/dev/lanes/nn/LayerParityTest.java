package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Dense, BatchNorm, Dropout and the activations against torch (2.13, float32), on both backends.
 *
 * <p>Reference script ({@code g = numpy.random.default_rng(5)}, every array float32):
 * <pre>
 * X = g.normal(0, 1, (5, 3)); YD = g.normal(0, 1, (5, 2))
 * W1 = g.uniform(-1, 1, (3, 4)); B1 = g.uniform(-.5, .5, (4,)); W2 = g.uniform(-1, 1, (4, 2)); B2 = g.uniform(-.5, .5, (2,))
 * out = torch.tanh(X @ W1 + B1) @ W2 + B2; loss = F.mse_loss(out, YD); loss.backward()   # DENSE_OUT, DENSE_LOSS, GW1..GB2
 * XA = g.normal(1, 2, (6, 2)); XB = g.normal(-1, 3, (6, 2)); XC = g.normal(0, 1, (3, 2))
 * WL = g.uniform(-1, 1, (2, 3)); BL = g.uniform(-.5, .5, (3,)); DOUT = g.normal(0, 1, (6, 3))
 * lin = nn.Linear(2, 3) (weight WL.T, bias BL); bn = nn.BatchNorm1d(3, momentum=0.1, eps=1e-3) (weight GAMMA, bias BETA)
 * bn.train(); oa = bn(lin(XA))                           # BN_OUT_A, running stats BN_MEAN_A, BN_VAR_A
 * ob = bn(lin(XB)); (ob * DOUT).sum().backward()         # BN_OUT_B, BN_MEAN_B, BN_VAR_B, grads BN_G*
 * bn.eval(); bn(lin(XC))                                 # BN_OUT_C
 * for fn in sigmoid, tanh, relu, leaky_relu(0.2): y = fn(XS); y.sum().backward()   # values and x.grad
 * </pre>
 * Lanes' BatchNorm(0.9, 1e-3) is torch's momentum 0.1 (the Keras convention, documented); both average
 * the unbiased batch variance into the running one.
 */
class LayerParityTest {
    static final float[] X = {-0.8019314408302307f, -1.3243589401245117f, -0.24836161732673645f, 0.4204452335834503f, 1.1360465288162231f, 0.10970640182495117f, -0.5526472926139832f, -0.7847803831100464f, 0.7487457990646362f, 1.6347830295562744f, 0.2727687656879425f, -1.2333287000656128f, -0.9582651853561401f, 1.600019097328186f, 0.20288243889808655f};
    static final float[] YD = {-1.7321348190307617f, -0.08369619399309158f, -1.1632260084152222f, -0.6292880773544312f, -0.4880058169364929f, -0.7133134007453918f, 0.5533784627914429f, -0.06308597326278687f, -0.5894312858581543f, 0.40963783860206604f};
    static final float[] W1 = {0.7401769757270813f, -0.5453629493713379f, 0.790896475315094f, 0.7443909645080566f, -0.9629655480384827f, 0.4149911403656006f, -0.9976006150245667f, 0.006727931089699268f, -0.1266658902168274f, -0.5934943556785583f, -0.35011470317840576f, 0.6124306917190552f};
    static final float[] B1 = {-0.18354791402816772f, -0.3509614169597626f, 0.1985119879245758f, -0.05145590007305145f};
    static final float[] W2 = {0.5978789925575256f, -0.5289670825004578f, -0.36043068766593933f, 0.599759042263031f, 0.014136278070509434f, 0.012770002707839012f, -0.5276117324829102f, -0.9709274172782898f};
    static final float[] B2 = {0.4332239031791687f, -0.4141741991043091f};
    static final float[] DENSE_OUT = {1.1971676349639893f, -0.1947527527809143f, -0.13406509160995483f, -0.44105711579322815f, 0.7261537313461304f, -0.8421881198883057f, 0.8106457591056824f, -1.3916077613830566f, -0.09672397375106812f, 1.0045279264450073f};
    static final float DENSE_LOSS = 1.3606352806091309f;
    static final float[] GW1 = {-0.15799784660339355f, -0.09761831909418106f, -0.004147881641983986f, 0.56014084815979f, -0.41804420948028564f, 0.25075438618659973f, -0.0041566346772015095f, 0.012348398566246033f, -0.04546496272087097f, 0.1957068145275116f, 0.002008505631238222f, -0.31677523255348206f};
    static final float[] GB1 = {0.5604668855667114f, -0.43985939025878906f, 0.008445365354418755f, -0.31140199303627014f};
    static final float[] GW2 = {0.08597756177186966f, -0.3510153293609619f, -0.3373607397079468f, 0.19109758734703064f, 0.3411691188812256f, -0.4081061780452728f, -0.3625892996788025f, -0.14272186160087585f};
    static final float[] GB2 = {1.1845195293426514f, -0.15706640481948853f};
    static final float[] XA = {-1.3628935813903809f, 2.476083755493164f, -1.197945475578308f, 0.33741822838783264f, -0.6809463500976562f, 3.8974626064300537f, 2.1364262104034424f, 5.863464832305908f, 2.2838327884674072f, 2.689985513687134f, 2.681365728378296f, -0.21322306990623474f};
    static final float[] XB = {-1.210085391998291f, 3.051166534423828f, -2.18965220451355f, -0.43360140919685364f, -1.0636703968048096f, 0.8276494741439819f, -2.094726324081421f, -1.4570856094360352f, -0.2728557288646698f, -0.6909306049346924f, -3.5949182510375977f, 1.6873490810394287f};
    static final float[] XC = {-1.2984812259674072f, -1.201115608215332f, -1.2824918031692505f, 0.966972291469574f, -0.36060836911201477f, -0.9710363745689392f};
    static final float[] WL = {0.6952487826347351f, -0.197548508644104f, 0.10650008171796799f, -0.04102449491620064f, 0.9170460104942322f, -0.3654443323612213f};
    static final float[] BL = {-0.09791547060012817f, -0.49908021092414856f, -0.07981546223163605f};
    static final float[] GAMMA = {1.5f, 0.5f, -2.0f};
    static final float[] BETA = {0.10000000149011612f, -0.30000001192092896f, 0.699999988079071f};
    static final float[] DOUT = {-0.05409396067261696f, 1.338773488998413f, -0.5168941617012024f, -1.2593071460723877f, -1.8367457389831543f, -0.20476610958576202f, -0.35225701332092285f, 0.2650909125804901f, -0.4642446041107178f, -0.4786384701728821f, -0.7213157415390015f, -0.5197597742080688f, 0.1602267026901245f, -0.3803527355194092f, 0.10044185072183609f, 1.9011871814727783f, 0.47911813855171204f, -1.576089859008789f};
    static final float[] BN_OUT_A = {-1.630496859550476f, -0.20274636149406433f, 1.2328194379806519f, -1.3791234493255615f, -0.7317331433296204f, -0.8771260976791382f, -1.1141189336776733f, 0.10733593255281448f, 2.4125266075134277f, 1.2182352542877197f, 0.4380049407482147f, 3.517266035079956f, 1.5071834325790405f, -0.34183478355407715f, 0.4137778580188751f, 1.9983209371566772f, -1.0690265893936157f, -2.4992640018463135f};
    static final float[] BN_MEAN_A = {0.024643130600452423f, 0.16742749512195587f, -0.09280321002006531f};
    static final float[] BN_VAR_A = {1.0749540328979492f, 1.3260787725448608f, 0.9687346816062927f};
    static final float[] BN_OUT_B = {0.6283074617385864f, 0.47148120403289795f, 3.6872026920318604f, -0.4566044509410858f, -0.5635760426521301f, -0.2948661744594574f, 1.017472505569458f, -0.24149711430072784f, 0.8665481805801392f, -0.2388787567615509f, -0.8936348557472229f, -1.6031990051269531f, 2.251648426055908f, -0.7754855751991272f, -1.3104349374771118f, -2.6019446849823f, 0.2027123123407364f, 2.8547492027282715f};
    static final float[] BN_MEAN_B = {-0.11046339571475983f, 0.18071989715099335f, -0.12818853557109833f};
    static final float[] BN_VAR_B = {1.0337543487548828f, 1.445737361907959f, 0.9131197333335876f};
    static final float[] BN_GWL = {0.3449974060058594f, 0.6481335163116455f, -7.263511657714844f, 6.035262584686279f, 0.14085517823696136f, -2.0864739418029785f};
    static final float[] BN_GBL = {2.384185791015625e-07f, -4.470348358154297e-08f, -2.384185791015625e-07f};
    static final float[] BN_GGAMMA = {-2.8538527488708496f, 4.764756679534912f, 1.9092857837677002f};
    static final float[] BN_GBETA = {-0.08288276195526123f, -0.8554316759109497f, -3.1813125610351562f};
    static final float[] BN_OUT_C = {-1.1400519609451294f, -0.9338378310203552f, -0.030105605721473694f, -1.2548167705535889f, -0.1086503192782402f, 1.6237291097640991f, -0.19245392084121704f, -0.9231470823287964f, -0.06316172331571579f};
    static final float[] XS = {-100.0f, -20.0f, -1.0f, -0.0010000000474974513f, 0.0f, 0.0010000000474974513f, 1.0f, 20.0f, 100.0f};
    static final float[] SIGMOID = {0.0f, 2.06115369216775e-09f, 0.2689414322376251f, 0.499750018119812f, 0.5f, 0.500249981880188f, 0.7310585975646973f, 1.0f, 1.0f};
    static final float[] DSIGMOID = {0.0f, 2.06115369216775e-09f, 0.1966119408607483f, 0.24999994039535522f, 0.25f, 0.24999994039535522f, 0.1966119259595871f, 0.0f, 0.0f};
    static final float[] TANH = {-1.0f, -1.0f, -0.7615941762924194f, -0.0009999996982514858f, 0.0f, 0.0009999996982514858f, 0.7615941762924194f, 1.0f, 1.0f};
    static final float[] DTANH = {0.0f, 0.0f, 0.41997429728507996f, 0.9999989867210388f, 1.0f, 0.9999989867210388f, 0.41997429728507996f, 0.0f, 0.0f};
    static final float[] RELU = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0010000000474974513f, 1.0f, 20.0f, 100.0f};
    static final float[] DRELU = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f, 1.0f};
    static final float[] LEAKY = {-20.0f, -4.0f, -0.20000000298023224f, -0.00020000000949949026f, 0.0f, 0.0010000000474974513f, 1.0f, 20.0f, 100.0f};
    static final float[] DLEAKY = {0.20000000298023224f, 0.20000000298023224f, 0.20000000298023224f, 0.20000000298023224f, 0.20000000298023224f, 1.0f, 1.0f, 1.0f, 1.0f};

    private static void assertClose(float[] want, float[] got, float tol, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol + tol * Math.abs(want[i]), what + "[" + i + "]");
        }
    }

    private static float[] gradient(Sequential m, int i) { return m.parameters().get(i).gradient().toArray(); }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "simd"})
    void denseForwardAndBackwardMatchTorch(String backend) {
        try (Kernels k = Kernels.create(backend, 1);
             Sequential m = Sequential.builder(3).kernels(k).add(new Dense(4, Activation.tanh())).add(new Dense(2)).build();
             Matrix x = Matrix.of(5, 3, X); Matrix y = Matrix.of(5, 2, YD); Matrix d = Matrix.allocate(5, 2)) {
            m.setWeights(List.of(W1, B1, W2, B2));
            Matrix out = m.forward(x, true, 0);
            assertClose(DENSE_OUT, out.toArray(), 1e-6f, backend + " output");
            assertEquals(DENSE_LOSS, Loss.meanSquaredError().compute(k, out, y, d), 1e-6f);
            m.backward(d);
            assertClose(GW1, gradient(m, 0), 1e-6f, backend + " dW1");
            assertClose(GB1, gradient(m, 1), 1e-6f, backend + " db1");
            assertClose(GW2, gradient(m, 2), 1e-6f, backend + " dW2");
            assertClose(GB2, gradient(m, 3), 1e-6f, backend + " db2");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "simd"})
    void batchNormTrainingRunningStatisticsAndInferenceMatchTorch(String backend) {
        try (Kernels k = Kernels.create(backend, 1);
             Sequential m = Sequential.builder(2).kernels(k).add(new Dense(3)).add(new BatchNorm(0.9f, 1e-3f)).build();
             Matrix xa = Matrix.of(6, 2, XA); Matrix xb = Matrix.of(6, 2, XB); Matrix xc = Matrix.of(3, 2, XC);
             Matrix d = Matrix.of(6, 3, DOUT)) {
            m.setWeights(List.of(WL, BL, GAMMA, BETA, new float[3], new float[] {1f, 1f, 1f}));
            assertClose(BN_OUT_A, m.forward(xa, true, 0).toArray(), 2e-6f, backend + " train output A");
            assertClose(BN_MEAN_A, m.getWeights().get(4), 1e-6f, backend + " running mean A");
            assertClose(BN_VAR_A, m.getWeights().get(5), 1e-6f, backend + " running variance A");
            assertClose(BN_OUT_B, m.forward(xb, true, 1).toArray(), 2e-6f, backend + " train output B");
            assertClose(BN_MEAN_B, m.getWeights().get(4), 1e-6f, backend + " running mean B");
            assertClose(BN_VAR_B, m.getWeights().get(5), 1e-6f, backend + " running variance B");
            m.backward(d);
            // The simd kernel sums in float and dX = k·(m·d − Σd − x̂·Σd·x̂) cancels: dW[0] (0.345 among
            // entries up to 7.3) comes out 3e-6 off and db (0 exactly) 1.4e-6: a few ulps of the largest terms.
            assertClose(BN_GWL, gradient(m, 0), 5e-6f, backend + " dense dW below batch norm");
            assertClose(BN_GBL, gradient(m, 1), 5e-6f, backend + " dense db below batch norm");
            assertClose(BN_GGAMMA, gradient(m, 2), 5e-6f, backend + " dgamma");
            assertClose(BN_GBETA, gradient(m, 3), 5e-6f, backend + " dbeta");
            assertClose(BN_OUT_C, m.forward(xc, false, 0).toArray(), 2e-6f, backend + " inference output");
            assertClose(BN_OUT_C, m.predict(xc).toArray(), 2e-6f, backend + " predict");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "simd"})
    void dropoutIsInvertedWhileTrainingAndTheIdentityOtherwise(String backend) {
        int n = 2000;
        float[] ones = new float[4 * n];
        java.util.Arrays.fill(ones, 1f);
        try (Kernels k = Kernels.create(backend, 1);
             Sequential m = Sequential.builder(n).kernels(k).add(new Dropout(0.3f)).build();
             Matrix x = Matrix.of(4, n, ones); Matrix d = Matrix.of(4, n, ones)) {
            float[] out = m.forward(x, true, 3).toArray();
            int kept = 0;
            for (float v : out) {
                assertTrue(v == 0f || v == 1f / 0.7f, "dropout output " + v + " is neither 0 nor 1/(1 - rate)");
                if (v != 0f) kept++;
            }
            double fraction = kept / (double) out.length;
            assertTrue(Math.abs(fraction - 0.7) < 0.025, "kept " + fraction + ", expected about 0.7");
            m.backward(d); // the gradient is scaled by the same mask
            assertClose(out, d.toArray(), 0f, backend + " dropout backward");
            assertClose(ones, m.forward(x, false, 4).toArray(), 0f, backend + " inference");
            assertClose(ones, m.predict(x).toArray(), 0f, backend + " predict");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "simd"})
    void activationsAndTheirDerivativesMatchTorchAtExtremes(String backend) {
        assertEquals(0.2f, Activation.parse("leaky_relu").alpha()); // Keras's function default; torch's is 0.01
        Object[][] cases = {
            {dev.lanes.kernel.Activation.SIGMOID, SIGMOID, DSIGMOID, Activation.sigmoid()},
            {dev.lanes.kernel.Activation.TANH, TANH, DTANH, Activation.tanh()},
            {dev.lanes.kernel.Activation.RELU, RELU, DRELU, Activation.relu()},
            {dev.lanes.kernel.Activation.LEAKY_RELU, LEAKY, DLEAKY, Activation.leakyRelu(0.2f)}};
        float[] ones = new float[XS.length];
        java.util.Arrays.fill(ones, 1f);
        try (Kernels k = Kernels.create(backend, 1)) {
            for (Object[] c : cases) {
                var act = (dev.lanes.kernel.Activation) c[0];
                try (Matrix x = Matrix.of(1, XS.length, XS); Matrix a = Matrix.allocate(1, XS.length);
                     Matrix dA = Matrix.of(1, XS.length, ones); Matrix dZ = Matrix.allocate(1, XS.length)) {
                    k.activate(act, 0.2f, x, a);
                    assertClose((float[]) c[1], a.toArray(), 1e-7f, backend + " " + act);
                    k.activationBackward(act, 0.2f, a, dA, dZ);
                    assertClose((float[]) c[2], dZ.toArray(), 1e-7f, backend + " " + act + " derivative");
                }
                // The same function fused into the GEMM epilogue: a 1→9 Dense whose kernel row is XS.
                try (Sequential m = Sequential.builder(1).kernels(k)
                             .add(new Dense(XS.length, (Activation) c[3], Initializer.zeros(), false)).build();
                     Matrix one = Matrix.of(1, 1, 1f)) {
                    m.setWeights(List.of(XS));
                    assertClose((float[]) c[1], m.predict(one).toArray(), 1e-7f, backend + " fused " + act);
                }
            }
        }
    }
}
