package org.rlhf4j.ppo.rs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BestOfNTest {

    @Test
    void firstOfTheTiedHighestAndLowestWithinTheWindow() {
        // prompt 0: rows 0-3, prompt 1: rows 4-7
        double[] scores = {0.5, 2, 2, -1, 9, -3, 7, -3};
        assertEquals(1, BestOfN.best(scores, 0, 4));   // 2 at rows 1 and 2: the first
        assertEquals(3, BestOfN.worst(scores, 0, 4));  // -1
        assertEquals(0, BestOfN.best(scores, 4, 4));   // 9 at row 4
        assertEquals(1, BestOfN.worst(scores, 4, 4));  // -3 at rows 5 and 7: the first
        assertEquals(0, BestOfN.best(new double[] {1, 1, 1}, 0, 3));
    }
}
