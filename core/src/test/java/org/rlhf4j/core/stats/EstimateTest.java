package org.rlhf4j.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EstimateTest {

    @Test
    void wilsonOfEightInTen() {
        // p = 0.8, z^2 = 3.8415, 1 + z^2/n = 1.38415; center (0.8 + 0.19207) / 1.38415 = 0.71674;
        // half 1.95996 / 1.38415 * sqrt(0.016 + 0.0096037) = 0.22658 -> [0.4902, 0.9433]
        Estimate e = Estimate.wilson(8, 10);
        assertEquals(0.8, e.value(), 1e-12);
        assertEquals(0.4902, e.low(), 1e-4);
        assertEquals(0.9433, e.high(), 1e-4);
    }

    @Test
    void wilsonAtTheEdgesStaysInsideZeroOne() {
        // 0 of 20: upper end z^2 / (n + z^2) = 3.8415 / 23.8415 = 0.16113
        Estimate none = Estimate.wilson(0, 20);
        assertEquals(0.0, none.low(), 1e-12);
        assertEquals(0.16113, none.high(), 1e-5);
        Estimate all = Estimate.wilson(20, 20);
        assertEquals(1.0, all.high(), 1e-12);
        assertEquals(1 - 0.16113, all.low(), 1e-5);
        assertTrue(Double.isNaN(Estimate.wilson(0, 0).value()));
    }

    @Test
    void bootstrapOfAConstantIsThatConstantAndOfDataContainsTheMean() {
        Estimate constant = Estimate.bootstrapMean(new double[] {2, 2, 2}, 200, 1);
        assertEquals(2.0, constant.low(), 0);
        assertEquals(2.0, constant.high(), 0);
        double[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        Estimate e = Estimate.bootstrapMean(values, 2000, 1);
        assertEquals(5.5, e.value(), 1e-12);
        // the standard error is sd / sqrt(n) = 2.87 / 3.16 = 0.91, so the interval is about 5.5 +- 1.8
        assertTrue(e.low() > 3.5 && e.low() < 4.5 && e.high() > 6.5 && e.high() < 7.5, e.toString());
        assertEquals(e, Estimate.bootstrapMean(values, 2000, 1), "seeded");
    }

    @Test
    void studentMeanOfThreeValues() {
        // mean 0.2, sd 0.1, se 0.1 / sqrt(3) = 0.0577350; t(2, 0.975) = 4.302653 (tables) -> half 0.248414
        Estimate e = Estimate.studentMean(new double[] {0.1, 0.2, 0.3});
        assertEquals(0.2, e.value(), 1e-12);
        assertEquals(0.2 - 0.248414, e.low(), 1e-6);
        assertEquals(0.2 + 0.248414, e.high(), 1e-6);
        assertEquals(3, e.n());
        assertEquals(12.7062, Estimate.tQuantile975(1), 1e-4);
        assertEquals(2.7764, Estimate.tQuantile975(4), 1e-4);
    }

    @Test
    void studentMeanOfOneValueHasNoIntervalAndOfTiesAZeroWidthOne() {
        Estimate one = Estimate.studentMean(new double[] {0.3});
        assertEquals(0.3, one.value(), 0);
        assertTrue(Double.isNaN(one.low()) && Double.isNaN(one.high()));
        Estimate ties = Estimate.studentMean(new double[] {0.1, 0.1, 0.1});
        assertEquals(0.1, ties.low(), 1e-15);
        assertEquals(0.1, ties.high(), 1e-15);
        assertTrue(Double.isNaN(Estimate.studentMean(new double[0]).value()));
    }
}
