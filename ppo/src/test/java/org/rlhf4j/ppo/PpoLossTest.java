package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class PpoLossTest {

    @Test
    void clippedPolicyLoss() {
        try (NDManager m = NDManager.newBaseManager()) {
            // token 0: ratio e^0.2 = 1.221403, A = 1: -A r = -1.221403, clipped -1.2 -> max -1.2 (clipped)
            // token 1: ratio e^0.5 = 1.648721, A = -2: -A r = 3.297443, clipped 2.4 -> max 3.297443
            // token 2: masked (junk values)
            // loss = (-1.2 + 3.297443) / 2 = 1.0487213; clipfrac 1/2; approxkl 0.5 * (0.04 + 0.25) / 2 = 0.0725
            NDArray logps = m.create(new float[] {-1.0f, -0.5f, 5f}, new Shape(1, 3));
            NDArray old = m.create(new float[] {-1.2f, -1.0f, 0f}, new Shape(1, 3));
            NDArray adv = m.create(new float[] {1f, -2f, 100f}, new Shape(1, 3));
            NDArray mask = m.create(new float[] {1f, 1f, 0f}, new Shape(1, 3));
            PpoLoss.PolicyResult r = PpoLoss.policy(logps, old, adv, mask, 0.2);
            assertEquals(1.0487213, r.loss().getFloat(), 1e-6);
            assertEquals(0.5, r.clipFraction().getFloat(), 1e-7);
            assertEquals(0.0725, r.approxKl().getFloat(), 1e-6);
        }
    }

    @Test
    void asymmetricClipRatiosAndAggregation() {
        try (NDManager m = NDManager.newBaseManager()) {
            // clip_low 0.2, clip_high 0.28, two rows of two tokens, row 1's second masked
            // (0,0): ratio e^0.3 = 1.349859, A = 1: -1.349859 vs -1.28 -> -1.28, high-clipped
            // (0,1): ratio e^-0.5 = 0.606531, A = -1: 0.606531 vs 0.8 -> 0.8, low-clipped
            // (1,0): ratio e^0.1 = 1.105171, A = 2: -2.210342 vs -2.210342 -> -2.210342, not clipped
            // token_mean: (-1.28 + 0.8 - 2.210342) / 3 = -0.896781
            // seq_mean_token_mean: mean((-1.28 + 0.8) / 2, -2.210342) = mean(-0.24, -2.210342) = -1.225171
            // seq_mean_token_sum_norm, L = 4: -2.690342 / (2 * 4) = -0.336293
            // clip_ratio low 1/3, high 1/3
            NDArray logps = m.create(new float[] {0.3f, -0.5f, 0.1f, 9f}, new Shape(2, 2));
            NDArray old = m.zeros(new Shape(2, 2));
            NDArray adv = m.create(new float[] {1f, -1f, 2f, 5f}, new Shape(2, 2));
            NDArray mask = m.create(new float[] {1f, 1f, 1f, 0f}, new Shape(2, 2));
            PpoLoss.PolicyResult r = PpoLoss.policy(logps, old, adv, mask, 0.2, 0.28, LossAggregation.TOKEN_MEAN, 4);
            assertEquals(-0.896781, r.loss().getFloat(), 1e-5);
            assertEquals(1 / 3.0, r.clipLow().getFloat(), 1e-6);
            assertEquals(1 / 3.0, r.clipHigh().getFloat(), 1e-6);
            assertEquals(2 / 3.0, r.clipFraction().getFloat(), 1e-6);
            assertEquals(-1.225171, PpoLoss.policy(logps, old, adv, mask, 0.2, 0.28,
                    LossAggregation.SEQ_MEAN_TOKEN_MEAN, 4).loss().getFloat(), 1e-5);
            assertEquals(-0.336293, PpoLoss.policy(logps, old, adv, mask, 0.2, 0.28,
                    LossAggregation.SEQ_MEAN_TOKEN_SUM_NORM, 4).loss().getFloat(), 1e-5);
        }
    }

    @Test
    void klEstimatorsInTheGraphMatchTheScalarOnes() {
        try (NDManager m = NDManager.newBaseManager()) {
            // log pi = -1, log pi_ref = -1.5: d = log r = -0.5
            // k1 = 0.5; k2 = 0.5 * 0.25 = 0.125; k3 = e^-0.5 - 1 + 0.5 = 0.106531
            NDArray logps = m.create(new float[] {-1f}, new Shape(1, 1));
            NDArray ref = m.create(new float[] {-1.5f}, new Shape(1, 1));
            double[] expected = {0.5, 0.125, 0.106531};
            for (KlEstimator k : KlEstimator.values()) {
                assertEquals(expected[k.ordinal()], k.of(logps, ref).getFloat(), 1e-6, k.toString());
                assertEquals(expected[k.ordinal()], k.of(-1, -1.5), 1e-6, k.toString());
            }
        }
    }

    @Test
    void clippedValueLoss() {
        try (NDManager m = NDManager.newBaseManager()) {
            // token 0: V - V_old = 0.5 clipped to 0.2 -> 0.7; (1 - 2)^2 = 1 vs (0.7 - 2)^2 = 1.69 -> 1.69 (clipped)
            // token 1: V - V_old = -0.1 within the range: both 0 -> 0
            // loss = 0.5 * (1.69 + 0) / 2 = 0.4225; clipfrac 1/2
            NDArray values = m.create(new float[] {1.0f, 0.0f, 7f}, new Shape(1, 3));
            NDArray old = m.create(new float[] {0.5f, 0.1f, 0f}, new Shape(1, 3));
            NDArray returns = m.create(new float[] {2.0f, 0.0f, -7f}, new Shape(1, 3));
            NDArray mask = m.create(new float[] {1f, 1f, 0f}, new Shape(1, 3));
            PpoLoss.ValueResult r = PpoLoss.value(values, old, returns, mask, 0.2);
            assertEquals(0.4225, r.loss().getFloat(), 1e-6);
            assertEquals(0.5, r.clipFraction().getFloat(), 1e-7);
        }
    }
}
