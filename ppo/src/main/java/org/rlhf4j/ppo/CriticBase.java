package org.rlhf4j.ppo;

import com.fasterxml.jackson.annotation.JsonCreator;

/** Whose frozen base weights a LoRA critic ({@code ppo.critic_lora}) sits on ({@code ppo.critic_base}). */
public enum CriticBase implements ConfigEnum {
    /** The policy's base (its LoRA adapters never apply to the critic's forward): no second trunk in memory. */
    POLICY,
    /** The reward model's base (the one reward model of {@code rewards.sources}); the value head starts as its score head. */
    REWARD_MODEL;

    /** {@code policy} or {@code reward_model}. */
    @JsonCreator
    public static CriticBase fromName(String name) {
        return ConfigEnum.parse(CriticBase.class, "ppo.critic_base", name);
    }
}
