package org.rlhf4j.ppo;

/**
 * Critic-free advantages from the other responses to the same prompt. The batch's rows come in
 * groups of {@code G} consecutive rows that share a prompt; each row's return {@code R_i} (the sum
 * of its per-token rewards: the score, and {@code -kl_coef * KL} when the KL is in the reward, as
 * veRL sums {@code token_level_rewards}) gets a baseline from its group, and the row's advantage is
 * spread over its valid tokens (0 at masked ones).
 * <ul>
 *   <li>GRPO: {@code (R_i - mean_g) / (std_g + 1e-6)}, {@code std} the unbiased one as torch's (veRL,
 *       TRL); {@code scale_rewards: false} keeps {@code R_i - mean_g} (Dr.GRPO);
 *   <li>RLOO: {@code R_i - (sum_g - R_i) / (G - 1) = G / (G - 1) * (R_i - mean_g)};
 *   <li>REINFORCE++-baseline: {@code R_i - mean_g} at every valid token, then whitened over all
 *       valid tokens of the batch ({@link Whitening#masked}, as veRL's {@code masked_whiten}).
 * </ul>
 * A group whose returns are all equal carries no signal: its advantages are exactly 0 (never NaN).
 */
public final class GroupAdvantages {

    /** GRPO's guard against a tiny std (veRL's epsilon). */
    static final double STD_EPS = 1e-6;

    private GroupAdvantages() {}

    /**
     * One batch's advantages.
     *
     * @param advantages (B, A) the row's advantage at each valid token, 0 at masked ones
     * @param groupStd (B / G) each group's unbiased std of the returns (0 for a single-sample group)
     */
    public record Advantages(double[][] advantages, double[] groupStd) {

        /** The share of groups whose returns all tie (TRL's {@code frac_reward_zero_std}). */
        public double zeroStdFraction() {
            return GroupAdvantages.zeroStdFraction(groupStd);
        }
    }

    /** The share of the groups whose std {@code groupStd} (B / G) is 0. */
    static double zeroStdFraction(double[] groupStd) {
        long zero = java.util.Arrays.stream(groupStd).filter(s -> s == 0).count();
        return groupStd.length == 0 ? 0 : zero / (double) groupStd.length;
    }

    /**
     * The advantages of {@code estimator}, which must not be {@link AdvantageEstimator#GAE}.
     *
     * @param returns (B) each row's return, rows grouped by {@code groupSize}
     * @param mask (B, A) 1 at response tokens
     * @param scaleRewards GRPO only: divide by the group's std
     */
    public static Advantages of(AdvantageEstimator estimator, double[] returns, double[][] mask, int groupSize,
            boolean scaleRewards) {
        return switch (estimator) {
            case GAE -> throw new IllegalArgumentException("GAE advantages need a critic: see Gae.compute");
            case GRPO -> grpo(returns, mask, groupSize, scaleRewards);
            case RLOO -> rloo(returns, mask, groupSize);
            case REINFORCE_BASELINE -> reinforceBaseline(returns, mask, groupSize);
        };
    }

    /** GRPO's group-normalised advantages; {@code scaleRewards} false is Dr.GRPO's mean-only baseline. */
    public static Advantages grpo(double[] returns, double[][] mask, int groupSize, boolean scaleRewards) {
        double[] std = groupStd(returns, groupSize);
        double[] mean = groupMean(returns, groupSize);
        double[] perRow = new double[returns.length];
        for (int i = 0; i < returns.length; i++) {
            int g = i / groupSize;
            perRow[i] = std[g] == 0 ? 0 : (returns[i] - mean[g]) / (scaleRewards ? std[g] + STD_EPS : 1);
        }
        return new Advantages(spread(perRow, mask), std);
    }

    /** RLOO's leave-one-out advantages; a group needs at least two responses. */
    public static Advantages rloo(double[] returns, double[][] mask, int groupSize) {
        if (groupSize < 2) {
            throw new IllegalArgumentException("RLOO needs at least 2 responses per prompt (ppo.group_size), got "
                    + groupSize);
        }
        double[] std = groupStd(returns, groupSize);
        double[] mean = groupMean(returns, groupSize);
        double[] perRow = new double[returns.length];
        for (int i = 0; i < returns.length; i++) {
            int g = i / groupSize;
            // the others' mean, written through the group mean so that ties give exactly 0
            perRow[i] = std[g] == 0 ? 0 : groupSize / (groupSize - 1.0) * (returns[i] - mean[g]);
        }
        return new Advantages(spread(perRow, mask), std);
    }

    /** REINFORCE++-baseline: group-centred returns at every valid token, whitened over the batch's valid tokens. */
    public static Advantages reinforceBaseline(double[] returns, double[][] mask, int groupSize) {
        double[] std = groupStd(returns, groupSize);
        double[] mean = groupMean(returns, groupSize);
        double[] perRow = new double[returns.length];
        for (int i = 0; i < returns.length; i++) {
            int g = i / groupSize;
            perRow[i] = std[g] == 0 ? 0 : returns[i] - mean[g];
        }
        return new Advantages(Whitening.masked(spread(perRow, mask), mask, true), std);
    }

    /** (n * g) each of {@code prompts} {@code g} times in a row: the rows of a group of responses to each prompt. */
    static int[] repeat(int[] prompts, int g) {
        int[] rows = new int[prompts.length * g];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = prompts[i / g];
        }
        return rows;
    }

    /** (B) each row's return: the sum of its per-token rewards {@code rewards} (B, A) at valid tokens. */
    public static double[] returns(double[][] rewards, double[][] mask) {
        double[] out = new double[rewards.length];
        for (int i = 0; i < rewards.length; i++) {
            for (int t = 0; t < rewards[i].length; t++) {
                out[i] += mask[i][t] != 0 ? rewards[i][t] : 0;
            }
        }
        return out;
    }

    /**
     * DAPO's dynamic sampling filter (Yu et al. 2025, eq. 11) as a mask: (B, A) {@code mask} with the
     * rows of every group whose {@code scores} (B) all tie set to 0, so that the losses leave out
     * groups that carry no signal instead of diluting the others' tokens.
     */
    public static double[][] withoutTiedGroups(double[][] mask, double[] scores, int groupSize) {
        double[] std = groupStd(scores, groupSize);
        double[][] out = new double[mask.length][];
        for (int i = 0; i < mask.length; i++) {
            out[i] = std[i / groupSize] == 0 ? new double[mask[i].length] : mask[i].clone();
        }
        return out;
    }

    /** (B / G) the mean return of each group. */
    static double[] groupMean(double[] returns, int groupSize) {
        double[] mean = new double[groups(returns, groupSize)];
        for (int i = 0; i < returns.length; i++) {
            mean[i / groupSize] += returns[i] / groupSize;
        }
        return mean;
    }

    /** (B / G) the unbiased std of each group's returns; exactly 0 when they all tie or the group has one row. */
    static double[] groupStd(double[] returns, int groupSize) {
        double[] mean = groupMean(returns, groupSize);
        double[] std = new double[mean.length];
        for (int g = 0; g < mean.length; g++) {
            boolean tie = true;
            double squares = 0;
            for (int i = g * groupSize; i < (g + 1) * groupSize; i++) {
                tie &= returns[i] == returns[g * groupSize];
                squares += (returns[i] - mean[g]) * (returns[i] - mean[g]);
            }
            std[g] = tie ? 0 : Math.sqrt(squares / (groupSize - 1));
        }
        return std;
    }

    /** (B, A) {@code perRow[i]} at the valid tokens of row {@code i}. */
    static double[][] spread(double[] perRow, double[][] mask) {
        double[][] out = new double[mask.length][];
        for (int i = 0; i < mask.length; i++) {
            out[i] = new double[mask[i].length];
            for (int t = 0; t < mask[i].length; t++) {
                out[i][t] = mask[i][t] != 0 ? perRow[i] : 0;
            }
        }
        return out;
    }

    private static int groups(double[] returns, int groupSize) {
        if (groupSize < 1 || returns.length % groupSize != 0) {
            throw new IllegalArgumentException(returns.length + " rows do not split into groups of " + groupSize);
        }
        return returns.length / groupSize;
    }
}
