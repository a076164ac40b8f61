package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Reward shaping on hand-computed batches of two or three rows. */
class TokenRewardsTest {

    private static final PpoOptions.Shaping PLAIN = new PpoOptions.Shaping(null, RewardNorm.NONE, null, null, 1.0, 4);

    @Test
    void klIsZeroAtPads() {
        // k1 = logp - ref_logp: 0.5 at the response token; the pad's 1.0 is not counted
        double[][] kl = TokenRewards.kl(new double[][] {{-1, -2}}, new double[][] {{-1.5, -3}},
                new double[][] {{1, 0}}, KlEstimator.K1);
        assertArrayEquals(new double[] {0.5, 0}, kl[0], 1e-12);
    }

    @Test
    void klPenaltyEverywhereAndTheScoreAtTheLastToken() {
        // beta 0.1. Row 0 (3 tokens): -0.1 * [0.5, -0.2, 1.0] = [-0.05, 0.02, -0.1], + score 1 at the last: 0.9.
        // Row 1 (a length-1 response): -0.1 * 2 + (-2) = -2.2; its pads stay 0 whatever kl holds there.
        // Row 2 (no response token): nowhere to put its score, all 0.
        double[][] mask = {{1, 1, 1}, {1, 0, 0}, {0, 0, 0}};
        double[][] kl = {{0.5, -0.2, 1.0}, {2.0, 9, 9}, {9, 9, 9}};
        RunningMoments before = new RunningMoments(5, 1, 2);
        TokenRewards.Shaped out = TokenRewards.shape(kl, new double[] {1, -2, 3}, mask,
                new boolean[] {false, false, false}, PLAIN, 0.1, before);
        assertArrayEquals(new double[] {-0.05, 0.02, 0.9}, out.rewards()[0], 1e-12);
        assertArrayEquals(new double[] {-2.2, 0, 0}, out.rewards()[1], 1e-12);
        assertArrayEquals(new double[] {0, 0, 0}, out.rewards()[2], 0);
        assertArrayEquals(new double[] {1, -2, 3}, out.scores(), 0);
        assertArrayEquals(new double[] {1, -2, 3}, out.used(), 0);
        assertSame(before, out.moments(), "reward_norm none leaves the running moments alone");
    }

    @Test
    void eosPenaltyComesBeforeTheClip() {
        // penalty 0.5 on row 0 only: [1.2 - 0.5, -0.4, 3.0] = [0.7, -0.4, 3.0];
        // clip 1.0: inactive on rows 0 and 1 (row 0 would have been clipped without the penalty), 3.0 -> 1.0
        PpoOptions.Shaping shaping = new PpoOptions.Shaping(0.5, RewardNorm.NONE, 1.0, null, 1.0, 4);
        double[][] mask = {{1, 1}, {1, 1}, {1, 0}};
        TokenRewards.Shaped out = TokenRewards.shape(new double[3][2], new double[] {1.2, -0.4, 3.0}, mask,
                new boolean[] {true, false, false}, shaping, 0.0, RunningMoments.empty());
        assertArrayEquals(new double[] {0.7, -0.4, 3.0}, out.scores(), 1e-12);
        assertArrayEquals(new double[] {0.7, -0.4, 1.0}, out.used(), 1e-12);
        assertArrayEquals(new double[] {0, 0.7}, out.rewards()[0], 1e-12);
        assertArrayEquals(new double[] {0, -0.4}, out.rewards()[1], 1e-12);
        assertArrayEquals(new double[] {1.0, 0}, out.rewards()[2], 1e-12);
    }

    @Test
    void runningNormalisationIncludesThisBatch() {
        // moments of {-1, 1}: count 2, mean 0, m2 2. With the batch {2, 4}: mean 1.5, deviations
        // -2.5, -0.5, 0.5, 2.5, m2 6.25 + 0.25 + 0.25 + 6.25 = 13, std sqrt(13 / 3) = 2.081666.
        // used: (2 - 1.5) / 2.081666 = 0.240192 and (4 - 1.5) / 2.081666 = 1.200961, clipped at 1.
        PpoOptions.Shaping shaping = new PpoOptions.Shaping(null, RewardNorm.RUNNING, 1.0, null, 1.0, 4);
        TokenRewards.Shaped out = TokenRewards.shape(new double[2][1], new double[] {2, 4},
                new double[][] {{1}, {1}}, new boolean[2], shaping, 0.05, new RunningMoments(2, 0, 2));
        assertEquals(new RunningMoments(4, 1.5, 13), out.moments());
        double std = Math.sqrt(13.0 / 3);
        assertEquals(0.240192, out.used()[0], 1e-6);
        assertEquals(0.5 / (std + 1e-8), out.used()[0], 1e-15);
        assertEquals(1.0, out.used()[1], 0);
        assertArrayEquals(new double[] {2, 4}, out.scores(), 0, "the logged scores are not normalised");
        assertEquals(out.used()[0], out.rewards()[0][0], 0);
    }

    @Test
    void overlongPenaltyRisesOverTheBuffer() {
        // L = 8, buffer 4, weight 1: lengths <= 4 free; 5 -> 1/4, 6 -> 2/4, 8 -> 4/4
        assertEquals(0, TokenRewards.overlongPenalty(4, 8, 4, 1.0), 0);
        assertEquals(0.25, TokenRewards.overlongPenalty(5, 8, 4, 1.0), 1e-12);
        assertEquals(0.5, TokenRewards.overlongPenalty(6, 8, 4, 1.0), 1e-12);
        assertEquals(2.0, TokenRewards.overlongPenalty(8, 8, 4, 2.0), 1e-12);
    }

    @Test
    void overlongPenaltyCountsValidTokensOnly() {
        // L = 4, buffer 2 (free up to 2 tokens), weight 1: row 0 has 3 valid tokens -> 1/2 off its score 1;
        // row 1 has 2 valid tokens (the third is a pad) -> none
        PpoOptions.Shaping shaping = new PpoOptions.Shaping(null, RewardNorm.NONE, null, 2, 1.0, 4);
        TokenRewards.Shaped out = TokenRewards.shape(new double[2][3], new double[] {1, 1},
                new double[][] {{1, 1, 1}, {1, 1, 0}}, new boolean[2], shaping, 0.0, RunningMoments.empty());
        assertArrayEquals(new double[] {0.5, 1}, out.scores(), 1e-12);
    }
}
