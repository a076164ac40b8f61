package org.rlhf4j.core.reward;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A reward computed from text and metadata: one score per response of a batch. Built-in rules
 * ({@link ExactAnswerReward}, {@link RegexReward}, {@link LengthPenaltyReward}) and user classes
 * implement it; a stage finds an implementation by name with {@link RewardFunctions#load}.
 *
 * <p>A user implementation needs a public no-argument constructor and is named in the config by
 * its fully qualified class name, or by its {@link #name} when it is registered for
 * {@link java.util.ServiceLoader} in {@code META-INF/services/org.rlhf4j.core.reward.RewardFunction}.
 * Scores are raw: weighting, whitening and the KL penalty are the stage's business. Calls come
 * from the training thread, one batch at a time.
 */
public interface RewardFunction {

    /**
     * Scores every response of {@code batch}.
     *
     * @return one finite score per input, in order
     */
    double[] score(List<RewardInput> batch);

    /**
     * Why this function could not score any response to {@code prompt} (a {@link RewardInput}
     * whose response is empty), or empty when it can. A stage asks this of every prompt routed to
     * the function before its first step, so that a record missing what the function needs is
     * named with its {@code FILE:LINE} at once rather than when a batch first samples it. The
     * default finds nothing to object to.
     */
    default Optional<String> problem(RewardInput prompt) {
        return Optional.empty();
    }

    /**
     * Receives the source's {@code options:} from the config once, before the first batch. The
     * default accepts none, so a misspelt option of a function that takes none is an error.
     *
     * @throws IllegalArgumentException for an unknown or malformed option
     */
    default void configure(Map<String, Object> options) {
        RewardOptions.of(getClass().getSimpleName(), options).requireOnly();
    }

    /** The name a config may use for a ServiceLoader-registered function; the simple class name by default. */
    default String name() {
        return getClass().getSimpleName();
    }
}
