/**
 * PPO over the shared rollout engine: actor, critic, reference and reward sources, with reward
 * plug-ins and conditions ({@link org.rlhf4j.ppo.PpoTrainer}), and its critic-free variants
 * (GRPO, RLOO, REINFORCE++-baseline, DAPO's options; {@link org.rlhf4j.ppo.GroupAdvantages}).
 *
 * <p>Decisions:
 * <ul>
 *   <li>Three phases per iteration (rollout, experience, update), TRL's formulation: per-token
 *       reward {@code -kl_coef * KL_t} plus the score at the last response token; GAE over response
 *       tokens only; advantages whitened over the batch's valid tokens; clipped policy and value
 *       losses summed ({@code vf_coef}) into one backward, then one AdamW step for the actor and one
 *       for the critic (two optimizers, critic with its own {@code critic_lr}).
 *   <li>Old log-probs are the ones recorded at sampling (same model code, no dropout), not a second
 *       forward; their agreement with the first training forward is logged as
 *       {@code policy/logprob_mismatch} (measured below 1e-4 in the end-to-end test).
 *   <li>The reference and the reward models are scored outside any gradient collector, each in a
 *       sub-manager with its weights temporarily attached, so they never build a graph and their
 *       intermediates are freed at once. Minibatches are re-padded to their own widths.
 *   <li>The critic starts from a reward model as it is, or from a causal LM with a zero value head.
 *   <li>Rewards: sources are reward model directories (conditional ones get the condition's
 *       system prompt from the config or the directory's {@code rlhf4j_conditions.json}), built-in
 *       rules and user {@link org.rlhf4j.core.reward.RewardFunction}s; routing by condition, then
 *       tag, then {@code default}; weighted sum or the Llama 2 safety gate (raw logits gated, then
 *       whitened). The EOS penalty applies before the optional running normalisation and clipping.
 *   <li>Checkpoints: the shared layout (actor as an HF directory + optimizer + trainer state) with
 *       {@code critic/} (HF directory + optimizer) and {@code ppo_state.json} (KL coefficient,
 *       running reward moments) written into the same staging directory, so all appear at once.
 *       Sampling seeds derive from (seed, iteration, row), so no RNG state needs saving; the prompt
 *       position is the trainer state's (epoch, batch).
 *   <li>The learning-rate schedule advances once per iteration; metrics are the logged iteration's,
 *       not a window mean.
 *   <li>Critic-free advantages: a group is {@code group_size} consecutive rows sharing a prompt,
 *       sampled in one batched call with their own row seeds; a row's return is the sum of its
 *       per-token rewards (veRL's convention), so the KL penalty in the reward is part of what the
 *       group compares; tied groups get advantage exactly 0. {@code train.batch_size} counts
 *       responses (TRL's GRPO), and the sampler draws {@code batch_size / group_size} prompts.
 *   <li>Dynamic sampling judges groups by the combined score after the EOS and overlong
 *       penalties; extra rounds draw the next prompt batches (the saved position moves with them)
 *       and row seeds past every iteration's, so a resumed run repeats them exactly.
 * </ul>
 */
package org.rlhf4j.ppo;
