package org.rlhf4j.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonCreator;
import org.rlhf4j.core.ops.MaskedReductions;
import org.rlhf4j.core.ops.Scalars;

/**
 * How per-token losses become one scalar ({@code ppo.loss_agg}); the names are veRL's. Every mode
 * ignores masked tokens, and all are linear in the per-token loss, so the sum of two aggregated
 * losses is the aggregate of their sum.
 */
public enum LossAggregation implements ConfigEnum {
    /** {@code sum(l * m) / sum(m)}: every valid token of the minibatch weighs the same (TRL's PPO, DAPO). */
    TOKEN_MEAN,
    /** The mean over rows with a valid token of each row's token mean (the GRPO paper's {@code 1/|o_i|}). */
    SEQ_MEAN_TOKEN_MEAN,
    /**
     * {@code sum(l * m) / (B * L)} with the constant {@code L = max_new_tokens} (Dr.GRPO, Liu et al.
     * 2025): no per-length normaliser, so long and short responses are not weighted differently.
     */
    SEQ_MEAN_TOKEN_SUM_NORM;

    /**
     * The scalar loss of {@code perToken}.
     *
     * @param perToken (B, A) per-token losses (in the graph)
     * @param mask (B, A) 1 at the tokens that count
     * @param maxLength {@code L}, the longest possible response (read by {@link #SEQ_MEAN_TOKEN_SUM_NORM} only)
     */
    public NDArray aggregate(NDArray perToken, NDArray mask, int maxLength) {
        NDManager m = perToken.getManager();
        return switch (this) {
            case TOKEN_MEAN -> MaskedReductions.mean(perToken, mask);
            case SEQ_MEAN_TOKEN_MEAN -> {
                NDArray counts = mask.sum(new int[] {1}); // (B)
                NDArray rowMeans = perToken.mul(mask).sum(new int[] {1}).div(counts.maximum(Scalars.of(m, 1))); // (B)
                NDArray rows = counts.gt(Scalars.of(m, 0)).toType(perToken.getDataType(), false); // (B)
                yield rowMeans.mul(rows).sum().div(rows.sum().maximum(Scalars.of(m, 1)));
            }
            case SEQ_MEAN_TOKEN_SUM_NORM -> perToken.mul(mask).sum()
                    .div(Scalars.of(m, (double) perToken.getShape().get(0) * maxLength));
        };
    }

    /** {@code token_mean}, {@code seq_mean_token_mean} or {@code seq_mean_token_sum_norm}. */
    @JsonCreator
    public static LossAggregation fromName(String name) {
        return ConfigEnum.parse(LossAggregation.class, "ppo.loss_agg", name);
    }
}
