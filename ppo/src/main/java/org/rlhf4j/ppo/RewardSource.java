package org.rlhf4j.ppo;

import ai.djl.ndarray.NDManager;

/** A named producer of one raw score per response: a reward model or a {@link org.rlhf4j.core.reward.RewardFunction}. */
interface RewardSource extends AutoCloseable {

    /** The source's name in {@code rewards.sources} (and in the metrics). */
    String name();

    /**
     * Raw scores of the given rows of {@code batch}, in the order of {@code rows}; arrays made on
     * the way live in sub-managers of {@code scope} that are closed before returning.
     */
    double[] score(ScoringBatch batch, int[] rows, NDManager scope);

    @Override
    default void close() {}
}
