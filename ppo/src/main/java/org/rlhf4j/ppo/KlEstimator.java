package org.rlhf4j.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonCreator;
import org.rlhf4j.core.ops.Scalars;

/**
 * Per-token estimators of {@code KL(pi || pi_ref)} from the sampled token's log-probs
 * (Schulman, "Approximating KL divergence", 2020), with {@code d = log pi_ref - log pi = log r}.
 */
public enum KlEstimator implements ConfigEnum {
    /** {@code -d = log pi - log pi_ref}: unbiased, can be negative per token (TRL's default). */
    K1,
    /** {@code 0.5 * d^2}: biased, never negative, low variance. */
    K2,
    /** {@code exp(d) - 1 - d}: unbiased, never negative, lower variance. */
    K3;

    /** The estimate for one token. */
    public double of(double logp, double refLogp) {
        double d = refLogp - logp;
        return switch (this) {
            case K1 -> -d;
            case K2 -> 0.5 * d * d;
            case K3 -> Math.expm1(d) - d;
        };
    }

    /**
     * The per-token estimates in the graph (the KL term of the loss, {@code kl_in: loss}); constants are
     * torch-made scalars (DJL-NOTES item 2).
     *
     * @param logps (B, A) {@code log pi} of the policy being trained
     * @param refLogps (B, A) {@code log pi_ref}
     * @return (B, A) the estimate at every position (pads included: mask them when aggregating)
     */
    public NDArray of(NDArray logps, NDArray refLogps) {
        NDManager m = logps.getManager();
        NDArray d = refLogps.sub(logps); // (B, A)
        return switch (this) {
            case K1 -> d.neg();
            case K2 -> d.square().mul(Scalars.of(m, 0.5));
            case K3 -> d.exp().sub(Scalars.of(m, 1)).sub(d);
        };
    }

    /** {@code k1}, {@code k2} or {@code k3} as written in {@code ppo.kl_estimator}. */
    @JsonCreator
    public static KlEstimator fromName(String name) {
        return ConfigEnum.parse(KlEstimator.class, "ppo.kl_estimator", name);
    }
}
