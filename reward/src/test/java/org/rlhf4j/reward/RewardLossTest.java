package org.rlhf4j.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.ops.LogSigmoid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.PreferencePair;

/** The reward losses against values computed by hand, and the margin sources. */
class RewardLossTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NDArray of(float... values) {
        return manager.create(values);
    }

    @Test
    void rankingWithoutMargin() {
        // r_c - r_r = [1, -1]: -log sigmoid(1) = log(1 + e^-1) = 0.3132617, -log sigmoid(-1) = 1.3132617
        RewardLoss.Result out = RewardLoss.ranking(of(1, 0), of(0, 1), of(0, 0), 0, 2);
        assertArrayEquals(new float[] {0.3132617f, 1.3132617f}, out.perPair().toFloatArray(), 1e-6f);
        assertEquals((0.3132617 + 1.3132617) / 2, out.loss().getFloat(), 1e-6); // 0.8132617
    }

    @Test
    void rankingWithMarginsFromTheDegreeTableAndAnExplicitMargin() {
        // pair 0 "significantly_better" -> m = 1: -log sigmoid(1 - 1) = log 2 = 0.6931472
        // pair 1 explicit margin 2/3 -> -log sigmoid(-1 - 2/3) = log(1 + e^(5/3)) = 1.8396747
        RmOptions options = RmOptions.defaults();
        float m0 = (float) options.marginOf(pair("significantly_better", null));
        float m1 = (float) options.marginOf(pair("negligibly_better", 2.0 / 3.0)); // explicit wins in auto
        assertEquals(1f, m0);
        assertEquals(2f / 3f, m1, 1e-7f);
        RewardLoss.Result out = RewardLoss.ranking(of(1, 0), of(0, 1), of(m0, m1), 0, 2);
        assertArrayEquals(new float[] {0.6931472f, 1.8396747f}, out.perPair().toFloatArray(), 1e-6f);
        assertEquals(1.2664109, out.loss().getFloat(), 1e-6); // (0.6931472 + 1.8396747) / 2
    }

    @Test
    void marginSources() {
        PreferencePair both = pair("better", 3.0);
        PreferencePair degreeOnly = pair("slightly_better", null);
        PreferencePair neither = pair(null, null);
        RmOptions auto = RmOptions.defaults();
        assertEquals(3.0, auto.marginOf(both));
        assertEquals(1.0 / 3.0, auto.marginOf(degreeOnly), 1e-12);
        assertEquals(0.0, auto.marginOf(neither));
        RmOptions degree = options("degree", Map.of("better", 2.0));
        assertEquals(2.0, degree.marginOf(both)); // the table, with better overridden to 2
        assertEquals(1.0 / 3.0, degree.marginOf(degreeOnly), 1e-12); // an entry not overridden keeps Llama 2's
        RmOptions explicit = options("explicit", null);
        assertEquals(3.0, explicit.marginOf(both));
        assertEquals(0.0, explicit.marginOf(degreeOnly));
        assertEquals(0.0, options("none", null).marginOf(both));
    }

    @Test
    void centeringAddsTheSquaredSumOfThePairsScores() {
        // r_c = [2, -1], r_r = [0.5, 0.5], c = 0.1:
        // pair 0: -log sigmoid(1.5) = 0.2014133, + 0.1 * 2.5^2 = 0.625 -> 0.8264133
        // pair 1: -log sigmoid(-1.5) = 1.7014133, + 0.1 * (-0.5)^2 = 0.025 -> 1.7264133
        RewardLoss.Result out = RewardLoss.ranking(of(2, -1), of(0.5f, 0.5f), of(0, 0), 0.1, 2);
        assertArrayEquals(new float[] {0.8264133f, 1.7264133f}, out.perPair().toFloatArray(), 1e-6f);
        assertEquals(1.2764133, out.loss().getFloat(), 1e-6);
    }

    @Test
    void focalWithBarrier() {
        // pair 0: r_c = 1, r_r = 0: P = sigmoid(1) = 0.7310586 > 1/2, w = (1 - 2 * 0.2310586)^2 = 0.2893180,
        //   -w log P = 0.2893180 * 0.3132617 = 0.0906322;
        //   barrier -0.01 [log 4 + log 6 + log 5 + log 5] = -0.01 * 6.3969297 = -0.0639693 -> 0.0266629
        // pair 1: r_c = 0, r_r = 1: P = sigmoid(-1) = 0.2689414 < 1/2, so w = 1:
        //   -log P = 1.3132617; same barrier -0.0639693 -> 1.2492924
        RewardLoss.Result out = RewardLoss.focal(of(1, 0), of(0, 1), 2, 0.01, 5, 2);
        assertArrayEquals(new float[] {0.0266629f, 1.2492924f}, out.perPair().toFloatArray(), 1e-6f);
        assertEquals((0.0266629 + 1.2492924) / 2, out.loss().getFloat(), 1e-6);
        // without the barrier, P < 1/2 is the plain logistic loss
        RewardLoss.Result plain = RewardLoss.focal(of(0), of(1), 2, 0, 5, 1);
        assertEquals(1.3132617f, plain.perPair().getFloat(0), 1e-6f);
    }

    @Test
    void focalStaysFiniteBeyondTheBound() {
        RewardLoss.Result out = RewardLoss.focal(of(7), of(-6), 2, 0.01, 5, 1);
        float value = out.loss().getFloat();
        assertTrue(Float.isFinite(value) && value > 0.1f, "large finite barrier loss, got " + value);
    }

    @Test
    void rankingGradientIsTheLogisticResidualOverTheNormaliser() {
        // d/dr_c [-log sigmoid(r_c - r_r)] = -(1 - sigmoid(r_c - r_r)); at r_c - r_r = 1: -0.2689414, / N = 4
        NDArray chosen = of(1f);
        NDArray rejected = of(0f);
        chosen.setRequiresGradient(true);
        rejected.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(RewardLoss.ranking(chosen, rejected, of(0f), 0, 4).loss());
        }
        assertEquals(-0.2689414f / 4, chosen.getGradient().getFloat(0), 1e-7f);
        assertEquals(0.2689414f / 4, rejected.getGradient().getFloat(0), 1e-7f);
    }

    @Test
    void negLogSigmoidIsStableForLargeArguments() {
        // -log sigmoid(-100) = 100 (to float precision); -log sigmoid(100) = e^-100 ~ 0
        assertArrayEquals(new float[] {100f, 0f}, LogSigmoid.negative(of(-100, 100)).toFloatArray(), 1e-5f);
    }

    private static PreferencePair pair(String preference, Double margin) {
        return new PreferencePair(List.of(ChatMessage.user("q")), "a", "b", preference, margin, null, "test:1");
    }

    private static RmOptions options(String margin, Map<String, Double> table) {
        return new RmOptions(null, margin, table, null, null, null, null, null, null);
    }
}
