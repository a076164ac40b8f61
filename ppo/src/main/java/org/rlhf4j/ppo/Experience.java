package org.rlhf4j.ppo;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.List;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.datasets.PromptRecord;

/**
 * One scored rollout batch, everything the update phase reads, on the Java side (B rows, A
 * response columns; every per-token array is 0 at pads).
 *
 * @param batch the rollout: ids, masks, response texts (its arrays live in the iteration's scope)
 * @param prompts the prompt record of each row
 * @param mask (B, A) 1 at response tokens
 * @param lossMask (B, A) 1 at the response tokens the losses count: {@code mask}, except that dynamic
 *     sampling zeroes the rows of groups whose scores all tie
 * @param logps (B, A) {@code log pi_old(a_t|s_t)} recorded at sampling, the ratio's denominator
 * @param refLogps (B, A) {@code log pi_ref(a_t|s_t)}, the reference policy
 * @param values (B, A) {@code V_old(s_t)}, the critic at rollout time (0 without a critic)
 * @param kl (B, A) per-token KL estimate against the reference
 * @param rewards (B, A) {@code -beta * kl_t} (0 with {@code kl_in: loss}), plus the score at the last response token
 * @param advantages (B, A) GAE advantages whitened over the batch's valid tokens, or group advantages
 *     ({@link GroupAdvantages})
 * @param returns (B, A) GAE returns, the critic's targets (the advantages without a critic: unused)
 * @param scores (B) the score each response got (after the EOS penalty, before normalisation)
 * @param rewardScores every source's raw scores
 * @param klCoef the {@code beta} used
 * @param rewardMoments the running moments of the scores with this batch's folded in (what a
 *     checkpoint after this iteration saves)
 */
record Experience(
        RolloutBatch batch,
        List<PromptRecord> prompts,
        double[][] mask,
        double[][] lossMask,
        double[][] logps,
        double[][] refLogps,
        double[][] values,
        double[][] kl,
        double[][] rewards,
        double[][] advantages,
        double[][] returns,
        double[] scores,
        RewardSources.Scores rewardScores,
        double klCoef,
        RunningMoments rewardMoments) {

    /** A row-major (b, a) float array as {@code b} rows of {@code a}. */
    static double[][] perToken(NDArray x, int b, int a) {
        float[] flat = x.toFloatArray();
        double[][] out = new double[b][a];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < a; j++) {
                out[i][j] = flat[i * a + j];
            }
        }
        return out;
    }

    int rows() {
        return mask.length;
    }

    /** The mean per-sequence KL to the reference ({@code objective/kl}; what the adaptive controller follows). */
    double meanKl() {
        return meanSequenceSum(kl);
    }

    /** The mean of the raw combined scores ({@code objective/scores}). */
    double meanRawScore() {
        return Arrays.stream(rewardScores.rawCombined()).average().orElse(Double.NaN);
    }

    /**
     * Whether the batch's mean score and KL are finite; an update on a batch where either is not
     * (a reward source returned NaN, the policy left the reference's support) would learn from noise.
     */
    boolean finite() {
        return Double.isFinite(meanRawScore()) && Double.isFinite(meanKl());
    }

    /** Response tokens generated in the batch. */
    long responseTokens() {
        return Math.round(meanSequenceSum(mask) * rows());
    }

    /** Mean over rows of the summed per-token values of {@code perToken} (TRL's per-sequence means). */
    double meanSequenceSum(double[][] perToken) {
        double total = 0;
        for (int b = 0; b < perToken.length; b++) {
            for (int t = 0; t < perToken[b].length; t++) {
                total += perToken[b][t] * mask[b][t];
            }
        }
        return total / Math.max(1, perToken.length);
    }

    /** Mean over valid tokens of {@code perToken}. */
    double meanToken(double[][] perToken) {
        double total = 0;
        double n = 0;
        for (int b = 0; b < perToken.length; b++) {
            for (int t = 0; t < perToken[b].length; t++) {
                total += perToken[b][t] * mask[b][t];
                n += mask[b][t];
            }
        }
        return n == 0 ? Double.NaN : total / n;
    }
}
