/**
 * Reward functions shared by every stage that scores text (PPO, rejection sampling): the
 * {@link org.rlhf4j.core.reward.RewardFunction} interface that user classes implement, its input
 * record, the built-in rules and the lookup by name.
 *
 * <p>Decisions: functions see text and metadata, never arrays (reward models are a stage's
 * business, scored on the rollout batch); options arrive as a map through
 * {@code configure(options)} so that built-ins and user classes are configured alike and an
 * unknown option is an error; lookup order is built-in name, then ServiceLoader registrations
 * (by {@code name()} or class name), then {@code Class.forName}.
 */
package org.rlhf4j.core.reward;
