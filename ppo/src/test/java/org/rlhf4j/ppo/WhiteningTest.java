package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WhiteningTest {

    @Test
    void onlyValidEntriesCount() {
        // valid 1, 2, 3: mean 2, unbiased var (1 + 0 + 1) / 2 = 1 -> -1, 0, 1; the masked 100 gives 0
        double[][] out = Whitening.masked(new double[][] {{1, 2}, {3, 100}}, new double[][] {{1, 1}, {1, 0}}, true);
        assertArrayEquals(new double[] {-1, 0}, out[0], 1e-7);
        assertArrayEquals(new double[] {1, 0}, out[1], 1e-7);
    }

    @Test
    void keepingTheMean() {
        // (x - 2) / 1 + 2 = x
        double[][] out = Whitening.masked(new double[][] {{1, 2, 3}}, new double[][] {{1, 1, 1}}, false);
        assertArrayEquals(new double[] {1, 2, 3}, out[0], 1e-7);
    }

    @Test
    void runningMomentsMergeBatches() {
        // 1..5: mean 3, sum of squares 10, unbiased std sqrt(10 / 4)
        RunningMoments m = RunningMoments.empty().update(new double[] {1, 2, 3}).update(new double[] {4, 5});
        assertEquals(5, m.count());
        assertEquals(3, m.mean(), 1e-12);
        assertEquals(Math.sqrt(2.5), m.std(), 1e-12);
    }
}
