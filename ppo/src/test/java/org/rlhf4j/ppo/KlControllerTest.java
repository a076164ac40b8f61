package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KlControllerTest {

    @Test
    void adaptiveMovesTowardsTheTargetWithClippedError() {
        KlController c = KlController.adaptive(0.1, 6, 10000);
        // KL 9: error 9/6 - 1 = 0.5, clipped to 0.2; beta *= 1 + 0.2 * 256 / 10000 = 1.00512
        c.update(9, 256);
        assertEquals(0.100512, c.value(), 1e-12);
        // KL 6.6: error 0.1; beta *= 1 + 0.1 * 100 / 10000 = 1.001
        c.update(6.6, 100);
        assertEquals(0.100512 * 1.001, c.value(), 1e-12);
        // KL 3: error -0.5, clipped to -0.2; beta *= 1 - 0.2 * 256 / 10000 = 0.99488
        c.update(3, 256);
        assertEquals(0.100512 * 1.001 * 0.99488, c.value(), 1e-12);
    }

    @Test
    void fixedNeverMoves() {
        KlController c = KlController.fixed(0.05);
        c.update(100, 1000);
        assertEquals(0.05, c.value());
    }

    @Test
    void estimators() {
        // logp -1, ref -1.5: d = ref - logp = -0.5; k1 = 0.5; k3 = exp(-0.5) - 1 + 0.5 = 0.10653066
        assertEquals(0.5, KlEstimator.K1.of(-1, -1.5), 1e-12);
        assertEquals(Math.exp(-0.5) - 0.5, KlEstimator.K3.of(-1, -1.5), 1e-12);
        assertEquals(0, KlEstimator.K3.of(-2, -2), 1e-15);
    }
}
