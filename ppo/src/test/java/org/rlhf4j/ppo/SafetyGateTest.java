package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class SafetyGateTest {

    @Test
    void gateChoosesSafetyWhenTaggedOrUnsafe() {
        // row 0: sigmoid(3) = 0.953 >= 0.15 -> helpful 2.0
        // row 1: sigmoid(-2) = 0.119 < 0.15 -> safety -2.0
        // row 2: tagged safety -> safety 1.0 (although sigmoid(1) = 0.73)
        SafetyGate.Gated g = SafetyGate.combine(new double[] {2.0, 1.0, 0.5}, new double[] {3.0, -2.0, 1.0},
                new boolean[] {false, false, true}, 0.15);
        assertArrayEquals(new double[] {2.0, -2.0, 1.0}, g.scores(), 1e-12);
        assertArrayEquals(new boolean[] {false, true, true}, g.usedSafety());
        // whitened: mean 1/3, deviations 5/3, -7/3, 2/3, unbiased var (25 + 49 + 4) / 9 / 2 = 13/3
        double std = Math.sqrt(13.0 / 3);
        assertArrayEquals(new double[] {5 / 3.0 / std, -7 / 3.0 / std, 2 / 3.0 / std}, Whitening.of(g.scores()), 1e-7);
    }

    @Test
    void thresholdIsStrict() {
        // sigmoid(logit(0.15)) = 0.15 is not below 0.15: helpfulness
        double logit = Math.log(0.15 / 0.85);
        SafetyGate.Gated g = SafetyGate.combine(new double[] {4}, new double[] {logit + 1e-9}, new boolean[] {false},
                0.15);
        assertArrayEquals(new double[] {4}, g.scores(), 0);
    }
}
