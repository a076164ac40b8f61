package org.rlhf4j.ppo;

import java.util.List;
import java.util.Map;
import org.rlhf4j.core.reward.RewardFunction;
import org.rlhf4j.core.reward.RewardInput;
import org.rlhf4j.core.reward.RewardOptions;

/** A user reward function as a user would write one: 1 when the response starts with {@code prefix}, else 0. */
public class StartsWithReward implements RewardFunction {

    private String prefix = "a";

    @Override
    public void configure(Map<String, Object> options) {
        prefix = RewardOptions.of(name(), options).requireOnly("prefix").string("prefix", "a");
    }

    @Override
    public double[] score(List<RewardInput> batch) {
        return batch.stream().mapToDouble(r -> r.response().startsWith(prefix) ? 1 : 0).toArray();
    }

    @Override
    public String name() {
        return "starts_with";
    }
}
