package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** PPO-ptx's LM loss against hand-computed values: a token mean over the targets, padding and junk ignored. */
class PtxLossTest {

    @Test
    void meanNegativeLogLikelihoodOfTheTargets() {
        try (NDManager m = NDManager.newBaseManager()) {
            // row 0: ids t = 0..2, targets at t = 1, 2 (t = 0 is a segment start): log-probs -1, -2
            // row 1: targets at t = 1 only (t = 2 is padding, its log-prob junk 50)
            // loss = -(-1 - 2 - 0.5) / 3 = 3.5 / 3 = 1.1666667
            NDArray logps = m.create(new float[] {-1f, -2f, -0.5f, 50f}, new Shape(2, 2)); // (B, T-1)
            NDArray mask = m.create(new float[] {0f, 1f, 1f, 0f, 1f, 0f}, new Shape(2, 3)); // (B, T)
            assertEquals(3.5 / 3, PtxLoss.of(logps, mask).getFloat(), 1e-6);
        }
    }

    @Test
    void lengthOneTargetAndAllMasked() {
        try (NDManager m = NDManager.newBaseManager()) {
            // one row, one target: the loss is its NLL, 0.25
            assertEquals(0.25, PtxLoss.of(m.create(new float[] {-0.25f}, new Shape(1, 1)),
                    m.create(new float[] {0f, 1f}, new Shape(1, 2))).getFloat(), 1e-7);
            // nothing to predict: 0, not NaN (no gradient)
            assertEquals(0.0, PtxLoss.of(m.create(new float[] {-3f, -4f}, new Shape(1, 2)),
                    m.zeros(new Shape(1, 3))).getFloat(), 0);
        }
    }
}
