package org.rlhf4j.core.rollout;

/**
 * How the {@link RolloutEngine} runs its forward passes.
 *
 * @param kvCache true: each new token goes through the model once, attending over cached keys
 *     and values; false: every step recomputes the whole sequence (the reference the cache is
 *     tested and benchmarked against)
 * @param decodeThreads libtorch intra-op threads during the decode steps (0: leave the process
 *     setting alone); restored afterwards. The prefill runs with the process setting.
 */
public record EngineOptions(boolean kvCache, int decodeThreads) {

    public EngineOptions {
        if (decodeThreads < 0) {
            throw new IllegalArgumentException("decodeThreads must be >= 0, got " + decodeThreads);
        }
    }

    /**
     * The KV cache, decoding with one thread: a decode step is hundreds of small ops, and with two
     * threads on a shared machine a descheduled worker stalls every op (measured on the 2-core
     * machine under load: 1.2-290 ms per step with 2 threads against 1.5-2.7 ms with 1, batch 1,
     * benchmark config).
     */
    public static EngineOptions defaults() {
        return new EngineOptions(true, 1);
    }
}
