package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GroupAdvantagesTest {

    private static final double TOL = 1e-9;
    /** Four one-token rows. */
    private static final double[][] ONE_TOKEN = {{1}, {1}, {1}, {1}};

    @Test
    void grpoWithTiesDividesByTheUnbiasedStd() {
        // group [2, 2, 2, 0]: mean 1.5, deviations [.5, .5, .5, -1.5], squares 3, unbiased var 3/3 = 1, std 1
        // advantages (R - 1.5) / (1 + 1e-6)
        GroupAdvantages.Advantages out = GroupAdvantages.grpo(new double[] {2, 2, 2, 0}, ONE_TOKEN, 4, true);
        double s = 1 + GroupAdvantages.STD_EPS;
        assertArrayEquals(new double[] {0.5 / s}, out.advantages()[0], TOL);
        assertArrayEquals(new double[] {-1.5 / s}, out.advantages()[3], TOL);
        assertArrayEquals(new double[] {1.0}, out.groupStd(), TOL);
    }

    @Test
    void grpoTwoGroupsOneTiedAndMaskedTokens() {
        // group 0 [1, 0]: mean 0.5, unbiased std sqrt(0.5) = 0.7071068 -> +-0.5 / 0.7071078 = +-0.7071058
        // group 1 [3, 3]: all equal, std 0 -> advantage 0 (no NaN); pads stay 0
        double[][] mask = {{1, 1, 0}, {1, 0, 0}, {1, 1, 1}, {1, 0, 0}};
        GroupAdvantages.Advantages out = GroupAdvantages.grpo(new double[] {1, 0, 3, 3}, mask, 2, true);
        double a = 0.5 / (Math.sqrt(0.5) + GroupAdvantages.STD_EPS);
        assertEquals(0.7071058, a, 1e-7);
        assertArrayEquals(new double[] {a, a, 0}, out.advantages()[0], TOL);
        assertArrayEquals(new double[] {-a, 0, 0}, out.advantages()[1], TOL);
        assertArrayEquals(new double[] {0, 0, 0}, out.advantages()[2], 0);
        assertArrayEquals(new double[] {0, 0, 0}, out.advantages()[3], 0);
        assertEquals(0.5, out.zeroStdFraction());
    }

    @Test
    void drGrpoKeepsOnlyTheMean() {
        // scale_rewards false: [2, 2, 2, 0] - 1.5 = [0.5, 0.5, 0.5, -1.5]
        GroupAdvantages.Advantages out = GroupAdvantages.grpo(new double[] {2, 2, 2, 0}, ONE_TOKEN, 4, false);
        assertArrayEquals(new double[] {0.5, 0.5, 0.5, -1.5},
                java.util.Arrays.stream(out.advantages()).mapToDouble(r -> r[0]).toArray(), TOL);
    }

    @Test
    void allEqualScoresGiveZeroNotNaN() {
        // 0.1 three times: a float sum/3 need not equal 0.1, yet the tie is exact
        double[] returns = {0.1, 0.1, 0.1};
        double[][] mask = {{1}, {1}, {1}};
        for (AdvantageEstimator e : new AdvantageEstimator[] {AdvantageEstimator.GRPO, AdvantageEstimator.RLOO,
            AdvantageEstimator.REINFORCE_BASELINE}) {
            GroupAdvantages.Advantages out = GroupAdvantages.of(e, returns, mask, 3, true);
            for (double[] row : out.advantages()) {
                assertEquals(0.0, row[0], 0, e.toString());
            }
            assertEquals(1.0, out.zeroStdFraction());
        }
    }

    @Test
    void singleSampleGroupsHaveNoBaselineButNoNaN() {
        // a group of one: the mean is the return itself, the std 0 -> advantage 0 (GRPO, REINFORCE++-baseline)
        double[][] mask = {{1, 1}, {1, 0}};
        for (AdvantageEstimator e : new AdvantageEstimator[] {AdvantageEstimator.GRPO,
            AdvantageEstimator.REINFORCE_BASELINE}) {
            GroupAdvantages.Advantages out = GroupAdvantages.of(e, new double[] {1, 5}, mask, 1, true);
            assertArrayEquals(new double[] {0, 0}, out.advantages()[0], 0);
            assertArrayEquals(new double[] {0, 0}, out.advantages()[1], 0);
            assertArrayEquals(new double[] {0, 0}, out.groupStd(), 0);
        }
    }

    @Test
    void rlooLeavesOneOut() {
        // group [2, 2, 2, 0]: row 0: 2 - (2 + 2 + 0) / 3 = 0.6666667; row 3: 0 - 6 / 3 = -2
        GroupAdvantages.Advantages out = GroupAdvantages.rloo(new double[] {2, 2, 2, 0}, ONE_TOKEN, 4);
        assertArrayEquals(new double[] {2.0 / 3}, out.advantages()[0], TOL);
        assertArrayEquals(new double[] {2.0 / 3}, out.advantages()[2], TOL);
        assertArrayEquals(new double[] {-2.0}, out.advantages()[3], TOL);
        // group of two [1, 0]: 1 - 0 = 1 and 0 - 1 = -1 at each valid token
        GroupAdvantages.Advantages two = GroupAdvantages.rloo(new double[] {1, 0}, new double[][] {{1, 1}, {1, 0}}, 2);
        assertArrayEquals(new double[] {1, 1}, two.advantages()[0], TOL);
        assertArrayEquals(new double[] {-1, 0}, two.advantages()[1], TOL);
    }

    @Test
    void rlooRefusesSingleSampleGroups() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GroupAdvantages.rloo(new double[] {1, 2}, new double[][] {{1}, {1}}, 1));
        assertTrue(e.getMessage().contains("ppo.group_size"), e.getMessage());
    }

    @Test
    void reinforceBaselineWhitensOverValidTokens() {
        // groups of 2: [1, 3] -> [-1, 1], [5, 5] -> [0, 0]; rows have 2, 1, 1, 2 valid tokens
        // valid values [-1, -1, 1, 0, 0, 0]: mean -1/6, unbiased var (50 + 49 + 3) / 36 / 5 = 0.5666667,
        // std 0.7527727 -> -5/6 / std = -1.1070186, 7/6 / std = 1.5498260, 1/6 / std = 0.2214037
        double[][] mask = {{1, 1}, {1, 0}, {1, 0}, {1, 1}};
        GroupAdvantages.Advantages out = GroupAdvantages.reinforceBaseline(new double[] {1, 3, 5, 5}, mask, 2);
        assertArrayEquals(new double[] {-1.1070186, -1.1070186}, out.advantages()[0], 1e-7);
        assertArrayEquals(new double[] {1.5498260, 0}, out.advantages()[1], 1e-7);
        assertArrayEquals(new double[] {0.2214037, 0}, out.advantages()[2], 1e-7);
        assertArrayEquals(new double[] {0.2214037, 0.2214037}, out.advantages()[3], 1e-7);
    }

    @Test
    void gaeIsNotAGroupEstimatorAndRowsMustSplitIntoGroups() {
        assertThrows(IllegalArgumentException.class, () -> GroupAdvantages.of(AdvantageEstimator.GAE,
                new double[] {1, 2}, new double[][] {{1}, {1}}, 2, true));
        assertThrows(IllegalArgumentException.class, () -> GroupAdvantages.grpo(new double[] {1, 2, 3},
                new double[][] {{1}, {1}, {1}}, 2, true));
    }
}
