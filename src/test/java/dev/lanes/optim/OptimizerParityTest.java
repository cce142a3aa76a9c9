package dev.lanes.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Dense;
import dev.lanes.nn.Initializer;
import dev.lanes.nn.Parameter;
import dev.lanes.nn.Regularizer;
import dev.lanes.nn.Sequential;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimizer against {@code torch.optim} (torch 2.13, float32): a 2×5 kernel and a 5-unit bias,
 * four steps from the gradients below, without and with L2 and global-norm clipping, on both
 * backends. Lanes' {@code l2(0.2)} at batch 4 is torch's {@code weight_decay=0.05} on the kernel only;
 * Lanes' {@code clipNorm(1)} is {@code torch.nn.utils.clip_grad_norm_([w, b], 1.0)} before each step.
 * Torch's settings: SGD lr 0.1 (momentum 0.9, nesterov); Adagrad lr 0.1, eps 1e-7 (Lanes' default ε;
 * torch's is 1e-10); RMSprop lr 0.01, alpha 0.9, eps 1e-7 (Lanes' defaults; torch's are 0.99, 1e-8);
 * Adam lr 0.01; AdamW lr 0.01, weight_decay 0.004 on the kernel, 0 on the bias (Lanes' default and
 * customs), with Lanes' coupled L2 added to the kernel's gradient by hand before {@code step()}.
 *
 * <p>The numbers come from this script (numpy's {@code default_rng(7)}):
 * <pre>
 * W0 = g.uniform(-1, 1, (2, 5)); B0 = g.uniform(-1, 1, (5,))
 * GW = g.normal(0, 1.5, (4, 2, 5)); GB = g.normal(0, 1.5, (4, 5))     # all float32
 * w = torch.tensor(W0, requires_grad=True); b = torch.tensor(B0, requires_grad=True)
 * opt = torch.optim.SGD([{"params": [w], "weight_decay": wd}, {"params": [b]}], lr=0.1)   # etc.
 * for s in range(4):
 *     w.grad = torch.tensor(GW[s]); b.grad = torch.tensor(GB[s])
 *     if clip: torch.nn.utils.clip_grad_norm_([w, b], 1.0)
 *     if adamw and wd: w.grad += wd * w.detach()
 *     opt.step()
 * </pre>
 * Agreement is to float rounding (torch's clip_grad_norm_ divides by norm + 1e-6, Lanes by the norm,
 * as Keras's global_clipnorm does; Adam's bias corrections are applied in a different order).
 */
class OptimizerParityTest {
    static final float[] W0 = {0.25019094347953796f, 0.7944275736808777f, 0.5513713955879211f, -0.5495856404304504f, -0.3996674418449402f, 0.7471069097518921f, -0.9894694089889526f, 0.6424568295478821f, 0.5941388607025146f, -0.06413009762763977f};
    static final float[] B0 = {-0.3939351439476013f, -0.44314876198768616f, -0.4902608394622803f, -0.10984738916158676f, 0.009096518158912659f};
    static final float[][] GW = {{1.0429548025131226f, -2.016321897506714f, -0.686423659324646f, -2.8518340587615967f, -1.9343066215515137f, -2.7626025676727295f, -0.3526366949081421f, -1.901169776916504f, 0.40689653158187866f, 0.23512662947177887f}, {-0.280396431684494f, -3.775139570236206f, -0.8080393671989441f, -0.07275141775608063f, 0.16996347904205322f, -2.295203685760498f, -0.7166299223899841f, -1.4677785634994507f, -1.2132558822631836f, 1.5913479328155518f}, {-1.2113020420074463f, -0.048782557249069214f, 1.326584815979004f, -0.8754006624221802f, -0.1675529181957245f, 0.16569621860980988f, 0.09567265957593918f, -1.8375837802886963f, 0.114210344851017f, 2.0382351875305176f}, {-2.3207170963287354f, 1.2890740633010864f, 0.17903104424476624f, -0.9622055888175964f, 3.000624895095825f, 1.1433895826339722f, -1.7989333868026733f, 0.11177434027194977f, 0.8650344014167786f, -0.28317317366600037f}};
    static final float[][] GB = {{1.0243654251098633f, -0.09977597743272781f, 1.0008713006973267f, 2.1577839851379395f, -1.0134934186935425f}, {0.30470791459083557f, -0.6949613690376282f, 0.19090262055397034f, -1.7807917594909668f, -0.8689523935317993f}, {-0.29429396986961365f, 1.348145842552185f, 1.7178330421447754f, -1.9852917194366455f, -1.19196355342865f}, {0.9703551530838013f, -2.9886295795440674f, -0.6947547793388367f, -0.14593039453029633f, 1.885522484779358f}};

    static Stream<Arguments> cases() {
        return Stream.of(
            Arguments.of("sgd", false, false, new float[] {0.527137041091919f, 1.249544620513916f, 0.5502561330795288f, -0.07336648553609848f, -0.5065403580665588f, 1.1219788789749146f, -0.7122166752815247f, 1.151932716369629f, 0.5768503546714783f, -0.42228373885154724f}, new float[] {-0.5944485664367676f, -0.19962665438652039f, -0.7117460370063782f, 0.06557561457157135f, 0.12798522412776947f}),
            Arguments.of("sgd", false, true, new float[] {0.30243751406669617f, 0.8745735883712769f, 0.5457109212875366f, -0.46659621596336365f, -0.4170234501361847f, 0.8110047578811646f, -0.9430906176567078f, 0.7374178767204285f, 0.5922556519508362f, -0.1352936327457428f}, new float[] {-0.4260426461696625f, -0.4083949327468872f, -0.535399854183197f, -0.06874938309192657f, 0.035511281341314316f}),
            Arguments.of("sgd", true, false, new float[] {0.5228418707847595f, 1.2269753217697144f, 0.5381438732147217f, -0.06722357869148254f, -0.5014079213142395f, 1.1008187532424927f, -0.6937685012817383f, 1.1339590549468994f, 0.5645105838775635f, -0.4180533289909363f}, new float[] {-0.5944485664367676f, -0.19962665438652039f, -0.7117460370063782f, 0.06557561457157135f, 0.12798522412776947f}),
            Arguments.of("sgd", true, true, new float[] {0.2975481152534485f, 0.8576317429542542f, 0.5345954895019531f, -0.45649462938308716f, -0.40955328941345215f, 0.7951047420501709f, -0.9236530065536499f, 0.723739743232727f, 0.5803583860397339f, -0.13346178829669952f}, new float[] {-0.4260426461696625f, -0.4083949327468872f, -0.535399854183197f, -0.06874938309192657f, 0.035511281341314316f}),
            Arguments.of("momentum", false, false, new float[] {0.4297253489494324f, 2.3912649154663086f, 0.7364569306373596f, 0.713422417640686f, -0.048746928572654724f, 2.173344850540161f, -0.5122754573822021f, 2.0320005416870117f, 0.6747960448265076f, -0.9351928234100342f}, new float[] {-0.8699098825454712f, -0.17778600752353668f, -1.1431077718734741f, 0.022483760491013527f, 0.6310438513755798f}),
            Arguments.of("momentum", false, true, new float[] {0.292405366897583f, 1.071569800376892f, 0.5723583698272705f, -0.33290809392929077f, -0.34124067425727844f, 0.9887662529945374f, -0.9089270830154419f, 0.893945574760437f, 0.610670804977417f, -0.2324994057416916f}, new float[] {-0.47082287073135376f, -0.4091837406158447f, -0.6145344972610474f, -0.06295453757047653f, 0.12568150460720062f}),
            Arguments.of("momentum", true, false, new float[] {0.4220481216907501f, 2.339332103729248f, 0.7077409029006958f, 0.7246875762939453f, -0.03926895931363106f, 2.123093366622925f, -0.4707472324371338f, 1.9908936023712158f, 0.6477054953575134f, -0.9272163510322571f}, new float[] {-0.8699098825454712f, -0.17778600752353668f, -1.1431077718734741f, 0.022483760491013527f, 0.6310438513755798f}),
            Arguments.of("momentum", true, true, new float[] {0.28172075748443604f, 1.0331228971481323f, 0.5469614863395691f, -0.3104647994041443f, -0.32469046115875244f, 0.9524141550064087f, -0.8649934530258179f, 0.8629964590072632f, 0.5838977098464966f, -0.22868940234184265f}, new float[] {-0.47082287073135376f, -0.4091837406158447f, -0.6145344972610474f, -0.06295453757047653f, 0.12568150460720062f}),
            Arguments.of("nesterov", false, false, new float[] {0.6887179613113403f, 2.6866981983184814f, 0.7168330550193787f, 1.0633407831192017f, -0.1907118707895279f, 2.405592918395996f, -0.28274205327033997f, 2.402522087097168f, 0.6494418382644653f, -1.206240177154541f}, new float[] {-1.0228259563446045f, 0.03919979929924011f, -1.2993083000183105f, 0.18467362225055695f, 0.687737762928009f}),
            Arguments.of("nesterov", false, true, new float[] {0.34043049812316895f, 1.124001383781433f, 0.5645992159843445f, -0.27158644795417786f, -0.3644393980503082f, 1.0284982919692993f, -0.8706026077270508f, 0.9637578129768372f, 0.6071344614028931f, -0.2868260145187378f}, new float[] {-0.49524158239364624f, -0.3778264820575714f, -0.6472461819648743f, -0.026545802131295204f, 0.1404377669095993f}),
            Arguments.of("nesterov", true, false, new float[] {0.6806826591491699f, 2.599245071411133f, 0.6751163601875305f, 1.0653917789459229f, -0.18581536412239075f, 2.3213932514190674f, -0.23058366775512695f, 2.3339462280273438f, 0.6119754314422607f, -1.1881728172302246f}, new float[] {-1.0228259563446045f, 0.03919979929924011f, -1.2993083000183105f, 0.18467362225055695f, 0.687737762928009f}),
            Arguments.of("nesterov", true, true, new float[] {0.32646915316581726f, 1.0696042776107788f, 0.5302179455757141f, -0.2438504993915558f, -0.34365129470825195f, 0.9771239757537842f, -0.8125730752944946f, 0.9200695157051086f, 0.5711790919303894f, -0.280351459980011f}, new float[] {-0.49524158239364624f, -0.3778264820575714f, -0.6472461819648743f, -0.026545802131295204f, 0.1404377669095993f}),
            Arguments.of("adagrad", false, false, new float[] {0.3327450752258301f, 0.9549363255500793f, 0.6389837265014648f, -0.3870105445384979f, -0.3836861550807953f, 0.8760970234870911f, -0.7203487753868103f, 0.8606374859809875f, 0.5242085456848145f, -0.3307124078273773f}, new float[] {-0.5617641806602478f, -0.2437230795621872f, -0.6621510982513428f, -0.08407486230134964f, 0.16825783252716064f}),
            Arguments.of("adagrad", false, true, new float[] {0.3378041088581085f, 0.9580668807029724f, 0.6372066140174866f, -0.3797101676464081f, -0.38194960355758667f, 0.8785874247550964f, -0.7225674986839294f, 0.8726779222488403f, 0.5255818963050842f, -0.33785951137542725f}, new float[] {-0.5560896396636963f, -0.251341849565506f, -0.673974871635437f, -0.07291286438703537f, 0.18420109152793884f}),
            Arguments.of("adagrad", true, false, new float[] {0.3311103582382202f, 0.9525649547576904f, 0.6351144909858704f, -0.38555464148521423f, -0.38176387548446655f, 0.873044490814209f, -0.7169609665870667f, 0.8587050437927246f, 0.5193106532096863f, -0.32998237013816833f}, new float[] {-0.5617641806602478f, -0.2437230795621872f, -0.6621510982513428f, -0.08407486230134964f, 0.16825783252716064f}),
            Arguments.of("adagrad", true, true, new float[] {0.3288993835449219f, 0.9440543055534363f, 0.6217480301856995f, -0.3721882700920105f, -0.370849072933197f, 0.8600777387619019f, -0.7093464732170105f, 0.8626337647438049f, 0.49786433577537537f, -0.3343089520931244f}, new float[] {-0.5560896396636963f, -0.251341849565506f, -0.673974871635437f, -0.07291286438703537f, 0.18420109152793884f}),
            Arguments.of("rmsprop", false, false, new float[] {0.2785036861896515f, 0.844506025314331f, 0.578633725643158f, -0.4958333969116211f, -0.39559078216552734f, 0.787158191204071f, -0.9038199782371521f, 0.7129825949668884f, 0.5706745386123657f, -0.14870961010456085f}, new float[] {-0.4483063220977783f, -0.3800101578235626f, -0.5448740720748901f, -0.09990722686052322f, 0.05997711792588234f}),
            Arguments.of("rmsprop", false, true, new float[] {0.27992621064186096f, 0.8455199003219604f, 0.5782557725906372f, -0.4934289753437042f, -0.39495861530303955f, 0.7879452705383301f, -0.9045544266700745f, 0.7167081236839294f, 0.5710721611976624f, -0.1509348452091217f}, new float[] {-0.44634076952934265f, -0.38225340843200684f, -0.5485936999320984f, -0.09649587422609329f, 0.06489858776330948f}),
            Arguments.of("rmsprop", true, false, new float[] {0.27790361642837524f, 0.843800961971283f, 0.5775737166404724f, -0.4952280819416046f, -0.39484328031539917f, 0.7862340211868286f, -0.9022842645645142f, 0.7124670147895813f, 0.5690362453460693f, -0.14860738813877106f}, new float[] {-0.4483063220977783f, -0.3800101578235626f, -0.5448740720748901f, -0.09990722686052322f, 0.05997711792588234f}),
            Arguments.of("rmsprop", true, true, new float[] {0.2766459882259369f, 0.841373860836029f, 0.5740723013877869f, -0.49027568101882935f, -0.39063143730163574f, 0.782378077507019f, -0.8983867764472961f, 0.7141169905662537f, 0.5616829991340637f, -0.15044757723808289f}, new float[] {-0.44634076952934265f, -0.38225340843200684f, -0.5485936999320984f, -0.09649587422609329f, 0.06489858776330948f}),
            Arguments.of("adam", false, false, new float[] {0.24399754405021667f, 0.8260055184364319f, 0.5704750418663025f, -0.5185161828994751f, -0.3810189664363861f, 0.778353214263916f, -0.95567786693573f, 0.680152416229248f, 0.5912314653396606f, -0.09818416833877563f}, new float[] {-0.4238576292991638f, -0.4233497977256775f, -0.5216492414474487f, -0.11379466950893402f, 0.04041667655110359f}),
            Arguments.of("adam", false, true, new float[] {0.24541842937469482f, 0.8259487748146057f, 0.5686967372894287f, -0.5178871750831604f, -0.3809332847595215f, 0.778382420539856f, -0.9560516476631165f, 0.6802759170532227f, 0.5916650891304016f, -0.09796080738306046f}, new float[] {-0.4231303930282593f, -0.42477014660835266f, -0.5217555165290833f, -0.11197679489850998f, 0.04102509841322899f}),
            Arguments.of("adam", true, false, new float[] {0.24368970096111298f, 0.8257846236228943f, 0.569857656955719f, -0.5183008909225464f, -0.3807090222835541f, 0.7781059741973877f, -0.9548813104629517f, 0.6800687313079834f, 0.5902299284934998f, -0.09815356135368347f}, new float[] {-0.4238576292991638f, -0.4233497977256775f, -0.5216492414474487f, -0.11379466950893402f, 0.04041667655110359f}),
            Arguments.of("adam", true, true, new float[] {0.24374127388000488f, 0.8245769143104553f, 0.5657058358192444f, -0.5167813897132874f, -0.37914127111434937f, 0.7768163084983826f, -0.9527091979980469f, 0.679779589176178f, 0.5857901573181152f, -0.09779517352581024f}, new float[] {-0.4231303930282593f, -0.42477014660835266f, -0.5217555165290833f, -0.11197679489850998f, 0.04102509841322899f}),
            Arguments.of("adamw", false, false, new float[] {0.243958979845047f, 0.8258761763572693f, 0.5703848600387573f, -0.5184302926063538f, -0.3809569180011749f, 0.7782313823699951f, -0.955521821975708f, 0.6800472736358643f, 0.5911371111869812f, -0.09817168116569519f}, new float[] {-0.4238576292991638f, -0.4233497977256775f, -0.5216492414474487f, -0.11379466950893402f, 0.04041667655110359f}),
            Arguments.of("adamw", false, true, new float[] {0.24537980556488037f, 0.8258194327354431f, 0.5686065554618835f, -0.5178013443946838f, -0.3808712363243103f, 0.7782605886459351f, -0.9558956027030945f, 0.6801707744598389f, 0.5915706753730774f, -0.0979483351111412f}, new float[] {-0.4231303930282593f, -0.42477014660835266f, -0.5217555165290833f, -0.11197679489850998f, 0.04102509841322899f}),
            Arguments.of("adamw", true, false, new float[] {0.24365118145942688f, 0.8256552815437317f, 0.5697675347328186f, -0.5182150602340698f, -0.38064703345298767f, 0.7779842019081116f, -0.9547253251075745f, 0.6799635887145996f, 0.5901356339454651f, -0.09814107418060303f}, new float[] {-0.4238576292991638f, -0.4233497977256775f, -0.5216492414474487f, -0.11379466950893402f, 0.04041667655110359f}),
            Arguments.of("adamw", true, true, new float[] {0.24370279908180237f, 0.8244476914405823f, 0.5656158924102783f, -0.5166956186294556f, -0.3790794312953949f, 0.7766947150230408f, -0.9525533318519592f, 0.679674506187439f, 0.5856962203979492f, -0.09778270870447159f}, new float[] {-0.4231303930282593f, -0.42477014660835266f, -0.5217555165290833f, -0.11197679489850998f, 0.04102509841322899f})
        );
    }

    private static Optimizer optimizer(String name) {
        return switch (name) {
            case "sgd" -> new Sgd(0.1f);
            case "momentum" -> Sgd.momentum(0.1f, 0.9f);
            case "nesterov" -> Sgd.nesterov(0.1f, 0.9f);
            case "adagrad" -> new Adagrad(0.1f);
            case "rmsprop" -> new RmsProp(0.01f);
            case "adam" -> new Adam(0.01f);
            case "adamw" -> new AdamW(0.01f);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0} l2={1} clip={2}")
    @MethodSource("cases")
    void fourStepsMatchTorch(String name, boolean l2, boolean clip, float[] wantKernel, float[] wantBias) {
        for (String backend : new String[] {"loop", "simd"}) {
            try (Kernels kernels = Kernels.create(backend, 1);
                 Sequential m = Sequential.builder(2).kernels(kernels)
                         .add(new Dense(5, Activation.linear(), Initializer.zeros(), true)
                                 .regularizer(l2 ? Regularizer.l2(0.2f) : Regularizer.NONE)).build();
                 Optimizer opt = optimizer(name)) {
                m.setWeights(List.of(W0.clone(), B0.clone()));
                if (clip) opt.clipNorm(1f);
                opt.bind(m.parameters(), kernels);
                List<Parameter> ps = m.parameters();
                for (int s = 0; s < 4; s++) {
                    ps.get(0).gradient().copyFrom(GW[s]);
                    ps.get(1).gradient().copyFrom(GB[s]);
                    opt.step(4);
                }
                assertClose(wantKernel, m.getWeights().get(0), backend + " kernel");
                assertClose(wantBias, m.getWeights().get(1), backend + " bias");
            }
        }
    }

    static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 2e-6f + 2e-6f * Math.abs(want[i]), what + "[" + i + "]");
        }
    }

    /** The schedules' documented formulas, which match torch's per-epoch schedulers (ExponentialLR, StepLR). */
    @Test
    void schedulesFollowTheirFormulas() {
        // torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5): 0.1, 0.05, 0.025, 0.0125
        LearningRateSchedule exp = LearningRateSchedule.exponential(0.1f, 0.5f);
        assertEquals(0.1f, exp.rate(0), 0f);
        assertEquals(0.0125f, exp.rate(3), 1e-9f);
        // StepLR(opt, step_size=2, gamma=0.1): epochs 0,1 -> 0.1; 2,3 -> 0.01; 4 -> 0.001
        LearningRateSchedule step = LearningRateSchedule.step(0.1f, 0.1f, 2);
        assertEquals(0.1f, step.rate(1), 0f);
        assertEquals(0.01f, step.rate(2), 1e-9f);
        assertEquals(0.01f, step.rate(3), 1e-9f);
        assertEquals(0.001f, step.rate(4), 1e-10f);
        // Keras InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5) at step 4: 0.1 / (1 + 0.5·4) = 0.0333…
        assertEquals(0.1f / 3f, LearningRateSchedule.inverseTimeDecay(0.1f, 0.5f).rate(4), 1e-9f);
        // α0·k/√(epoch+1): 0.1·2/√4 = 0.1 at epoch 3
        assertEquals(0.1f, LearningRateSchedule.inverseSqrt(0.1f, 2f).rate(3), 1e-9f);
        // The optimizer takes the epoch's rate at beginEpoch.
        Sgd sgd = new Sgd(LearningRateSchedule.exponential(0.1f, 0.5f));
        assertEquals(0.1f, sgd.learningRate(), 0f);
        sgd.beginEpoch(2);
        assertEquals(0.025f, sgd.learningRate(), 1e-9f);
        sgd.close();
    }

    /** Cosine decay and linear warm-up against torch's per-epoch schedulers, values printed by torch 2.13. */
    @Test
    void cosineDecayAndWarmupMatchTorchsSchedulers() {
        // CosineAnnealingLR(SGD(lr=0.1), T_max=4, eta_min=0.01), epochs 0-4.
        double[] cosine = {0.1, 0.08681980515339464, 0.05500000000000001, 0.023180194846605363, 0.01};
        LearningRateSchedule c = LearningRateSchedule.cosine(0.1f, 4, 0.1f);
        for (int e = 0; e < cosine.length; e++) assertEquals(cosine[e], c.rate(e), 1e-8, "epoch " + e);
        // Past T it stays at the floor, as Keras's CosineDecay does (torch's would climb again).
        assertEquals(0.01, c.rate(9), 1e-8);
        // SequentialLR([LinearLR(start_factor=1/3, total_iters=2), CosineAnnealingLR(T_max=3)], milestones=[2]).
        double[] warm = {0.03333333333333333, 0.06666666666666667, 0.1, 0.07500000000000001, 0.025000000000000015, 0.0};
        LearningRateSchedule w = LearningRateSchedule.warmup(2, LearningRateSchedule.cosine(0.1f, 3, 0f));
        for (int e = 0; e < warm.length; e++) assertEquals(warm[e], w.rate(e), 1e-8, "epoch " + e);
        assertEquals("warmup(2, then cosine(0.1, epochs=3, alpha=0.0))", w.toString());
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.cosine(0.1f, 0, 0f));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.cosine(0.1f, 3, 1.5f));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.warmup(0, c));
    }
}
