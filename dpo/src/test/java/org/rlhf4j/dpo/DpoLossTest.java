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
        assertThrows(IllegalArgumentException.class, () -> DpoLoss.Type.fromName("kto"));
    }
}
