package org.rlhf4j.ppo;

import org.rlhf4j.core.rollout.FinishReason;
import org.rlhf4j.core.rollout.RolloutBatch;

/**
 * The per-token rewards of a rollout batch (Ziegler et al. 2019, eq. 2; TRL's {@code compute_rewards}):
 * {@code r_t = -beta * KL_t} at every response token, plus the response's shaped score at its last
 * token. Shaping, in this order: the EOS penalty is subtracted from the score of a response that
 * hit {@code max_new_tokens}, and DAPO's soft overlong penalty ({@link #overlongPenalty}) from that of a
 * response that reached the overlong buffer; with {@code reward_norm: running} the score is normalised by the
 * running moments of every score so far (this batch's included); with {@code reward_clip} it is
 * clipped to {@code [-c, c]}. Pads get 0, and a row without response tokens gets no reward at all.
 */
final class TokenRewards {

    /** Added to the running std so that a constant score stream does not divide by zero. */
    private static final double NORM_EPS = 1e-8;

    private TokenRewards() {}

    /**
     * One batch's rewards.
     *
     * @param scores (B) the scores after the EOS penalty, before normalisation (what the metrics log)
     * @param used (B) the scores after normalisation and clipping, added at each row's last token
     * @param rewards (B, A) {@code -beta * KL_t}, plus {@code used} at the last response token; 0 at pads
     * @param moments the running moments with this batch's scores folded in (unchanged without
     *     {@code reward_norm: running})
     */
    record Shaped(double[] scores, double[] used, double[][] rewards, RunningMoments moments) {}

    /** (B) whether each response of {@code batch} stopped at {@code max_new_tokens} instead of at EOS. */
    static boolean[] missingEos(RolloutBatch batch) {
        boolean[] missing = new boolean[batch.batchSize()];
        for (int i = 0; i < missing.length; i++) {
            missing[i] = batch.rows().get(i).finishReason() == FinishReason.LENGTH;
        }
        return missing;
    }

    /**
     * The per-token KL estimates against the reference, 0 at pads.
     *
     * @param logps (B, A) {@code log pi_old(a_t|s_t)}, the rollout policy
     * @param refLogps (B, A) {@code log pi_ref(a_t|s_t)}
     * @param mask (B, A) 1 at response tokens
     */
    static double[][] kl(double[][] logps, double[][] refLogps, double[][] mask, KlEstimator estimator) {
        double[][] kl = new double[mask.length][];
        for (int i = 0; i < mask.length; i++) {
            kl[i] = new double[mask[i].length];
            for (int j = 0; j < mask[i].length; j++) {
                if (mask[i][j] != 0) {
                    kl[i][j] = estimator.of(logps[i][j], refLogps[i][j]);
                }
            }
        }
        return kl;
    }

    /**
     * DAPO's soft overlong punishment (Yu et al. 2025, eq. 13), as a positive amount to subtract: 0 up
     * to {@code L - buffer} tokens, then rising linearly to {@code weight} at {@code L = maxNewTokens}
     * ({@code weight * (length - (L - buffer)) / buffer}). Responses cannot be longer than {@code L},
     * so the paper's -1 beyond it never applies.
     */
    static double overlongPenalty(int length, int maxNewTokens, int buffer, double weight) {
        int free = maxNewTokens - buffer;
        return length <= free ? 0 : weight * Math.min(length - free, buffer) / buffer;
    }

    /**
     * (B) {@code scores} less the EOS penalty of responses that hit {@code max_new_tokens} and the
     * overlong penalty of each response's length (its valid tokens in {@code mask}, (B, A)).
     */
    static double[] penalised(double[] scores, double[][] mask, boolean[] missingEos, PpoOptions.Shaping options) {
        double[] penalised = scores.clone();
        for (int i = 0; i < scores.length; i++) {
            if (options.missingEosPenalty() != null && missingEos[i]) {
                penalised[i] -= options.missingEosPenalty();
            }
            if (options.overlongBuffer() != null) {
                penalised[i] -= overlongPenalty((int) java.util.Arrays.stream(mask[i]).sum(), options.maxNewTokens(),
                        options.overlongBuffer(), options.overlongPenalty());
            }
        }
        return penalised;
    }

    /**
     * Shapes {@code scores} and spreads them with the KL penalty over the response tokens.
     *
     * @param kl (B, A) per-token KL estimates, 0 at pads ({@link #kl})
     * @param scores (B) each response's combined score from the reward sources
     * @param mask (B, A) 1 at response tokens
     * @param missingEos (B) whether the response stopped at {@code max_new_tokens} instead of EOS
     * @param beta the KL coefficient of this iteration
     * @param moments the running moments of the scores before this batch
     */
    static Shaped shape(double[][] kl, double[] scores, double[][] mask, boolean[] missingEos,
            PpoOptions.Shaping options, double beta, RunningMoments moments) {
        int b = scores.length;
        double[] penalised = penalised(scores, mask, missingEos, options);
        RunningMoments updated = switch (options.norm()) {
            case NONE -> moments;
            case RUNNING -> moments.update(penalised);
        };
        double[] used = new double[b];
        for (int i = 0; i < b; i++) {
            double score = switch (options.norm()) {
                case NONE -> penalised[i];
                case RUNNING -> (penalised[i] - updated.mean()) / (updated.std() + NORM_EPS);
            };
            used[i] = options.clip() == null ? score : Math.max(-options.clip(), Math.min(options.clip(), score));
        }
        double[][] rewards = new double[b][];
        for (int i = 0; i < b; i++) {
            rewards[i] = new double[mask[i].length];
            int last = -1;
            for (int j = 0; j < mask[i].length; j++) {
                if (mask[i][j] != 0) {
                    rewards[i][j] = -beta * kl[i][j];
                    last = j;
                }
            }
            if (last >= 0) {
                rewards[i][last] += used[i];
            }
        }
        return new Shaped(penalised, used, rewards, updated);
    }
}
