package org.rlhf4j.ppo;

import java.util.List;
import org.rlhf4j.core.reward.RewardInput;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.datasets.PromptRecord;

/**
 * What reward sources score: the rollout batch, the prompt records its rows came from, and the
 * same rows as {@link RewardInput}s for text-level functions. Index {@code b} of each list is row
 * {@code b} of the batch.
 */
record ScoringBatch(RolloutBatch rollout, List<PromptRecord> prompts, List<RewardInput> inputs,
        List<RewardRouter.Route> routes) {

    int size() {
        return prompts.size();
    }
}
