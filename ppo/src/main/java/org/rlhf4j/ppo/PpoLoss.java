package org.rlhf4j.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.rlhf4j.core.ops.MaskedReductions;
import org.rlhf4j.core.ops.Scalars;

/**
 * The clipped PPO losses (Schulman et al. 2017, eq. 7; the value clipping of OpenAI's baselines
 * that TRL and OpenRLHF keep), averaged over the valid tokens of a minibatch. Inputs are (B, A)
 * float32, {@code mask} 1 at response tokens. Constants are torch-made scalars, never Java
 * numbers (DJL-NOTES item 2), so the losses are safe inside a gradient collector.
 */
public final class PpoLoss {

    private PpoLoss() {}

    /**
     * @param loss scalar {@code agg(max(-A r, -A clip(r, 1 - eps_low, 1 + eps_high)))}, {@code r = exp(logp - logp_old)}
     * @param clipFraction scalar, share of tokens where the clipped term was taken
     * @param approxKl scalar {@code 0.5 * mean((logp - logp_old)^2)}, TRL's {@code approxkl}
     * @param clipLow scalar, share of tokens with {@code r < 1 - eps_low} and {@code A < 0} (TRL's {@code clip_ratio/low_mean})
     * @param clipHigh scalar, share of tokens with {@code r > 1 + eps_high} and {@code A > 0} ({@code clip_ratio/high_mean})
     */
    public record PolicyResult(NDArray loss, NDArray clipFraction, NDArray approxKl, NDArray clipLow,
            NDArray clipHigh) {}

    /**
     * @param loss scalar {@code 0.5 * mean(max((V - R)^2, (V_old + clip(V - V_old, -eps, eps) - R)^2))}
     * @param clipFraction scalar, share of tokens where the clipped term was larger
     */
    public record ValueResult(NDArray loss, NDArray clipFraction) {}

    /**
     * The clipped surrogate policy loss.
     *
     * @param logps (B, A) {@code log pi(a_t|s_t)} of the policy being trained (in the graph)
     * @param oldLogps (B, A) {@code log pi_old(a_t|s_t)} recorded at rollout
     * @param advantages (B, A) whitened advantages
     * @param mask (B, A) 1 at response tokens
     * @param cliprange {@code eps}
     */
    public static PolicyResult policy(NDArray logps, NDArray oldLogps, NDArray advantages, NDArray mask,
            double cliprange) {
        return policy(logps, oldLogps, advantages, mask, cliprange, cliprange, LossAggregation.TOKEN_MEAN, 0);
    }

    /**
     * The clipped surrogate with DAPO's decoupled clip range (Yu et al. 2025, eq. 10) and the loss
     * aggregated by {@code agg}; with {@code clipLow == clipHigh} and {@code token_mean} it is PPO's.
     *
     * @param clipLow {@code eps_low}: the ratio is clipped below at {@code 1 - eps_low}
     * @param clipHigh {@code eps_high}: the ratio is clipped above at {@code 1 + eps_high}
     * @param maxLength the constant normaliser of {@link LossAggregation#SEQ_MEAN_TOKEN_SUM_NORM}
     */
    public static PolicyResult policy(NDArray logps, NDArray oldLogps, NDArray advantages, NDArray mask,
            double clipLow, double clipHigh, LossAggregation agg, int maxLength) {
        NDManager m = logps.getManager();
        NDArray logRatio = logps.sub(oldLogps); // (B, A)
        NDArray ratio = logRatio.exp(); // (B, A)
        NDArray clipped = ratio.maximum(Scalars.of(m, 1 - clipLow)).minimum(Scalars.of(m, 1 + clipHigh)); // (B, A)
        NDArray unclippedLoss = advantages.neg().mul(ratio); // (B, A)
        NDArray clippedLoss = advantages.neg().mul(clipped); // (B, A)
        NDArray loss = agg.aggregate(unclippedLoss.maximum(clippedLoss), mask, maxLength);
        NDArray clipFraction = MaskedReductions.mean(clippedLoss.gt(unclippedLoss).toType(DataType.FLOAT32, false), mask);
        NDArray approxKl = MaskedReductions.mean(logRatio.square(), mask).mul(Scalars.of(m, 0.5));
        NDArray zero = Scalars.of(m, 0);
        NDArray low = ratio.lt(Scalars.of(m, 1 - clipLow)).logicalAnd(advantages.lt(zero)); // (B, A)
        NDArray high = ratio.gt(Scalars.of(m, 1 + clipHigh)).logicalAnd(advantages.gt(zero)); // (B, A)
        return new PolicyResult(loss, clipFraction, approxKl, MaskedReductions.mean(low.toType(DataType.FLOAT32, false), mask),
                MaskedReductions.mean(high.toType(DataType.FLOAT32, false), mask));
    }

    /**
     * The clipped value loss.
     *
     * @param values (B, A) {@code V(s_t)} of the critic being trained (in the graph)
     * @param oldValues (B, A) values at rollout
     * @param returns (B, A) GAE returns
     * @param mask (B, A) 1 at response tokens
     * @param cliprangeValue {@code eps} of the value clipping
     */
    public static ValueResult value(NDArray values, NDArray oldValues, NDArray returns, NDArray mask,
            double cliprangeValue) {
        NDManager m = values.getManager();
        NDArray step = values.sub(oldValues).maximum(Scalars.of(m, -cliprangeValue)).minimum(Scalars.of(m, cliprangeValue));
        NDArray clippedValues = oldValues.add(step); // (B, A)
        NDArray unclippedLoss = values.sub(returns).square(); // (B, A)
        NDArray clippedLoss = clippedValues.sub(returns).square(); // (B, A)
        NDArray loss = MaskedReductions.mean(unclippedLoss.maximum(clippedLoss), mask).mul(Scalars.of(m, 0.5));
        NDArray clipFraction = MaskedReductions.mean(clippedLoss.gt(unclippedLoss).toType(DataType.FLOAT32, false), mask);
        return new ValueResult(loss, clipFraction);
    }
}
