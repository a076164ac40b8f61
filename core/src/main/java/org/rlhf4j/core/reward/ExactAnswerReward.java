package org.rlhf4j.core.reward;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.rlhf4j.core.config.UserException;

/**
 * {@code exact_answer}: {@code match} (default 1) when the response equals the prompt record's
 * {@code answer}, {@code mismatch} (default 0) otherwise. Both sides are trimmed and runs of
 * whitespace collapsed; {@code ignore_case} (default false) compares case-insensitively and
 * {@code contains} (default false) accepts a response that contains the answer. A prompt without
 * an {@code answer} is an error: route such prompts elsewhere with {@code conditions:}.
 */
public final class ExactAnswerReward implements RewardFunction {

    private double match = 1;
    private double mismatch = 0;
    private boolean ignoreCase;
    private boolean contains;

    @Override
    public void configure(Map<String, Object> options) {
        RewardOptions o = RewardOptions.of(name(), options).requireOnly("match", "mismatch", "ignore_case", "contains");
        match = o.number("match", 1);
        mismatch = o.number("mismatch", 0);
        ignoreCase = o.flag("ignore_case", false);
        contains = o.flag("contains", false);
    }

    @Override
    public double[] score(List<RewardInput> batch) {
        double[] out = new double[batch.size()];
        for (int i = 0; i < out.length; i++) {
            RewardInput row = batch.get(i);
            Optional<String> problem = problem(row);
            if (problem.isPresent()) {
                throw new UserException("exact_answer: the prompt '" + abbreviate(row.prompt()) + "' "
                        + problem.get());
            }
            String response = normalise(row.response());
            String answer = normalise(row.answer());
            boolean right = contains ? response.contains(answer) : response.equals(answer);
            out[i] = right ? match : mismatch;
        }
        return out;
    }

    @Override
    public Optional<String> problem(RewardInput prompt) {
        return prompt.answer() == null
                ? Optional.of("has no \"answer\"; give every prompt routed to this source an answer")
                : Optional.empty();
    }

    @Override
    public String name() {
        return "exact_answer";
    }

    private String normalise(String text) {
        String collapsed = text.strip().replaceAll("\\s+", " ");
        return ignoreCase ? collapsed.toLowerCase(Locale.ROOT) : collapsed;
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
