package org.rlhf4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SummaryTest {

    @Test
    void percentilesInterpolateBetweenRanks() {
        // sorted: 10 20 30 40 50 (n = 5, ranks 0..4)
        // p50: rank 2 -> 30; p10: rank 0.4 -> 10 + 0.4 * 10 = 14; p90: rank 3.6 -> 40 + 0.6 * 10 = 46
        Summary s = Summary.of(new double[] {50, 10, 40, 20, 30});
        assertEquals(30, s.median(), 1e-12);
        assertEquals(14, s.p10(), 1e-12);
        assertEquals(46, s.p90(), 1e-12);
        assertEquals(30, s.mean(), 1e-12);
        assertEquals(10, s.min(), 1e-12);
        assertEquals(50, s.max(), 1e-12);
    }

    @Test
    void medianOfAnEvenCountIsTheMidpoint() {
        // sorted 1 2 3 10: rank 1.5 -> 2 + 0.5 * 1 = 2.5; mean 16 / 4 = 4
        Summary s = Summary.of(new double[] {10, 1, 3, 2});
        assertEquals(2.5, s.median(), 1e-12);
        assertEquals(4, s.mean(), 1e-12);
    }

    @Test
    void oneSampleIsEveryStatistic() {
        Summary s = Summary.of(new double[] {7});
        assertEquals(7, s.p10(), 0);
        assertEquals(7, s.p90(), 0);
    }

    @Test
    void noSamplesIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Summary.of(new double[0]));
    }
}
