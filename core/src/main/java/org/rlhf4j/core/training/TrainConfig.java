package org.rlhf4j.core.training;

import static org.rlhf4j.core.config.ConfigChecks.atLeast;
import static org.rlhf4j.core.config.ConfigChecks.atLeastIfSet;
import static org.rlhf4j.core.config.ConfigChecks.nonNegative;

import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.model.MemoryOptions;
import org.rlhf4j.core.optim.AdamWConfig;
import org.rlhf4j.core.optim.LearningRateSchedule;

/**
 * The {@code train:} section every training stage shares. Missing keys take the defaults below
 * (TRL's where TRL has the knob); {@code null} in YAML means "default".
 *
 * @param maxSteps optimizer steps to run; wins over {@code epochs} when both are set (as in TRL)
 * @param epochs passes over the training data, used when {@code max_steps} is absent; the step
 *     count is {@code ceil(epochs * micro-batches per epoch / grad_accum)}
 * @param batchSize sequences per micro-batch (default 8)
 * @param gradAccum micro-batches per optimizer step (default 1); the loss is normalised over the
 *     whole accumulated batch, so {@code batch_size * grad_accum} is the effective batch
 * @param lr peak learning rate (default 2e-5)
 * @param warmupSteps linear warmup from 0 (default 0)
 * @param schedule {@code cosine} (default), {@code linear} or {@code constant}, after warmup
 * @param weightDecay AdamW decoupled weight decay, never on norms and biases (default 0.0, TRL's)
 * @param maxGradNorm global-norm gradient clipping (default 1.0); 0 turns clipping off (the norm
 *     is still logged)
 * @param maxSeqLen longest training sequence in tokens; longer ones are truncated (default 1024)
 * @param logEvery write a metrics line every this many steps (default 10)
 * @param evalEvery evaluate on the eval split every this many steps, 0 for never (default 100);
 *     the last step is always evaluated when there is an eval split
 * @param saveEvery write a checkpoint every this many steps, 0 for never (default 100); the last
 *     step is always saved unless this is 0
 * @param saveTotalLimit keep only this many newest checkpoints; absent keeps all (the last
 *     checkpoint before a run of non-finite steps is kept beyond the limit)
 * @param maxNonfiniteSteps stop the run as diverged after this many consecutive optimizer steps
 *     whose loss or gradient norm is not finite (default 10); such steps are skipped until then
 * @param forceResume resume although what defines the run (config, data, starting model) differs
 *     from the checkpoint's record (default false; {@code --force-resume} sets it)
 * @param maxLossSpike stop the run as diverged when the loss stays above a multiple of its running
 *     median for some steps ({@link LossSpikeRule}); absent (default) for no such rule
 * @param gradientCheckpointing keep only each decoder layer's input in the forward pass and
 *     recompute the layer in the backward pass: activation memory of L layer inputs instead of all
 *     intermediates, for one more forward of the layers (default false)
 * @param logitsChunkTokens compute the LM head and its log-softmax over at most this many tokens
 *     at a time (training recomputes each chunk in the backward pass); 0 = in one piece; absent
 *     (default): {@link MemoryOptions#AUTO}, chunks of 1024 tokens only where a batch's logits reach
 *     256 MiB
 */
public record TrainConfig(
        Integer maxSteps,
        Integer epochs,
        Integer batchSize,
        Integer gradAccum,
        Double lr,
        Integer warmupSteps,
        String schedule,
        Double weightDecay,
        Double maxGradNorm,
        Integer maxSeqLen,
        Integer logEvery,
        Integer evalEvery,
        Integer saveEvery,
        Integer saveTotalLimit,
        Integer maxNonfiniteSteps,
        Boolean forceResume,
        LossSpikeRule maxLossSpike,
        Boolean gradientCheckpointing,
        Integer logitsChunkTokens) {

    public TrainConfig {
        if (maxSteps == null && epochs == null) {
            throw new ConfigException("train: set max_steps or epochs");
        }
        atLeastIfSet("train.max_steps", maxSteps, 1);
        atLeastIfSet("train.epochs", epochs, 1);
        batchSize = atLeast("train.batch_size", batchSize, 8, 1);
        gradAccum = atLeast("train.grad_accum", gradAccum, 1, 1);
        lr = nonNegative("train.lr", lr, 2.0e-5);
        warmupSteps = atLeast("train.warmup_steps", warmupSteps, 0, 0);
        schedule = schedule == null ? "cosine" : schedule;
        try {
            schedule = LearningRateSchedule.Kind.fromName(schedule).configName();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        weightDecay = nonNegative("train.weight_decay", weightDecay, 0.0);
        maxGradNorm = maxGradNorm == null ? 1.0 : maxGradNorm;
        if (!(maxGradNorm >= 0) || maxGradNorm.isInfinite()) {
            throw new ConfigException("train.max_grad_norm must be finite and >= 0 (0 = no clipping), got "
                    + maxGradNorm);
        }
        maxSeqLen = atLeast("train.max_seq_len", maxSeqLen, 1024, 2);
        logEvery = atLeast("train.log_every", logEvery, 10, 1);
        evalEvery = atLeast("train.eval_every", evalEvery, 100, 0);
        saveEvery = atLeast("train.save_every", saveEvery, 100, 0);
        atLeastIfSet("train.save_total_limit", saveTotalLimit, 1);
        maxNonfiniteSteps = atLeast("train.max_nonfinite_steps", maxNonfiniteSteps, 10, 1);
        forceResume = forceResume != null && forceResume;
        gradientCheckpointing = gradientCheckpointing != null && gradientCheckpointing;
        atLeastIfSet("train.logits_chunk_tokens", logitsChunkTokens, 0); // absent: automatic (memory())
    }

    /** A config without a loss-spike rule and with the default memory switches (the keys before they existed). */
    public TrainConfig(Integer maxSteps, Integer epochs, Integer batchSize, Integer gradAccum, Double lr,
            Integer warmupSteps, String schedule, Double weightDecay, Double maxGradNorm, Integer maxSeqLen,
            Integer logEvery, Integer evalEvery, Integer saveEvery, Integer saveTotalLimit, Integer maxNonfiniteSteps,
            Boolean forceResume) {
        this(maxSteps, epochs, batchSize, gradAccum, lr, warmupSteps, schedule, weightDecay, maxGradNorm, maxSeqLen,
                logEvery, evalEvery, saveEvery, saveTotalLimit, maxNonfiniteSteps, forceResume, null, null, null);
    }

    /** A config with the default divergence limit and no forced resume (the keys before they existed). */
    public TrainConfig(Integer maxSteps, Integer epochs, Integer batchSize, Integer gradAccum, Double lr,
            Integer warmupSteps, String schedule, Double weightDecay, Double maxGradNorm, Integer maxSeqLen,
            Integer logEvery, Integer evalEvery, Integer saveEvery, Integer saveTotalLimit) {
        this(maxSteps, epochs, batchSize, gradAccum, lr, warmupSteps, schedule, weightDecay, maxGradNorm, maxSeqLen,
                logEvery, evalEvery, saveEvery, saveTotalLimit, null, null, null, null, null);
    }

    /** This config with the memory switches {@code gradientCheckpointing} and {@code logitsChunkTokens}. */
    public TrainConfig withMemory(boolean checkpointing, int chunkTokens) {
        return new TrainConfig(maxSteps, epochs, batchSize, gradAccum, lr, warmupSteps, schedule, weightDecay,
                maxGradNorm, maxSeqLen, logEvery, evalEvery, saveEvery, saveTotalLimit, maxNonfiniteSteps, forceResume,
                maxLossSpike, checkpointing, chunkTokens);
    }

    /** The forward pass's memory switches. */
    public MemoryOptions memory() {
        return new MemoryOptions(gradientCheckpointing, logitsChunkTokens == null ? MemoryOptions.AUTO : logitsChunkTokens);
    }

    /**
     * Optimizer steps of the run: {@code max_steps}, or {@code epochs} over a stream of
     * {@code microBatchesPerEpoch} micro-batches taken {@code grad_accum} at a time.
     */
    public int totalSteps(long microBatchesPerEpoch) {
        if (maxSteps != null) {
            return maxSteps;
        }
        long micro = (long) epochs * Math.max(1, microBatchesPerEpoch);
        return Math.toIntExact(Math.max(1, (micro + gradAccum - 1) / gradAccum));
    }

    /** The learning-rate schedule of a run of {@code totalSteps} optimizer steps. */
    public LearningRateSchedule learningRateSchedule(int totalSteps) {
        return new LearningRateSchedule(LearningRateSchedule.Kind.fromName(schedule), lr, warmupSteps, totalSteps);
    }

    /** AdamW with PyTorch's betas and eps and this config's weight decay. */
    public AdamWConfig adamW() {
        return AdamWConfig.withWeightDecay(weightDecay);
    }

    /** Whether the 1-based optimizer step {@code step} of {@code total} writes a metrics line. */
    public boolean logsAt(int step, int total) {
        return step % logEvery == 0 || step == total;
    }

    /** Whether the 1-based step {@code step} of {@code total} evaluates (when there is eval data). */
    public boolean evaluatesAt(int step, int total) {
        return evalEvery > 0 && (step % evalEvery == 0 || step == total);
    }

    /** Whether the 1-based step {@code step} of {@code total} writes a checkpoint. */
    public boolean savesAt(int step, int total) {
        return saveEvery > 0 && (step % saveEvery == 0 || step == total);
    }
}
