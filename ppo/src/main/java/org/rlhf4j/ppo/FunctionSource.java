package org.rlhf4j.ppo;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.reward.RewardFunction;
import org.rlhf4j.core.reward.RewardInput;

/** A {@link RewardFunction} (built-in rule or user class) as a reward source. */
final class FunctionSource implements RewardSource {

    private final String name;
    private final RewardFunction function;

    FunctionSource(String name, RewardFunction function) {
        this.name = name;
        this.function = function;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<String> problem(RewardInput prompt) {
        return function.problem(prompt);
    }

    @Override
    public double[] score(ScoringBatch batch, int[] rows, NDManager scope) {
        List<RewardInput> inputs = new ArrayList<>(rows.length);
        for (int r : rows) {
            inputs.add(batch.inputs().get(r));
        }
        double[] scores = function.score(inputs);
        if (scores == null || scores.length != rows.length) {
            throw new UserException("reward source '" + name + "' (" + function.getClass().getName()
                    + ") returned " + (scores == null ? "null" : scores.length + " scores") + " for " + rows.length
                    + " responses");
        }
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new UserException("reward source '" + name + "' returned " + scores[i]
                        + " for the response '" + inputs.get(i).response() + "'; scores must be finite");
            }
        }
        return scores;
    }
}
