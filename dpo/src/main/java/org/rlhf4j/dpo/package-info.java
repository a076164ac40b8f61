/**
 * Direct preference optimisation and its variants: against a frozen reference, reference-free
 * (SimPO, ORPO), and on unpaired labelled completions (KTO).
 *
 * <p>Decisions, recorded here as DESIGN.md asks:
 *
 * <ul>
 *   <li>Losses ({@link org.rlhf4j.dpo.DpoLoss}) are TRL's: {@code sigmoid} (DPO, with
 *       {@code label_smoothing} = cDPO), {@code robust}, {@code hinge}, {@code ipo}, and the RPO
 *       term {@code rpo_alpha * NLL(chosen)}. {@code label_smoothing} with hinge or IPO is a config
 *       error rather than silently ignored. Rewards are {@code beta (pi - ref)} per side.
 *   <li>Sequence log-probs sum over response tokens only (the final assistant turn's content and
 *       its {@code <|im_end|>}; not the template's trailing newline); padding is masked. For IPO
 *       they are averaged over the response's tokens, policy and reference alike, as TRL does; the
 *       logged {@code logps/*} and rewards are then per token too.
 *   <li>One code path scores policy and reference: {@link org.rlhf4j.dpo.PairBatch#sequenceLogps}
 *       over the rollout engine's {@code RolloutScorer} on one left-padded-prompt /
 *       right-padded-response batch of 2B rows (chosen rows, then rejected rows). Inside the
 *       gradient collector it keeps the graph for backward; outside (reference, eval) it does not.
 *   <li>Reference: {@code dpo.reference: precomputed} (default) scores every train and eval pair
 *       once, before training, caches the table in {@code OUTPUT_DIR/reference_logps.json} under a
 *       SHA-256 key of the reference's weight files and {@code config.json}, the compute dtype and
 *       the fitted token ids, and releases the model; a resume or rerun with the same key reads the
 *       table. {@code frozen} keeps the reference model in memory and scores each micro-batch.
 *       Either way the reference is {@code dpo.reference_model} or the config's {@code model}, never
 *       the resumed checkpoint. Reference log-probs are fetched before the gradient collector opens.
 *   <li>Accumulation: each micro-batch's summed pair losses are divided by the pairs of the whole
 *       step, and its RPO NLL by the chosen tokens of the whole step (TRL's per-token mean), so
 *       {@code batch_size} 2 x {@code grad_accum} 2 equals a batch of 4.
 *   <li>Truncation: a pair whose prompt plus longer response exceeds {@code train.max_seq_len} keeps
 *       the end of its prompt (down to {@code dpo.max_prompt_len}, default half of max_seq_len),
 *       then loses the ends of its responses. Pairs that fit are untouched.
 *   <li>Metrics use TRL's names: {@code loss}, {@code rewards/chosen}, {@code rewards/rejected},
 *       {@code rewards/accuracies} (chosen reward strictly above rejected), {@code rewards/margins},
 *       {@code logps/chosen}, {@code logps/rejected} (means over the logging window), {@code nll_loss}
 *       with RPO, plus {@code grad_norm}, {@code learning_rate}, {@code epoch}, {@code num_tokens};
 *       evaluation writes the same with an {@code eval_} prefix. At step 1 every reward is 0, so the
 *       accuracy starts at 0 and the sigmoid loss at log 2.
 *   <li>SimPO and ORPO ({@code loss_type: simpo | orpo}) run in {@link org.rlhf4j.dpo.DpoTrainer}
 *       on per-token average log-probs with {@link org.rlhf4j.dpo.Reference#NONE}: no reference
 *       model is loaded, scored or cached. Knob names are TRL's ({@code simpo_gamma} is the margin
 *       gamma itself, default beta / 2; ORPO's lambda is {@code beta}); TRL's {@code cpo_alpha} is
 *       {@code rpo_alpha}. ORPO's NLL is the chosen response's per-token mean over response tokens
 *       (TRL's ORPO also counts prompt tokens).
 *   <li>KTO ({@code loss_type: kto}) is {@link org.rlhf4j.dpo.KtoTrainer}: unpaired data read by
 *       the datasets module's {@code UnpairedPreferenceRecords} (pairs are unpaired, as TRL does);
 *       each example carries a mismatched completion fixed from the seed
 *       ({@link org.rlhf4j.dpo.MismatchedCompletions}) and is held as a
 *       {@link org.rlhf4j.dpo.DpoPair} (completion as {@code chosen}, mismatched as
 *       {@code rejected}), so the reference modes, the cache and the scorer are DPO's. The KL
 *       reference point is estimated once per optimizer step, over all its micro-batches.
 *   <li>Reduction: every loss returns per-pair (per-example) values; the trainer sums each
 *       micro-batch's and divides by the items of the whole step through
 *       {@code MaskedReductions.normalised}, the one convention of {@code core.ops}.
 *   <li>Data seam: {@link org.rlhf4j.dpo.PreferenceData} built by a
 *       {@link org.rlhf4j.dpo.PreferenceData.Loader}; the one place that picks the file reader is
 *       {@code DpoTrainer(DpoConfig)}, which reads through the datasets module's
 *       {@code PreferenceDataset} (the same reader the reward stage uses).
 *   <li>Batching reuses {@code org.rlhf4j.datasets.BatchOrder} (moved there from sft), grouping
 *       pairs by their longer sequence; resume is exact and refuses a changed seed, batch size,
 *       accumulation or number of pairs.
 * </ul>
 */
package org.rlhf4j.dpo;
