package org.rlhf4j.ppo;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * How advantages are estimated ({@code ppo.advantage}): GAE with a learned critic, or a critic-free
 * baseline from the other responses to the same prompt ({@link GroupAdvantages}).
 */
public enum AdvantageEstimator implements ConfigEnum {
    /** Generalised advantage estimation over the critic's values, whitened over the batch ({@link Gae}). */
    GAE,
    /** GRPO (Shao et al. 2024): the return minus its group's mean, divided by the group's std ({@code scale_rewards}). */
    GRPO,
    /** RLOO (Ahmadian et al. 2024): the return minus the mean of the other responses of its group. */
    RLOO,
    /** REINFORCE++-baseline (Hu et al. 2025): the return minus its group's mean, whitened over the batch's tokens. */
    REINFORCE_BASELINE;

    /** Whether the estimator needs a critic (a value model is loaded and trained only then). */
    public boolean needsCritic() {
        return switch (this) {
            case GAE -> true;
            case GRPO, RLOO, REINFORCE_BASELINE -> false;
        };
    }

    /** {@code gae}, {@code grpo}, {@code rloo} or {@code reinforce_baseline}. */
    @JsonCreator
    public static AdvantageEstimator fromName(String name) {
        return ConfigEnum.parse(AdvantageEstimator.class, "ppo.advantage", name);
    }
}
