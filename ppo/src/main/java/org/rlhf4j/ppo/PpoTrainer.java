package org.rlhf4j.ppo;

import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.rlhf4j.core.optim.LearningRateSchedule;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.rollout.EngineOptions;
import org.rlhf4j.core.rollout.RolloutEngine;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.core.training.TrainerState;
import org.rlhf4j.core.training.TrainingRun;
import org.rlhf4j.datasets.BatchSampler;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.ChatTemplates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PPO for language models as InstructGPT and Llama 2-Chat run it (Ouyang et al. 2022; Touvron et
 * al. 2023), in TRL's formulation: an actor (the policy), a critic with a scalar head, a frozen
 * reference policy and reward sources, all scoring the one rollout batch of the shared engine.
 *
 * <p>{@link #run} opens the models, prompts, reward sources and optimizers on the shared
 * {@link TrainingRun} (run lock, resume check, divergence guard, signals), resuming from the newest
 * checkpoint with the critic and PPO state of {@link PpoCheckpoints}; {@link PpoLoop} runs the
 * iterations. Each has three phases,
 * methods below {@code train} in call order:
 * <ol>
 *   <li>{@code rollout}: sample a batch of prompts and generate {@code group_size} responses to each
 *       from the actor (with dynamic sampling, more rounds until the groups are informative,
 *       {@link DynamicSampling});
 *   <li>{@code experience}: reference log-probs, critic values and reward scores on the same
 *       batch; per-token rewards {@code -beta * KL_t} (unless the KL is in the loss) plus the shaped
 *       score at the last response token ({@link TokenRewards}); GAE advantages whitened over the
 *       batch's valid tokens, or critic-free group advantages ({@link GroupAdvantages});
 *   <li>{@code update}: {@code ppo_epochs} passes of shuffled minibatches, each one forward of actor
 *       and critic, the clipped losses ({@link Minibatch#losses}), one backward and one AdamW step
 *       of each ({@link UpdateStats} collects what they did).
 * </ol>
 * With {@code ppo.advantage} {@code grpo}, {@code rloo} or {@code reinforce_baseline} there is no
 * critic: none is loaded, scored, trained or checkpointed.
 * Then {@link PpoMetrics} reports the iteration and a checkpoint is saved when due.
 *
 * <p>Deliberate simplifications: one process and device; no dropout, so the log-probs recorded at
 * sampling are the old policy's exactly and are not recomputed (their agreement with the first
 * training forward is logged as {@code policy/logprob_mismatch}); the reference and reward
 * models are full copies (no adapters yet); the learning rate advances once per iteration.
 */
public final class PpoTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(PpoTrainer.class);

    /** The critic's sub-directory in a checkpoint. */
    public static final String CRITIC_DIR = "critic";
    /** Samples file in the output directory. */
    public static final String SAMPLES_FILE = "samples.jsonl";

    /** Where one iteration's time went, nanoseconds; {@code responseTokens} generated in it. */
    public record IterationTimings(long generation, long reference, long critic, long rewards, long training,
            long total, long responseTokens) {}

    /** Called after every iteration (the benchmark reads the timings; tests read the metrics line). */
    @FunctionalInterface
    public interface IterationObserver {
        void afterIteration(int iteration, IterationTimings timings, Map<String, Object> metrics);
    }

    private final PpoConfig config;
    private final ClassLoader loader;
    private IterationObserver observer = (iteration, timings, metrics) -> { };

    /** A trainer that finds user reward functions through the thread's context class loader. */
    public PpoTrainer(PpoConfig config) {
        this(config, Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : PpoTrainer.class.getClassLoader());
    }

    public PpoTrainer(PpoConfig config, ClassLoader loader) {
        this.config = config;
        this.loader = loader;
    }

    public PpoTrainer observe(IterationObserver iterationObserver) {
        this.observer = iterationObserver;
        return this;
    }

    /** Trains to the last iteration, resuming from the newest complete checkpoint in the output directory. */
    public RunSummary run() throws IOException {
        DataType dtype = config.computeType();
        try (TrainingRun run = TrainingRun.open(config, device -> PretrainedModel.load(config.modelPath(), device, dtype));
                // with LoRA the reference is the policy with its adapters off (null here): no second copy
                PretrainedModel reference = config.referenceIsAdaptersOff() ? null
                        : PretrainedModel.load(config.referencePath(), run.device(), dtype);
                // a null resource is skipped by try-with-resources: critic-free advantages load no value model
                PretrainedModel valueModel = loadValueModel(run)) {
            PretrainedModel policy = run.model();
            ChatTemplate template = ChatTemplates.select(config.data(), policy.tokenizer());
            PromptSet prompts = loadPrompts(run, template);
            try (RewardSources rewards = RewardSources.open(config.rewards(), policy.tokenizer(), template,
                    run.device(), dtype, loader)) {
                rewards.requireScorable(prompts.records()); // now, not when a batch first samples the prompt
                BatchSampler sampler = new BatchSampler(prompts.lengths(), config.promptsPerBatch(), false, config.seed());
                int total = config.train().totalSteps(sampler.batchesPerEpoch());
                PpoCheckpoints checkpoints = new PpoCheckpoints(config, run.resumeFrom());
                PpoState saved = checkpoints.ppoState(); // its group_size check names the key, before the run's
                TrainerState state = run.start("the number of prompts", prompts.size(), total,
                        config.data().trainFiles(), 1); // a minibatch is one step: never accumulated
                try (PretrainedModel loraCritic = config.criticIsLora()
                                ? LoraCritic.open(config, policy, rewards, checkpoints.critic()) : null;
                        Learner critic = openCritic(valueModel != null ? valueModel : loraCritic, checkpoints.critic(),
                                total, state.step())) {
                    try (PpoMetrics metrics = PpoMetrics.open(run, config, state.step(), total)) {
                        RolloutEngine engine = new RolloutEngine(policy.model(), policy.tokenizer(),
                                EngineOptions.defaults());
                        PtxBatches ptx = PtxBatches.open(config, run, saved.ptxPosition()); // null without PPO-ptx
                        state = new PpoLoop(config, observer, run, critic, reference, rewards, prompts, sampler, engine,
                                metrics, checkpoints, total, ptx).train(state, saved);
                    }
                    return run.finish(state, dir -> policy.save(dir, config.modelSaveType(), staged -> {
                        if (loraCritic != null) { // a small PEFT SEQ_CLS adapter: the value model is part of the result
                            loraCritic.save(staged.resolve(CRITIC_DIR), config.modelSaveType());
                        }
                    })).counting("iteration");
                }
            }
        }
    }

    /** The prompts of {@code data.train}, refused when a prompt and its response would pass the model's positions. */
    private PromptSet loadPrompts(TrainingRun run, ChatTemplate template) throws IOException {
        PromptSet prompts = PromptSet.load(config.data(), run.model().tokenizer(), template,
                config.ppo().generation().maxPromptLen());
        LOG.info(prompts.summary(config.data().train()));
        int newTokens = config.ppo().generation().maxNewTokens();
        run.requireWithinPositions(Arrays.stream(prompts.lengths()).max().orElse(0) + newTokens,
                "a prompt of data.train " + config.data().train() + " with its ppo.max_new_tokens " + newTokens,
                "lower ppo.max_prompt_len or ppo.max_new_tokens so that they add up to at most %d");
        return prompts;
    }

    /**
     * The critic, restored from the run's checkpoint or, for a fresh run, loaded from {@code critic};
     * null when the advantages need none.
     */
    private PretrainedModel loadValueModel(TrainingRun run) throws IOException {
        if (!config.ppo().advantage().estimator().needsCritic() || config.criticIsLora()) {
            return null; // a LoRA critic is built on a base that is open only later (LoraCritic)
        }
        DataType dtype = config.computeType();
        return CheckpointStore.restoreOrLoad(new PpoCheckpoints(config, run.resumeFrom()).critic(), run.device(), dtype,
                () -> ValueModels.load(config.criticPath(), run.device(), dtype));
    }

    /**
     * The critic's learner: trainable weights (with LoRA: adapters and value head), AdamW (moments from
     * {@code checkpoint} unless null) and the actor's schedule at {@code ppo.critic_lr}; null without a critic.
     */
    private Learner openCritic(PretrainedModel valueModel, Path checkpoint, int total, int firstStep)
            throws IOException {
        if (valueModel == null) {
            return null;
        }
        LearningRateSchedule lr = config.train().learningRateSchedule(total);
        return Learner.open(valueModel, config.train(),
                new LearningRateSchedule(lr.kind(), config.criticLr(), lr.warmupSteps(), total), checkpoint,
                LoraCritic.seed(config), firstStep);
    }
}
