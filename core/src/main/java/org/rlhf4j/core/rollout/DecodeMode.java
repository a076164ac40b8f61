package org.rlhf4j.core.rollout;

/** How the {@link RolloutEngine} computes the logits of each new token. */
public enum DecodeMode {
    /**
     * Every step recomputes the whole sequence: the reference the cache is tested and
     * benchmarked against.
     */
    RECOMPUTE,
    /** Each new token goes once through the model's general forward pass, over cached keys and values. */
    KV_CACHE,
    /**
     * As {@link #KV_CACHE}, but decode steps run through a {@link org.rlhf4j.core.model.FusedDecoder}
     * (norm gains and the attention scale folded into fused q/k/v and gate/up projections,
     * rotary positions as one matmul): fewer than half the libtorch calls per step, for the
     * memory of one copy of those weights during the generation.
     */
    FUSED_KV_CACHE;

    /** Whether the steps after the prefill attend over a key/value cache. */
    public boolean cached() {
        return this != RECOMPUTE;
    }
}
