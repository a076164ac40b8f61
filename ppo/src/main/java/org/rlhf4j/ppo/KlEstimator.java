package org.rlhf4j.ppo;

import java.util.Locale;

/**
 * Per-token estimators of {@code KL(pi || pi_ref)} from the sampled token's log-probs
 * (Schulman, "Approximating KL divergence", 2020), with {@code d = log pi_ref - log pi}.
 */
public enum KlEstimator {
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
    public static KlEstimator fromName(String name) {
        for (KlEstimator e : values()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("ppo.kl_estimator must be k1 or k3, got '" + name + "'");
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
