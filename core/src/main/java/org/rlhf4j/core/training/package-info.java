/**
 * The plumbing of a training run around a stage's own loop: the shared config keys
 * ({@link org.rlhf4j.core.training.StageConfig}, the {@code train:} section), checkpoints with exact
 * resume, the metrics log with its windows and phase timings, the progress bar, the run
 * directory's records, and {@link org.rlhf4j.core.training.TrainingRun}, which opens all of them
 * for a run and summarises it. Every stage (SFT, reward models, DPO, PPO) writes its own loop and
 * shares these. What updates the weights (AdamW, clipping, schedules, the optimizer step) is
 * {@code org.rlhf4j.core.optim}.
 *
 * <p>Decisions, recorded here as DESIGN.md asks:
 *
 * <ul>
 *   <li>Steps are counted like transformers' {@code global_step}: {@code step} is the number of
 *       completed optimizer steps; the k-th update (k from 0) runs at {@code schedule.lr(k)}, is
 *       logged as step {@code k + 1} and checkpointed as {@code checkpoints/step-(k+1)}.
 *   <li>A checkpoint is an HF model directory plus {@code optimizer.safetensors} (AdamW moments and
 *       per-parameter step counts as float32, PyTorch's names) and {@code trainer_state.json}; it
 *       is staged under a hidden name and renamed when complete, so a crash never leaves a
 *       {@code step-*} directory that resume would pick up half-written. Weights saved in bf16/f16
 *       come with a float32 {@code resume_weights.safetensors} so that resume stays exact.
 *   <li>The last step is always checkpointed (unless {@code save_every: 0}), so re-running a
 *       finished run only re-exports, and a larger {@code max_steps} extends it.
 *   <li>Data order carries no hidden RNG state: shuffled per epoch with {@code seed + epoch}; the
 *       position is (epoch, micro-batch index), stored in the trainer state.
 *   <li>{@code metrics.jsonl} is cut back to the resumed step on resume, so it reads as one run.
 *   <li>A non-finite gradient norm skips the update (gradients zeroed, counted in
 *       {@code skipped_steps}) instead of writing NaN into the weights.
 *   <li>{@code max_steps} wins over {@code epochs} when both are set, as in TRL.
 *   <li>Library messages (data summaries, notes such as a stale lock taken over or a changed
 *       schedule on resume, warnings) go through SLF4J, one logger per class, so that a program
 *       embedding rlhf4j decides where they go; the CLI binds slf4j-simple and prints them on
 *       stderr as {@code LEVEL message}. Two things write to stderr directly: the
 *       {@link org.rlhf4j.core.training.ProgressBar}, which redraws one terminal line in place (a
 *       logger cannot) and exists only when a stage runs under a console or the CLI; and
 *       {@link org.rlhf4j.core.training.StopSignals}, whose lines answer the user's own Ctrl-C or
 *       SIGTERM at once, from a signal handler, and must not be lost to a logging level or a
 *       logging configuration.
 * </ul>
 */
package org.rlhf4j.core.training;
