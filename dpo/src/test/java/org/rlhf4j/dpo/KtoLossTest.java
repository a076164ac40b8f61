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

/**
 * KTO against values computed by hand. Three examples throughout: policy -1/-4/-2, reference
 * -2/-3/-2, so r = log pi - log ref = 1/-1/0; beta 0.1.
 */
class KtoLossTest {

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

    private KtoLoss.Result run(float[] desirable, double z0, double desirableWeight, double undesirableWeight) {
        return KtoLoss.of(a(-1, -4, -2), a(-2, -3, -2), a(desirable), z0, 0.1, desirableWeight, undesirableWeight);
    }

    @Test
    void desirableAndUndesirableLossesAreTheShortfallsOfTheirSigmoids() {
        // labels D/U/D, z0 0.5, lambda_D 1, lambda_U 1.5:
        // 0: 1 - sigmoid(0.1 (1 - 0.5)) = 1 - sigmoid(0.05) = 0.487503
        // 1: 1.5 (1 - sigmoid(0.1 (0.5 + 1))) = 1.5 (1 - sigmoid(0.15)) = 0.693855
        // 2: 1 - sigmoid(0.1 (0 - 0.5)) = 0.512497
        KtoLoss.Result r = run(new float[] {1, 0, 1}, 0.5, 1, 1.5);
        assertArrayEquals(new float[] {0.487503f, 0.693855f, 0.512497f}, r.losses().toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {0.1f, -0.1f, 0f}, r.rewards().toFloatArray(), 1e-6f);
    }

    @Test
    void allDesirableAndAllUndesirableBatches() {
        // all undesirable, z0 0: 1 - sigmoid(0.1 (0 - r)) = 0.524979, 0.475021, 0.5
        assertArrayEquals(new float[] {0.524979f, 0.475021f, 0.5f},
                run(new float[] {0, 0, 0}, 0, 1, 1).losses().toFloatArray(), 1e-5f);
        // all desirable, z0 0.75: 1 - sigmoid(0.1 (r - 0.75)) = 0.493750, 0.543639, 0.518741
        assertArrayEquals(new float[] {0.493750f, 0.543639f, 0.518741f},
                run(new float[] {1, 1, 1}, 0.75, 1, 1).losses().toFloatArray(), 1e-5f);
        // a zero weight silences its side: lambda_U 0 on an all-undesirable batch
        assertArrayEquals(new float[] {0, 0, 0}, run(new float[] {0, 0, 0}, 0, 1, 0).losses().toFloatArray(), 0f);
    }

    @Test
    void aRewardAtTheReferencePointCostsHalfItsWeight() {
        // r = z0 (a tie): 1 - sigmoid(0) = 0.5 for either label, times its weight
        KtoLoss.Result r = KtoLoss.of(a(-2, -2), a(-3, -3), a(1, 0), 1, 0.1, 2, 0.5);
        assertArrayEquals(new float[] {1f, 0.25f}, r.losses().toFloatArray(), 1e-6f);
    }

    @Test
    void gradientOfADesirableLossIsMinusBetaSigmoidTimesItsComplement() {
        NDArray policy = a(-1);
        policy.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(KtoLoss.of(policy, a(-2), a(1), 0.5, 0.1, 1, 1).losses().sum());
        }
        // d/dpi (1 - sigmoid(0.1 (r - 0.5))) = -0.1 sigmoid(0.05) (1 - sigmoid(0.05)) = -0.0249844
        assertEquals(-0.0249844f, policy.getGradient().getFloat(), 1e-6f);
    }

    @Test
    void referencePointIsTheMeanMismatchedLogRatioClampedAtZero() {
        // (-3 + 4) and (-1 + 1.5): mean 0.75
        assertEquals(0.75, KtoLoss.referencePoint(new float[] {-3, -1}, new float[] {-4, -1.5f}), 1e-9);
        // policy below the reference on average: -1, clamped to 0 (a KL is never negative)
        assertEquals(0.0, KtoLoss.referencePoint(new float[] {-3}, new float[] {-2}), 0);
        assertThrows(IllegalArgumentException.class, () -> KtoLoss.referencePoint(new float[0], new float[0]));
        assertThrows(IllegalArgumentException.class, () -> KtoLoss.referencePoint(new float[] {1}, new float[0]));
    }

    @Test
    void badSettingsAreRefusedWithTheKeyNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(new float[] {1, 0, 1}, 0, -1, 1));
        assertEquals("dpo.desirable_weight must be finite and >= 0, got -1.0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> run(new float[] {1, 0, 1}, -0.1, 1, 1));
    }
}
