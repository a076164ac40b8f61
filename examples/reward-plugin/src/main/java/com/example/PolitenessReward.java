package com.example;

import java.util.List;
import java.util.Map;
import org.rlhf4j.core.reward.RewardFunction;
import org.rlhf4j.core.reward.RewardInput;
import org.rlhf4j.core.reward.RewardOptions;

/** The README's example plug-in: 1 when the response contains a polite word, else 0. */
public class PolitenessReward implements RewardFunction {
    private List<String> words = List.of("please", "thank");

    @Override
    public void configure(Map<String, Object> options) {
        RewardOptions.of(name(), options).requireOnly("words");
        if (options.get("words") instanceof List<?> list) {
            words = list.stream().map(Object::toString).toList();
        }
    }

    @Override
    public double[] score(List<RewardInput> batch) {
        return batch.stream().mapToDouble(r -> words.stream().anyMatch(r.response().toLowerCase()::contains) ? 1 : 0)
                .toArray();
    }

    @Override
    public String name() {
        return "politeness";
    }
}
