package org.rlhf4j.ppo;

import ai.djl.ndarray.NDManager;
import java.util.Optional;
import org.rlhf4j.core.reward.RewardInput;

/** A named producer of one raw score per response: a reward model or a {@link org.rlhf4j.core.reward.RewardFunction}. */
interface RewardSource extends AutoCloseable {

    /** The source's name in {@code rewards.sources} (and in the metrics). */
    String name();

    /**
     * Raw scores of the given rows of {@code batch}, in the order of {@code rows}; arrays made on
     * the way live in sub-managers of {@code scope} that are closed before returning.
     */
    double[] score(ScoringBatch batch, int[] rows, NDManager scope);

    /**
     * Why this source could not score any response to {@code prompt} (its response empty), or
     * empty when it can ({@link org.rlhf4j.core.reward.RewardFunction#problem}); reward models
     * score any prompt.
     */
    default Optional<String> problem(RewardInput prompt) {
        return Optional.empty();
    }

    @Override
    default void close() {}
}
