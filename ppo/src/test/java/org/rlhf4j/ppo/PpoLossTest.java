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
