/**
 * Supervised fine-tuning on ChatML conversations with a masked loss, and pretraining on plain text.
 *
 * <p>Decisions, recorded here as DESIGN.md asks:
 *
 * <ul>
 *   <li>The loss ({@link org.rlhf4j.sft.SftLoss}) sums the target tokens' negative log-likelihood
 *       and divides by the target tokens of the whole accumulated batch (TRL's
 *       {@code num_items_in_batch}), so {@code grad_accum} 4 x {@code batch_size} 2 equals a batch
 *       of 8 and every target token weighs the same. A step with no target token has loss 0.
 *   <li>{@code pretrain} is the same loop; only its data differ: every token after the first is a
 *       target, and no EOS is appended to a document.
 *   <li>{@code sft.completion_only} (default true) keeps the loss on assistant content and its
 *       {@code <|im_end|>}; false puts every token in the loss.
 *   <li>Batches: a seeded stream of micro-batches ({@link org.rlhf4j.datasets.BatchOrder} over the
 *       datasets module's {@code BatchSampler}), each epoch drawn from {@code (seed, epoch)} and
 *       length-grouped unless {@code data.group_by_length: false}, the last batch of an epoch possibly
 *       smaller; an optimizer step takes the next {@code grad_accum} micro-batches and may cross
 *       an epoch boundary. The position (epoch, batch) is in the trainer state, so resume is
 *       exact.
 *   <li>The data seam: {@link org.rlhf4j.sft.TrainingData} (tokenized train/eval sequences) built
 *       by a {@link org.rlhf4j.sft.TrainingData.Loader}; the one place that picks the file loader
 *       is {@code SftTrainer(SftConfig, Objective)}, which reads the files through the datasets
 *       module ({@code SftDataset}: validation, chat template, truncation, packing).
 *   <li>Metrics use TRL's names: {@code loss} (mean over the logging window), {@code grad_norm}
 *       (before clipping), {@code learning_rate}, {@code epoch} (fractional), {@code num_tokens},
 *       plus {@code tokens_per_second} and where the time went, in seconds per optimizer step
 *       averaged over the window: {@code time/collate}, {@code time/forward},
 *       {@code time/backward}, {@code time/optimizer} and {@code time/step} (the whole step,
 *       evaluation and checkpoints left out); evaluation writes its own line with
 *       {@code eval_loss} (mean per target token over the eval split).
 *   <li>Resume refuses (with the key named) when seed, batch size, accumulation or the number
 *       of training sequences changed, since the data position would mean something else; a
 *       changed schedule or {@code max_steps} is allowed and announced.
 * </ul>
 */
package org.rlhf4j.sft;
