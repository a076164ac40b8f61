/**
 * Reward models trained with a margin ranking loss, with preference-degree margins and conditions.
 *
 * <p>{@link org.rlhf4j.reward.RewardTrainer} trains one model from a {@link org.rlhf4j.reward.RewardConfig}
 * ({@code rlhf4j rm}); {@link org.rlhf4j.reward.RewardLoss} holds the losses as pure functions;
 * {@link org.rlhf4j.reward.RewardScorer} scores sequences; {@link org.rlhf4j.reward.RewardModels} turns a
 * causal LM into a reward model and exports one; {@link org.rlhf4j.reward.PreferenceMetrics} computes
 * accuracies.
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li><b>Architecture.</b> A reward model is transformers' {@code LlamaForSequenceClassification} (or the
 *       Qwen2/Mistral class of the starting model's {@code model_type}) with {@code num_labels: 1}: the
 *       trunk of the starting causal LM, no LM head, and {@code score.weight} [1, D]. A starting model that
 *       is already a sequence classifier continues as it is (it must have one label).</li>
 *   <li><b>Head initialisation.</b> normal(0, {@code rm.score_init_std} = 0.02), seeded with the run's
 *       seed through {@code java.util.Random}: what {@code AutoModelForSequenceClassification.from_pretrained}
 *       gives a TRL user (transformers' {@code initializer_range}), and at this toolkit's hidden sizes an
 *       initial score of a few tenths, so no pair starts strongly ranked and the focal barrier (+-5) is far.
 *       1/sqrt(D+1) (lm-human-preferences) would start every score at unit scale; set it through the key
 *       if wanted.</li>
 *   <li><b>What is scored.</b> The condition's system turn (if any), the prompt turns and the response as
 *       the assistant turn, rendered by the chat template and cut right after the response's end of turn
 *       ({@code <|im_end|>} in ChatML, without the newline after it); the score is the head at that last
 *       token. It is the token generation stops at, so PPO's {@code RolloutScorer.rewards} on a rollout
 *       (generation prompt + response ending in {@code <|im_end|>}) reads the same position; a test checks
 *       that they agree. transformers reads the last token whose id is not {@code pad_token_id}; the byte
 *       tokenizer's pad is {@code <|endoftext|>}, not {@code <|im_end|>}, so both read the same token.</li>
 *   <li><b>One forward per micro-batch.</b> The B chosen and B rejected sequences are collated into one
 *       right-padded (2B, T) batch, chosen rows first.</li>
 *   <li><b>Margins</b> ({@code rm.margin}): {@code auto} takes a pair's {@code margin}, else its
 *       {@code preference} through {@code rm.degree_margins} (Llama 2-Chat's small margins 1, 2/3, 1/3, 0
 *       by default; entries given in the config replace single defaults), else 0; {@code explicit},
 *       {@code degree} and {@code none} restrict that. The focal loss ignores margins, as InternLM2.</li>
 *   <li><b>Loss normalisation.</b> Each micro-batch's summed pair losses are divided by the pairs of the
 *       whole optimizer step, so accumulation equals one large batch; the centering term is per pair
 *       {@code c (r_c + r_r)^2}, averaged the same way (TRL's {@code mean}).</li>
 *   <li><b>Focal barrier.</b> The logarithms' arguments are floored at 1e-6: a score that jumped past
 *       +-bound gives a large finite loss rather than NaN. The focal weight is not detached.</li>
 *   <li><b>Conditions.</b> Resolved by {@link org.rlhf4j.datasets.RewardConditions}: a condition without
 *       whitespace is a name looked up in {@code rm.conditions} (unknown: an error that lists the known
 *       names); one with whitespace is the system prompt itself. The table of the run is the starting
 *       model directory's {@code rlhf4j_conditions.json} overlaid with {@code rm.conditions}; it is written
 *       to {@code final/rlhf4j_conditions.json} (always, possibly {@code {}}), where {@code rlhf4j score}
 *       and PPO look names up. A record with both a system message and a condition is a bad record.</li>
 *   <li><b>Accuracy.</b> A pair is right when {@code r_chosen > r_rejected} strictly (a tie is wrong).
 *       Training lines of {@code metrics.jsonl} report the pairs seen since the previous line; evaluation
 *       lines ({@code eval_} prefix) the whole eval split.</li>
 *   <li><b>Long pairs.</b> Pairs with a sequence longer than {@code train.max_seq_len} are dropped and
 *       counted (cutting the end loses the scored token, cutting the start the condition).</li>
 *   <li><b>Checkpoints</b> are sequence-classifier directories plus optimizer and trainer state; a resumed
 *       run loads the checkpoint, never re-initialises the head.</li>
 * </ul>
 */
package org.rlhf4j.reward;
