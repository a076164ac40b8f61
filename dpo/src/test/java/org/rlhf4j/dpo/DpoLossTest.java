package org.rlhf4j.dpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.ops.LogSigmoid;

/**
 * Every loss against values computed by hand. Two pairs throughout:
 * pair 0: policy chosen/rejected -1/-3, reference -2/-2: margin m = 2;
 * pair 1: policy -5/-2, reference -3/-3: m = -3. beta 0.1 unless stated.
 * Identity used below: softplus(x) - softplus(-x) = x, with softplus(-x) = -logsig(x).
 */
class DpoLossTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NDArray a(float... values) {
        return manager.create(values);
    }

    private DpoLoss.Result run(DpoLoss.Type type, double beta, double labelSmoothing) {
        return DpoLoss.of(type, new SequenceLogps(a(-1, -5), a(-3, -2)), new SequenceLogps(a(-2, -3), a(-2, -3)),
                beta, labelSmoothing);
    }

    @Test
    void sigmoidIsMinusLogSigmoidOfTheScaledMargin() {
        // pair 0: -logsig(0.2) = log(1 + e^-0.2) = 0.598139; pair 1: -logsig(-0.3) = log(1 + e^0.3) = 0.854355
        assertArrayEquals(new float[] {0.598139f, 0.854355f}, run(DpoLoss.Type.SIGMOID, 0.1, 0).losses().toFloatArray(),
                1e-5f);
    }

    @Test
    void labelSmoothingMixesInTheFlippedLabel() {
        // 0.9 softplus(-x) + 0.1 softplus(x) = softplus(-x) + 0.1 x:
        // pair 0: 0.598139 + 0.02 = 0.618139; pair 1: 0.854355 - 0.03 = 0.824355
        assertArrayEquals(new float[] {0.618139f, 0.824355f},
                run(DpoLoss.Type.SIGMOID, 0.1, 0.1).losses().toFloatArray(), 1e-5f);
    }

    @Test
    void robustRemovesTheNoiseBias() {
        // (0.9 softplus(-x) - 0.1 softplus(x)) / 0.8 = softplus(-x) - 0.1 x / 0.8:
        // pair 0: 0.598139 - 0.025 = 0.573139; pair 1: 0.854355 + 0.0375 = 0.891855
        assertArrayEquals(new float[] {0.573139f, 0.891855f},
                run(DpoLoss.Type.ROBUST, 0.1, 0.1).losses().toFloatArray(), 1e-5f);
        // without smoothing it is plain DPO
        assertArrayEquals(run(DpoLoss.Type.SIGMOID, 0.1, 0).losses().toFloatArray(),
                run(DpoLoss.Type.ROBUST, 0.1, 0).losses().toFloatArray(), 1e-6f);
    }

    @Test
    void hingeIsReluOfOneMinusTheScaledMargin() {
        // relu(1 - 0.2) = 0.8, relu(1 + 0.3) = 1.3; beta 1: relu(1 - 2) = 0, relu(1 + 3) = 4
        assertArrayEquals(new float[] {0.8f, 1.3f}, run(DpoLoss.Type.HINGE, 0.1, 0).losses().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0f, 4f}, run(DpoLoss.Type.HINGE, 1, 0).losses().toFloatArray(), 1e-6f);
    }

    @Test
    void ipoRegressesTheMarginOntoOneOverTwoBeta() {
        // (2 - 5)^2 = 9, (-3 - 5)^2 = 64; beta 0.5: (2 - 1)^2 = 1, (-3 - 1)^2 = 16
        assertArrayEquals(new float[] {9f, 64f}, run(DpoLoss.Type.IPO, 0.1, 0).losses().toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {1f, 16f}, run(DpoLoss.Type.IPO, 0.5, 0).losses().toFloatArray(), 1e-5f);
    }

    @Test
    void rewardsAreBetaTimesPolicyMinusReference() {
        DpoLoss.Result r = run(DpoLoss.Type.SIGMOID, 0.1, 0);
        // chosen: 0.1 (-1 + 2) = 0.1, 0.1 (-5 + 3) = -0.2; rejected: 0.1 (-3 + 2) = -0.1, 0.1 (-2 + 3) = 0.1
        assertArrayEquals(new float[] {0.1f, -0.2f}, r.chosenRewards().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {-0.1f, 0.1f}, r.rejectedRewards().toFloatArray(), 1e-6f);
    }

    @Test
    void rpoNllIsTheChosenLogLikelihoodPerToken() {
        // -(-1 - 5) / 8 tokens = 0.75
        assertEquals(0.75f, DpoLoss.rpoNll(a(-1, -5), 8).getFloat(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> DpoLoss.rpoNll(a(-1), 0));
    }

    @Test
    void logSigmoidIsStableAtLargeArguments() {
        // logsig(100) = -log(1 + e^-100) ~ -3.7e-44 -> 0 in float32; logsig(-100) = -100 - log(1 + e^-100) = -100
        assertArrayEquals(new float[] {0f, -100f, -0.693147f}, LogSigmoid.of(a(100, -100, 0)).toFloatArray(), 1e-5f);
    }

    @Test
    void sigmoidGradientIsMinusBetaSigmoidOfMinusTheScaledMargin() {
        NDArray policyChosen = a(-1);
        policyChosen.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            DpoLoss.Result r = DpoLoss.sigmoid(policyChosen, a(-3), a(-2), a(-2), 0.1, 0);
            gc.backward(r.losses().sum());
        }
        // d/dpi_c -logsig(beta m) = -beta sigmoid(-beta m) = -0.1 / (1 + e^0.2) = -0.0450166
        assertEquals(-0.0450166f, policyChosen.getGradient().getFloat(), 1e-6f);
    }

    @Test
    void badSettingsAreRefusedWithTheKeyNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(DpoLoss.Type.SIGMOID, 0.1, 0.5));
        assertEquals("dpo.label_smoothing must be in [0, 0.5), got 0.5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> run(DpoLoss.Type.HINGE, 0, 0));
        assertEquals(DpoLoss.Type.ROBUST, DpoLoss.Type.fromName("robust"));
        assertThrows(IllegalArgumentException.class, () -> DpoLoss.Type.fromName("cpo"));
        assertThrows(IllegalArgumentException.class, () -> DpoLoss.of(DpoLoss.Type.KTO, new SequenceLogps(a(-1), a(-2)),
                null, 0.1, 0, 0));
    }

    // SimPO and ORPO read per-token average log-probs a_c, a_r and no reference (null below).

    private DpoLoss.Result referenceFree(DpoLoss.Type type, float[] chosen, float[] rejected, double beta,
            double labelSmoothing, double gamma) {
        return DpoLoss.of(type, new SequenceLogps(a(chosen), a(rejected)), null, beta, labelSmoothing, gamma);
    }

    @Test
    void simpoIsMinusLogSigmoidOfTheScaledAverageMarginMinusGamma() {
        // beta 2, gamma 1; pair 0: a -0.5/-1.5, z = 2 * 1 - 1 = 1, log(1 + e^-1) = 0.313262;
        // pair 1: a -1/-0.75, z = 2 * -0.25 - 1 = -1.5, log(1 + e^1.5) = 1.701413
        DpoLoss.Result r = referenceFree(DpoLoss.Type.SIMPO, new float[] {-0.5f, -1f}, new float[] {-1.5f, -0.75f}, 2,
                0, 1);
        assertArrayEquals(new float[] {0.313262f, 1.701413f}, r.losses().toFloatArray(), 1e-5f);
        // rewards beta a: 2 * -0.5, 2 * -1; 2 * -1.5, 2 * -0.75
        assertArrayEquals(new float[] {-1f, -2f}, r.chosenRewards().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {-3f, -1.5f}, r.rejectedRewards().toFloatArray(), 1e-6f);
        // label smoothing 0.1: softplus(-z) + 0.1 z = 0.313262 + 0.1 = 0.413262
        assertEquals(0.413262f, referenceFree(DpoLoss.Type.SIMPO, new float[] {-0.5f}, new float[] {-1.5f}, 2, 0.1, 1)
                .losses().getFloat(), 1e-5f);
    }

    @Test
    void simpoTiesCostTheMarginAndLengthOneResponsesNeedNoAveraging() {
        // a_c = a_r (a tie, e.g. two length-1 responses with equal log-probs): z = -gamma;
        // gamma 1: log(1 + e) = 1.313262; gamma 0: log 2 = 0.693147
        assertEquals(1.313262f, referenceFree(DpoLoss.Type.SIMPO, new float[] {-2f}, new float[] {-2f}, 2, 0, 1)
                .losses().getFloat(), 1e-5f);
        assertEquals(0.693147f, referenceFree(DpoLoss.Type.SIMPO, new float[] {-2f}, new float[] {-2f}, 2, 0, 0)
                .losses().getFloat(), 1e-5f);
        assertThrows(IllegalArgumentException.class,
                () -> referenceFree(DpoLoss.Type.SIMPO, new float[] {-2f}, new float[] {-2f}, 2, 0, -1));
    }

    @Test
    void simpoGradientIsMinusBetaSigmoidOfMinusZ() {
        NDArray chosen = a(-0.5f);
        chosen.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(DpoLoss.simpo(chosen, a(-1.5f), 2, 1, 0).losses().sum());
        }
        // d/da_c -logsig(z) = -beta sigmoid(-z) = -2 / (1 + e) = -0.537883
        assertEquals(-0.537883f, chosen.getGradient().getFloat(), 1e-5f);
    }

    @Test
    void orpoIsLambdaTimesMinusLogSigmoidOfTheLogOddsRatio() {
        // log odds(a) = a - log(1 - e^a): a = -0.2: -0.2 - log(0.181269) = 1.507834; a = -1: -1 - log(0.632121) = -0.541262
        // pair 0 (a -0.2/-1): L = 2.049097, 0.1 log(1 + e^-L) = 0.012120
        // pair 1 (a -1/-0.2): L = -2.049097, 0.1 log(1 + e^L) = 0.217030
        // pair 2 (a tie -0.5/-0.5): L = 0, 0.1 log 2 = 0.069315
        DpoLoss.Result r = referenceFree(DpoLoss.Type.ORPO, new float[] {-0.2f, -1f, -0.5f},
                new float[] {-1f, -0.2f, -0.5f}, 0.1, 0, 0);
        assertArrayEquals(new float[] {0.012120f, 0.217030f, 0.069315f}, r.losses().toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {2.049097f, -2.049097f, 0f},
                DpoLoss.logOddsRatio(a(-0.2f, -1f, -0.5f), a(-1f, -0.2f, -0.5f)).toFloatArray(), 1e-5f);
        // rewards beta a
        assertArrayEquals(new float[] {-0.02f, -0.1f, -0.05f}, r.chosenRewards().toFloatArray(), 1e-6f);
        // the logged means (TRL's names): log_odds_chosen = mean L = 0, log_odds_ratio = mean logsig(L) =
        // -(0.121201 + 2.170297 + 0.693147) / 3 = -0.994882
        PairMetrics metrics = new PairMetrics(DpoLoss.Type.ORPO);
        metrics.add(new float[3], new float[3], new float[] {-0.2f, -1f, -0.5f}, new float[] {-1f, -0.2f, -0.5f});
        var logged = metrics.drain("");
        assertEquals(0.0, logged.get("log_odds_chosen"), 1e-6);
        assertEquals(-0.994882, logged.get("log_odds_ratio"), 1e-6);
    }

    @Test
    void orpoGradientStaysFiniteAsTheChosenLogProbApproachesZero() {
        // d/da_c = -beta sigmoid(-L) / (1 - e^a_c), d/da_r = beta sigmoid(-L) / (1 - e^a_r);
        // a_c = -0.2, a_r = -1: L = 2.049097: -0.0629691 and 0.0180573
        // a_c = -1e-5 (p = 0.99999 per token): L = 12.054245: -0.0581979 and 9.20673e-7
        float[][] expected = {{-0.0629691f, 0.0180573f}, {-0.0581979f, 9.20673e-7f}};
        float[] chosenValues = {-0.2f, -1e-5f};
        for (int i = 0; i < 2; i++) {
            float[] grads = orpoGradients(chosenValues[i], -1f);
            assertEquals(expected[i][0], grads[0], Math.abs(expected[i][0]) * 1e-3f);
            assertEquals(expected[i][1], grads[1], Math.abs(expected[i][1]) * 1e-3f);
        }
        // a_c = 0 exactly (float32 log-softmax rounds a certain token to 0): clamped at -1e-6, finite, not NaN
        float[] atZero = orpoGradients(0f, -1f);
        assertEquals(0f, atZero[0], 1e-6f);
        assertEquals(9.2067e-8f, atZero[1], 1e-9f);
        // loss 0.1 log(1 + e^-14.356835) = 5.8198e-8 (float32 log(1 + x) is within 3e-9 of it)
        assertEquals(5.8198e-8f, DpoLoss.orpo(a(0f), a(-1f), 0.1).losses().getFloat(), 3e-9f);
    }

    private float[] orpoGradients(float chosenValue, float rejectedValue) {
        NDArray chosen = a(chosenValue);
        NDArray rejected = a(rejectedValue);
        chosen.setRequiresGradient(true);
        rejected.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(DpoLoss.orpo(chosen, rejected, 0.1).losses().sum());
        }
        return new float[] {chosen.getGradient().getFloat(), rejected.getGradient().getFloat()};
    }

    @Test
    void log1mExpIsAccurateNearZeroAndFarFromIt() {
        // log(-expm1(x)) in double precision (Python math): -11.512930, -6.908255, -0.932752, -0.693147, -0.006761, ~0
        float[] got = Log1mExp.of(a(-1e-5f, -1e-3f, -0.5f, -0.6931472f, -5f, -30f)).toFloatArray();
        float[] want = {-11.512930f, -6.908255f, -0.932752f, -0.693147f, -0.00676075f, 0f};
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], Math.max(1e-6f, Math.abs(want[i]) * 2e-5f), "x index " + i);
        }
    }
}
