package org.rlhf4j.ppo;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.rollout.EngineOptions;
import org.rlhf4j.core.rollout.FinishReason;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutEngine;
import org.rlhf4j.core.rollout.RolloutListener;
import org.rlhf4j.core.rollout.RolloutScorer;
import org.rlhf4j.core.rollout.StopCriteria;
import org.rlhf4j.core.runtime.DeviceSpec;
import org.rlhf4j.core.train.AdamW;
import org.rlhf4j.core.train.LearningRateSchedule;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.OptimizerStep;
import org.rlhf4j.core.training.ResumeGuard;
import org.rlhf4j.core.training.RunDirectory;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.core.training.TrainerState;
import org.rlhf4j.datasets.BatchSampler;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.ChatTemplates;
import org.rlhf4j.datasets.PromptRecord;

/**
 * PPO for language models as InstructGPT and Llama 2-Chat run it (Ouyang et al. 2022; Touvron et
 * al. 2023), in TRL's formulation: an actor (the policy), a critic with a scalar head, a frozen
 * reference policy and reward sources, all scoring the one rollout batch of the shared engine.
 *
 * <p>Each iteration has three phases, the methods below {@link #run} in call order:
 * <ol>
 *   <li>{@code rollout}: sample a batch of prompts and generate responses from the actor;
 *   <li>{@code experience}: reference log-probs, critic values and reward scores on the same
 *       batch; per-token rewards {@code -beta * KL_t} plus the score at the last response token;
 *       GAE advantages whitened over the batch's valid tokens;
 *   <li>{@code update}: {@code ppo_epochs} passes of shuffled minibatches, each one forward of actor
 *       and critic, the clipped policy and value losses, one backward and one AdamW step of each.
 * </ol>
 *
 * <p>Deliberate simplifications: one process and device; no dropout, so the log-probs recorded at
 * sampling are the old policy's exactly and are not recomputed (their agreement with the first
 * training forward is logged as {@code policy/logprob_mismatch}); the reference and reward
 * models are full copies (no adapters yet); the learning rate advances once per iteration.
 */
public final class PpoTrainer {

    /** The critic's sub-directory in a checkpoint. */
    public static final String CRITIC_DIR = "critic";
    /** Samples file in the output directory. */
    public static final String SAMPLES_FILE = "samples.jsonl";

    /** What a run did. */
    public record Summary(int iteration, int totalIterations, int resumedFromIteration, double lastScore,
            double lastKl, Path finalModel) {}

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
    public Summary run() throws IOException {
        Path out = config.outputPath();
        TrainConfig train = config.train();
        CheckpointStore checkpoints = new CheckpointStore(out, config.modelSaveType(), train.saveTotalLimit());
        Path resumeFrom = checkpoints.latest().orElse(null);
        Device device = new DeviceSpec(config.device()).resolve();
        DataType dtype = config.computeType();
        try (PretrainedModel policy = CheckpointStore.restoreOrLoad(resumeFrom, device, dtype,
                        () -> PretrainedModel.load(config.modelPath(), device, dtype));
                PretrainedModel reference = PretrainedModel.load(config.referencePath(), device, dtype);
                PretrainedModel critic = CheckpointStore.restoreOrLoad(
                        resumeFrom != null ? resumeFrom.resolve(CRITIC_DIR) : null, device, dtype,
                        () -> ValueModels.load(config.criticPath(), device, dtype))) {
            ChatTemplate template = ChatTemplates.select(config.data().chatTemplate(), policy.tokenizer());
            PromptSet prompts = PromptSet.load(config.data(), policy.tokenizer(), template,
                    config.ppo().generation().maxPromptLen());
            System.err.println(prompts.summary(config.data().train()));
            try (RewardSources rewards = RewardSources.open(config.rewards(), policy.tokenizer(), template, device,
                    dtype, loader)) {
                BatchSampler sampler = new BatchSampler(prompts.lengths(), train.batchSize(), false, config.seed());
                int total = train.totalSteps(sampler.batchesPerEpoch());
                TrainerState state = startOrResume(resumeFrom, prompts, total);
                PpoState ppoState = resumeFrom != null ? PpoState.read(resumeFrom)
                        : new PpoState(config.ppo().kl().coef(), RunningMoments.empty());
                RunDirectory.writeResolvedConfig(out, config);
                RunDirectory.writeProvenance(out, config.seed(), List.of(Path.of(config.data().train())),
                        state.step());
                policy.model().weights().setRequiresGradient(true);
                critic.model().weights().setRequiresGradient(true);
                Loop loop;
                try (AdamW actorOptimizer = new AdamW(policy.weights(), train.adamW(), policy.manager());
                        AdamW criticOptimizer = new AdamW(critic.weights(), train.adamW(), critic.manager());
                        PpoMetrics metrics = PpoMetrics.open(out, state.step(), total, config.ppo().samples())) {
                    if (resumeFrom != null) {
                        CheckpointStore.loadOptimizer(resumeFrom, actorOptimizer, policy.manager());
                        CheckpointStore.loadOptimizer(resumeFrom.resolve(CRITIC_DIR), criticOptimizer, critic.manager());
                    }
                    LearningRateSchedule lr = train.learningRateSchedule(total);
                    Learner actor = new Learner(policy, actorOptimizer, train.maxGradNorm(), lr);
                    Learner value = new Learner(critic, criticOptimizer, train.maxGradNorm(),
                            new LearningRateSchedule(lr.kind(), config.criticLr(), lr.warmupSteps(), total));
                    actor.step().restoreSkippedSteps(state.skippedSteps());
                    loop = new Loop(actor, value, reference, rewards, prompts, sampler, metrics, checkpoints, total);
                    state = loop.train(state, ppoState);
                }
                Path finalDir = state.step() >= total
                        ? RunDirectory.exportFinal(out, dir -> policy.save(dir, config.modelSaveType())) : null;
                return new Summary(state.step(), total, resumeFrom == null ? 0 : CheckpointStore.stepOf(resumeFrom),
                        loop.lastScore, loop.lastKl, finalDir);
            }
        }
    }

    /** A model being trained, its optimizer and its clipped, scheduled step. */
    private record Learner(PretrainedModel pretrained, AdamW optimizer, OptimizerStep step) {

        Learner(PretrainedModel pretrained, AdamW optimizer, double maxGradNorm, LearningRateSchedule schedule) {
            this(pretrained, optimizer, new OptimizerStep(optimizer, pretrained.weights(), maxGradNorm, schedule));
        }
    }

    /** The collaborators of one run and its iterations. */
    private final class Loop {
        final Learner actor;
        final Learner critic;
        final PretrainedModel reference;
        final RewardSources rewards;
        final PromptSet prompts;
        final BatchSampler sampler;
        final PpoMetrics metrics;
        final CheckpointStore checkpoints;
        final int total;
        final PpoOptions ppo = config.ppo();
        final RolloutEngine engine;
        final KlController klController = ppo.kl().controller();
        RunningMoments moments;
        double lastScore = Double.NaN;
        double lastKl = Double.NaN;

        Loop(Learner actor, Learner critic, PretrainedModel reference, RewardSources rewards, PromptSet prompts,
                BatchSampler sampler, PpoMetrics metrics, CheckpointStore checkpoints, int total) {
            this.actor = actor;
            this.critic = critic;
            this.reference = reference;
            this.rewards = rewards;
            this.prompts = prompts;
            this.sampler = sampler;
            this.metrics = metrics;
            this.checkpoints = checkpoints;
            this.total = total;
            this.engine = new RolloutEngine(actor.pretrained().model(), actor.pretrained().tokenizer(),
                    EngineOptions.defaults());
        }

        /** Iterations from {@code state} to the last: the three phases, then log, checkpoint and observer. */
        TrainerState train(TrainerState state, PpoState saved) throws IOException {
            klController.restore(saved.klCoef());
            moments = saved.rewardMoments();
            TrainConfig train = config.train();
            for (int iteration = state.step(); iteration < total; iteration++) {
                long started = System.nanoTime();
                int[] rows = sampler.batch(state.epoch(), state.batchInEpoch());
                PhaseClock clock = new PhaseClock();
                Experience experience;
                UpdateStats update;
                Map<String, Object> line;
                try (NDManager scope = actor.pretrained().manager().newSubManager()) { // every array of this iteration dies here
                    scope.tempAttachAll(actor.pretrained().model().weights().asList()); // weight views and gradients land in it
                    scope.tempAttachAll(critic.pretrained().model().weights().asList());
                    RolloutBatch batch = rollout(rows, iteration, scope, clock);   // 1. generate
                    experience = experience(batch, rows, scope, clock);            // 2. score
                    update = update(experience, iteration, scope, clock);          // 3. learn
                    line = PpoMetrics.line(experience, update, clock, System.nanoTime() - started);
                }
                klController.update(experience.meanKl(), experience.rows());
                int done = iteration + 1;
                boolean epochEnds = state.batchInEpoch() + 1 >= sampler.batchesPerEpoch();
                state = state.advance(done, epochEnds ? state.epoch() + 1 : state.epoch(),
                        epochEnds ? 0 : state.batchInEpoch() + 1, experience.responseTokens(), actor.step().skippedSteps());
                lastScore = experience.meanRawScore();
                lastKl = experience.meanKl();
                metrics.report(done, train.logsAt(done, total), line, experience, update, started);
                if (train.savesAt(done, total)) {
                    save(state);
                }
                observer.afterIteration(done, clock.finish(System.nanoTime() - started, experience.responseTokens()),
                        line);
            }
            return state;
        }

        /** Phase 1: responses to the prompts {@code rows} from the actor, sampled without a graph. */
        RolloutBatch rollout(int[] rows, int iteration, NDManager scope, PhaseClock clock) {
            long t = System.nanoTime();
            List<int[]> ids = Arrays.stream(rows).mapToObj(prompts.ids()::get).toList();
            // Row seeds follow (seed, iteration * batch + row): nothing to save for an exact resume.
            long firstRow = (long) iteration * config.train().batchSize();
            RolloutBatch batch = engine.generate(ids, ppo.generation().sampling(config.seed()),
                    StopCriteria.eos(actor.pretrained().stopTokenIds()), firstRow, RolloutListener.NONE, scope);
            clock.generation += System.nanoTime() - t;
            return batch;
        }

        /** Phase 2: reference log-probs, values, scores; per-token rewards; whitened GAE advantages. */
        Experience experience(RolloutBatch batch, int[] rows, NDManager scope, PhaseClock clock) {
            int b = batch.batchSize();
            int a = batch.responseLength();
            double[][] mask = Experience.perToken(batch.responseMask(), b, a); // (B, A)
            double[][] logps = Experience.perToken(batch.logps(), b, a); // (B, A)
            long t = System.nanoTime();
            double[][] refLogps; // (B, A)
            try (NDManager call = scope.newSubManager()) {
                call.tempAttachAll(reference.model().weights().asList()); // the reference never builds a graph
                refLogps = Experience.perToken(RolloutScorer.logps(reference.model(), batch, batch.temperature(), call),
                        b, a);
            }
            long t1 = System.nanoTime();
            clock.reference += t1 - t;
            double[][] values; // (B, A)
            try (NDManager call = scope.newSubManager()) {
                values = Experience.perToken(RolloutScorer.values(critic.pretrained().model(), batch, call), b, a);
            }
            long t2 = System.nanoTime();
            clock.critic += t2 - t1;
            List<PromptRecord> records = Arrays.stream(rows).mapToObj(prompts.records()::get).toList();
            RewardSources.Scores scored = rewards.score(batch, records, scope);
            clock.rewards += System.nanoTime() - t2;

            double[][] kl = TokenRewards.kl(logps, refLogps, mask, ppo.kl().estimator()); // (B, A)
            boolean[] missingEos = new boolean[b];
            for (int i = 0; i < b; i++) {
                missingEos[i] = batch.rows().get(i).finishReason() == FinishReason.LENGTH;
            }
            double beta = klController.value();
            TokenRewards.Shaped shaped = TokenRewards.shape(kl, scored.combined(), mask, missingEos, ppo.shaping(),
                    beta, moments);
            moments = shaped.moments();
            Gae.Advantages gae = Gae.compute(shaped.rewards(), values, mask, ppo.advantage().gamma(),
                    ppo.advantage().lam());
            double[][] advantages = Whitening.masked(gae.advantages(), mask, true); // (B, A)
            return new Experience(batch, records, mask, logps, refLogps, values, kl, shaped.rewards(), advantages,
                    gae.returns(), shaped.scores(), scored, beta);
        }

        /** Phase 3: {@code ppo_epochs} passes of shuffled minibatch steps of actor and critic. */
        UpdateStats update(Experience exp, int iteration, NDManager scope, PhaseClock clock) {
            long t = System.nanoTime();
            PpoOptions.Update options = config.update();
            int b = exp.rows();
            UpdateStats.Sum sum = new UpdateStats.Sum();
            Random shuffle = new Random(config.seed() * 1_000_003L + iteration);
            int epochsRun = 0;
            for (int epoch = 0; epoch < options.epochs(); epoch++) {
                int[] order = BatchSampler.permutation(b, shuffle);
                double epochKl = 0;
                int epochSteps = 0;
                for (int start = 0; start < b; start += options.miniBatchSize()) {
                    int[] rows = Arrays.copyOfRange(order, start, Math.min(b, start + options.miniBatchSize()));
                    try (NDManager micro = scope.newSubManager()) { // activations of this minibatch die after its step
                        Minibatch mb = Minibatch.of(exp, rows, actor.pretrained(), micro);
                        UpdateStats.Step step = backward(mb, exp.batch().temperature(), options, sum.isEmpty(), micro);
                        sum.add(step, actor.step().apply(iteration), critic.step().apply(iteration));
                        epochKl += step.approxKl();
                        epochSteps++;
                    }
                }
                epochsRun++;
                if (options.earlyStopKl() != null && epochKl / epochSteps > options.earlyStopKl()) {
                    break; // the policy moved far enough from the rollout policy for this batch
                }
            }
            clock.training += System.nanoTime() - t;
            return sum.mean(epochsRun);
        }

        /**
         * One minibatch's forward of actor and critic, the clipped losses and one backward into both
         * models' gradients; {@code first} also measures the log-prob mismatch, the batch's only
         * forward before any update.
         */
        UpdateStats.Step backward(Minibatch mb, double temperature, PpoOptions.Update options, boolean first,
                NDManager micro) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                RolloutScorer.PolicyScores pol = RolloutScorer.logpsAndEntropy(actor.pretrained().model(), mb.batch(),
                        temperature, micro); // (b, A') each
                NDArray values = RolloutScorer.values(critic.pretrained().model(), mb.batch(), micro); // (b, A')
                PpoLoss.PolicyResult pg = PpoLoss.policy(pol.logps(), mb.logps(), mb.advantages(), mb.mask(),
                        options.cliprange());
                PpoLoss.ValueResult vf = PpoLoss.value(values, mb.values(), mb.returns(), mb.mask(),
                        options.cliprangeValue());
                NDArray entropy = PpoLoss.maskedMean(pol.entropy(), mb.mask()); // ()
                NDArray loss = pg.loss().add(vf.loss().mul(PpoLoss.scalar(micro, options.vfCoef()))); // ()
                if (options.entropyCoef() > 0) {
                    loss = loss.sub(entropy.mul(PpoLoss.scalar(micro, options.entropyCoef())));
                }
                collector.backward(loss);
                double mismatch = first
                        ? PpoLoss.maskedMean(pol.logps().sub(mb.logps()).abs(), mb.mask()).getFloat() : Double.NaN;
                return UpdateStats.Step.of(pg, vf, entropy, mismatch);
            }
        }

        /** Checkpoints the actor in the shared layout, with the critic and the PPO state in the same staging directory. */
        void save(TrainerState state) throws IOException {
            PpoState ppoState = new PpoState(klController.value(), moments);
            checkpoints.save(actor.pretrained(), actor.optimizer(), state, staged -> {
                CheckpointStore.saveModelAndOptimizer(staged.resolve(CRITIC_DIR), critic.pretrained(),
                        critic.optimizer(), config.modelSaveType(), null);
                Files.writeString(staged.resolve(PpoState.FILE_NAME), ppoState.toJson());
            });
        }
    }

    /** A fresh state, or the checkpoint's after checking that the config still describes the same prompt stream. */
    private TrainerState startOrResume(Path checkpoint, PromptSet prompts, int total) throws IOException {
        if (checkpoint == null) {
            return TrainerState.start(config.seed(), config.train(), 1, prompts.size(), total); // no accumulation
        }
        TrainerState s = CheckpointStore.readState(checkpoint);
        ResumeGuard.requireSame(checkpoint, "seed", s.seed(), config.seed());
        ResumeGuard.requireSame(checkpoint, "train.batch_size", s.batchSize(), config.train().batchSize());
        ResumeGuard.requireSame(checkpoint, "the number of prompts", s.trainRows(), prompts.size());
        return s.withSchedule(config.train(), total); // grad_accum is not checked: PPO records 1
    }
}
