package org.rlhf4j.ppo;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * Per-token estimators of {@code KL(pi || pi_ref)} from the sampled token's log-probs
 * (Schulman, "Approximating KL divergence", 2020), with {@code d = log pi_ref - log pi}.
 */
public enum KlEstimator implements ConfigEnum {
    /** {@code -d = log pi - log pi_ref}: unbiased, can be negative per token (TRL's default). */
    K1,
    /** {@code exp(d) - 1 - d}: unbiased, never negative, lower variance. */
    K3;

    /** The estimate for one token. */
    public double of(double logp, double refLogp) {
        double d = refLogp - logp;
        return switch (this) {
            case K1 -> -d;
            case K3 -> Math.expm1(d) - d;
        };
    }

    /** {@code k1} or {@code k3} as written in {@code ppo.kl_estimator}. */
    @JsonCreator
    public static KlEstimator fromName(String name) {
        return ConfigEnum.parse(KlEstimator.class, "ppo.kl_estimator", name);
    }
}
