package org.rlhf4j.ppo;

import com.fasterxml.jackson.annotation.JsonCreator;

/** Where the KL penalty against the reference acts ({@code ppo.kl_in}). */
public enum KlPlacement implements ConfigEnum {
    /** {@code -kl_coef * KL_t} in every token's reward (InstructGPT, TRL's PPO; {@link TokenRewards}). */
    REWARD,
    /** {@code kl_coef * KL_t} of the policy being trained, added to the per-token loss (GRPO, TRL's GRPO trainer). */
    LOSS;

    /** {@code reward} or {@code loss}. */
    @JsonCreator
    public static KlPlacement fromName(String name) {
        return ConfigEnum.parse(KlPlacement.class, "ppo.kl_in", name);
    }
}
