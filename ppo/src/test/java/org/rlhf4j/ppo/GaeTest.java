package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class GaeTest {

    private static final double TOL = 1e-12;

    @Test
    void gammaAndLambdaOne() {
        // t=1: delta = 1 + 0 - 0.2 = 0.8, A = 0.8; t=0: delta = 0 + 0.2 - 0.5 = -0.3, A = -0.3 + 0.8 = 0.5
        Gae.Advantages out = Gae.compute(new double[][] {{0, 1}}, new double[][] {{0.5, 0.2}},
                new double[][] {{1, 1}}, 1, 1);
        assertArrayEquals(new double[] {0.5, 0.8}, out.advantages()[0], TOL);
        assertArrayEquals(new double[] {1.0, 1.0}, out.returns()[0], TOL);
    }

    @Test
    void trailingPadIsIgnored() {
        // gamma 0.9, lambda 0.5. t=1: delta = 1 + 0.9*0 - 0.2 = 0.8 -> A1 = 0.8
        // t=0: delta = 0 + 0.9*0.2 - 0.5 = -0.32 -> A0 = -0.32 + 0.45*0.8 = 0.04; R = A + V = [0.54, 1.0]
        Gae.Advantages out = Gae.compute(new double[][] {{0, 1, 5}}, new double[][] {{0.5, 0.2, 9}},
                new double[][] {{1, 1, 0}}, 0.9, 0.5);
        assertArrayEquals(new double[] {0.04, 0.8, 0}, out.advantages()[0], TOL);
        assertArrayEquals(new double[] {0.54, 1.0, 0}, out.returns()[0], TOL);
    }

    @Test
    void maskedTokenInsideIsSkipped() {
        // the middle token is masked: the same numbers as above, its junk reward and value unused
        Gae.Advantages out = Gae.compute(new double[][] {{0, 7, 1}}, new double[][] {{0.5, 9, 0.2}},
                new double[][] {{1, 0, 1}}, 0.9, 0.5);
        assertArrayEquals(new double[] {0.04, 0, 0.8}, out.advantages()[0], TOL);
        assertArrayEquals(new double[] {0.54, 0, 1.0}, out.returns()[0], TOL);
    }

    @Test
    void singleTokenResponse() {
        // delta = 2 + 0 - 0.5 = 1.5 = A, R = 2; the second row's pads stay 0
        Gae.Advantages out = Gae.compute(new double[][] {{2}, {2, 3}}, new double[][] {{0.5}, {0.5, 1}},
                new double[][] {{1}, {1, 0}}, 0.95, 0.9);
        assertArrayEquals(new double[] {1.5}, out.advantages()[0], TOL);
        assertArrayEquals(new double[] {2.0}, out.returns()[0], TOL);
        assertArrayEquals(new double[] {1.5, 0}, out.advantages()[1], TOL);
    }
}
