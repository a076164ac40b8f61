package org.rlhf4j.core.rollout;

/**
 * How the {@link RolloutEngine} runs its forward passes.
 *
 * @param decoding recompute, the KV cache, or the KV cache with fused inference weights
 * @param decodeThreads libtorch intra-op threads during the decode steps (0: leave the process
 *     setting alone); restored afterwards. The prefill runs with the process setting.
 */
public record EngineOptions(DecodeMode decoding, int decodeThreads) {

    public EngineOptions {
        if (decoding == null) {
            throw new IllegalArgumentException("decoding must be set");
        }
        if (decodeThreads < 0) {
            throw new IllegalArgumentException("decodeThreads must be >= 0, got " + decodeThreads);
        }
    }

    /**
     * The fused KV-cache decoder with one decode thread: a decode step is a hundred-odd small
     * ops, and with two threads on a shared machine a descheduled worker stalls every op
     * (measured on the 2-core machine under load: 1.2-290 ms per step with 2 threads against
     * 1.5-2.7 ms with 1, batch 1, benchmark config).
     */
    public static EngineOptions defaults() {
        return new EngineOptions(DecodeMode.FUSED_KV_CACHE, 1);
    }
}
