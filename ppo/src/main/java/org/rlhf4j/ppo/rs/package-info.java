/**
 * Rejection sampling, {@code rlhf4j rs} ({@link org.rlhf4j.ppo.rs.RejectionSampler}): best-of-N
 * responses by the PPO stage's reward sources, written as SFT data.
 *
 * <p>It lives in the {@code ppo} module because it is a tool over PPO's reward sources (the
 * {@code rewards:} schema, routing, conditions, weighted sum and safety gate are
 * {@link org.rlhf4j.ppo.RewardSources}'), not a stage of its own.
 *
 * <p>Decisions:
 * <ul>
 *   <li>N samples of a prompt are N rows of the same generation batch (the prompt repeated), and
 *       row {@code p * N + k} of the whole run draws from the generator seeded by
 *       {@code (seed, p * N + k)}: outputs do not depend on {@code rs.batch_size}, and with N = 1
 *       the responses are exactly what the engine samples for the prompt list with the same seed.
 *   <li>The best candidate is the first with the highest combined score. Sources with
 *       {@code whiten: true} and the safety gate's whitening work over the scoring batch
 *       ({@code batch_size * N} rows), as in PPO; whitening one source keeps its order, but with
 *       several whitened sources the weights are relative to the batch.
 *   <li>{@code rs.min_score} compares the best combined score; dropped prompts still appear in
 *       {@code samples.jsonl} and count in the means of {@code summary.json}.
 *   <li>{@code rs.pairs} writes best-vs-worst preference pairs labelled by the same sources (the
 *       new comparisons of InternLM2's COOL RLHF rounds), with {@code rs.pairs_with} earlier
 *       preference files copied in front, so a reward model can continue on old + new comparisons.
 * </ul>
 */
package org.rlhf4j.ppo.rs;
