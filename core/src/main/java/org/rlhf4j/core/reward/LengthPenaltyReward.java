package org.rlhf4j.core.reward;

import java.util.List;
import java.util.Map;

/**
 * {@code length_penalty}: {@code -per_token * max(0, n - free_tokens)} for a response of
 * {@code n} tokens (the EOS included), with {@code per_token} default 0.01 and
 * {@code free_tokens} default 0. A negative {@code per_token} turns it into a length bonus.
 */
public final class LengthPenaltyReward implements RewardFunction {

    private double perToken = 0.01;
    private int freeTokens;

    @Override
    public void configure(Map<String, Object> options) {
        RewardOptions o = RewardOptions.of(name(), options).requireOnly("per_token", "free_tokens");
        perToken = o.number("per_token", 0.01);
        double free = o.number("free_tokens", 0);
        if (free < 0 || free != Math.rint(free)) {
            throw new IllegalArgumentException("length_penalty: option 'free_tokens' must be a whole number >= 0, got "
                    + free);
        }
        freeTokens = (int) free;
    }

    @Override
    public double[] score(List<RewardInput> batch) {
        double[] out = new double[batch.size()];
        for (int i = 0; i < out.length; i++) {
            int excess = Math.max(0, batch.get(i).responseIds().length - freeTokens);
            out[i] = excess == 0 ? 0 : -perToken * excess; // not -0.0 in logs
        }
        return out;
    }

    @Override
    public String name() {
        return "length_penalty";
    }
}
