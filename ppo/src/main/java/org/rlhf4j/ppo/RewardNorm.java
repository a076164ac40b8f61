package org.rlhf4j.ppo;

import com.fasterxml.jackson.annotation.JsonCreator;

/** How scores are normalised before they become the last token's reward ({@code ppo.reward_norm}). */
public enum RewardNorm implements ConfigEnum {
    /** Scores as they are (after the EOS penalty). */
    NONE,
    /** {@code (score - mean) / (std + 1e-8)} by the {@link RunningMoments} of every score so far, this batch's too. */
    RUNNING;

    /** {@code none} or {@code running}. */
    @JsonCreator
    public static RewardNorm fromName(String name) {
        return ConfigEnum.parse(RewardNorm.class, "ppo.reward_norm", name);
    }
}
