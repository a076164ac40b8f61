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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.rlhf4j.core.generate.SamplingParams;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.rollout.Completion;
import org.rlhf4j.core.rollout.EngineOptions;
import org.rlhf4j.core.rollout.FinishReason;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutEngine;
import org.rlhf4j.core.rollout.RolloutScorer;
import org.rlhf4j.core.rollout.StopCriteria;
import org.rlhf4j.core.runtime.DeviceSpec;
import org.rlhf4j.core.train.AdamW;
import org.rlhf4j.core.train.LearningRateSchedule;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.OptimizerStep;
import org.rlhf4j.core.training.ProgressBar;
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
    private int stopAfter = Integer.MAX_VALUE;

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

    /** Stops after {@code iteration} as if the process were killed there (tests of resume). */
    PpoTrainer stopAfter(int iteration) {
        this.stopAfter = iteration;
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
            PromptSet prompts = PromptSet.load(config.data(), policy.tokenizer(), template, config.ppo().maxPromptLen());
            System.err.println(prompts.summary(config.data().train()));
            try (RewardSources rewards = RewardSources.open(config.rewards(), policy.tokenizer(), template, device,
                    dtype, loader)) {
                BatchSampler sampler = new BatchSampler(prompts.lengths(), train.batchSize(), false, config.seed());
                int total = train.totalSteps(sampler.batchesPerEpoch());
                TrainerState state = resumeFrom != null ? resumedState(resumeFrom, prompts, total)
                        : TrainerState.start(config.seed(), train, 1, prompts.size(), total); // no accumulation
                PpoState ppoState = resumeFrom != null ? PpoState.read(resumeFrom)
                        : new PpoState(config.ppo().klCoef(), RunningMoments.empty());
                RunDirectory.writeResolvedConfig(out, config);
                RunDirectory.writeProvenance(out, config.seed(), List.of(Path.of(config.data().train())),
                        state.step());
                policy.model().weights().setRequiresGradient(true);
                critic.model().weights().setRequiresGradient(true);
                Loop loop;
                try (AdamW actorOptimizer = new AdamW(policy.weights(), train.adamW(), policy.manager());
                        AdamW criticOptimizer = new AdamW(critic.weights(), train.adamW(), critic.manager());
                        MetricsLog metrics = MetricsLog.open(out.resolve(MetricsLog.FILE_NAME), state.step());
                        MetricsLog samples = MetricsLog.open(out.resolve(SAMPLES_FILE), state.step())) {
                    if (resumeFrom != null) {
                        CheckpointStore.loadOptimizer(resumeFrom, actorOptimizer, policy.manager());
                        CheckpointStore.loadOptimizer(resumeFrom.resolve(CRITIC_DIR), criticOptimizer, critic.manager());
                    }
                    LearningRateSchedule actorLr = train.learningRateSchedule(total);
                    OptimizerStep actorStep = new OptimizerStep(actorOptimizer, policy.weights(), train.maxGradNorm(),
                            actorLr);
                    OptimizerStep criticStep = new OptimizerStep(criticOptimizer, critic.weights(),
                            train.maxGradNorm(), new LearningRateSchedule(actorLr.kind(), config.criticLr(),
                                    actorLr.warmupSteps(), total));
                    actorStep.restoreSkippedSteps(state.skippedSteps());
                    loop = new Loop(policy, reference, critic, rewards, prompts, sampler, actorOptimizer,
                            criticOptimizer, actorStep, criticStep, metrics, samples, checkpoints, total);
                    state = loop.train(state, ppoState);
                }
                Path finalDir = state.step() >= total
                        ? RunDirectory.exportFinal(out, dir -> policy.save(dir, config.modelSaveType())) : null;
                return new Summary(state.step(), total, resumeFrom == null ? 0 : CheckpointStore.stepOf(resumeFrom),
                        loop.lastScore, loop.lastKl, finalDir);
            }
        }
    }

    /** The collaborators of one run and its iterations. */
    private final class Loop {
        final PretrainedModel policy;
        final PretrainedModel reference;
        final PretrainedModel critic;
        final RewardSources rewards;
        final PromptSet prompts;
        final BatchSampler sampler;
        final AdamW actorOptimizer;
        final AdamW criticOptimizer;
        final OptimizerStep actorStep;
        final OptimizerStep criticStep;
        final MetricsLog metrics;
        final MetricsLog samples;
        final CheckpointStore checkpoints;
        final int total;
        final PpoOptions ppo = config.ppo();
        final RolloutEngine engine;
        KlController kl;
        RunningMoments moments;
        double lastScore = Double.NaN;
        double lastKl = Double.NaN;

        Loop(PretrainedModel policy, PretrainedModel reference, PretrainedModel critic, RewardSources rewards,
                PromptSet prompts, BatchSampler sampler, AdamW actorOptimizer, AdamW criticOptimizer,
                OptimizerStep actorStep, OptimizerStep criticStep, MetricsLog metrics, MetricsLog samples,
                CheckpointStore checkpoints, int total) {
            this.policy = policy;
            this.reference = reference;
            this.critic = critic;
            this.rewards = rewards;
            this.prompts = prompts;
            this.sampler = sampler;
            this.actorOptimizer = actorOptimizer;
            this.criticOptimizer = criticOptimizer;
            this.actorStep = actorStep;
            this.criticStep = criticStep;
            this.metrics = metrics;
            this.samples = samples;
            this.checkpoints = checkpoints;
            this.total = total;
            this.engine = new RolloutEngine(policy.model(), policy.tokenizer(), EngineOptions.defaults());
        }

        TrainerState train(TrainerState state, PpoState saved) throws IOException {
            kl = ppo.kl().controller();
            kl.restore(saved.klCoef());
            moments = saved.rewardMoments();
            TrainConfig train = config.train();
            ProgressBar progress = ProgressBar.onStderr(total, state.step());
            for (int iteration = state.step(); iteration < Math.min(total, stopAfter); iteration++) {
                long started = System.nanoTime();
                int[] rows = sampler.batch(state.epoch(), state.batchInEpoch());
                boolean epochEnds = state.batchInEpoch() + 1 >= sampler.batchesPerEpoch();
                Timer timer = new Timer();
                Map<String, Object> line;
                Experience experience;
                try (NDManager scope = policy.manager().newSubManager()) { // every array of this iteration dies here
                    scope.tempAttachAll(policy.model().weights().asList()); // weight views and gradients land in it
                    scope.tempAttachAll(critic.model().weights().asList());
                    RolloutBatch batch = rollout(rows, iteration, scope, timer);               // 1. generate
                    experience = experience(batch, rows, scope, timer);                        // 2. score
                    Map<String, Double> update = update(experience, iteration, scope, timer);  // 3. learn
                    line = metricsLine(experience, update, timer, System.nanoTime() - started);
                }
                kl.update(experience.meanSequenceSum(experience.kl()), experience.rows());
                int done = iteration + 1;
                long responseTokens = Math.round(experience.meanSequenceSum(experience.mask()) * experience.rows());
                state = state.advance(done, epochEnds ? state.epoch() + 1 : state.epoch(),
                        epochEnds ? 0 : state.batchInEpoch() + 1, responseTokens, actorStep.skippedSteps());
                lastScore = (double) line.get("objective/scores");
                lastKl = (double) line.get("objective/kl");
                boolean logged = train.logsAt(done, total);
                if (logged) {
                    metrics.log(done, line);
                }
                if (ppo.sampleEvery() > 0 && (done == 1 || done % ppo.sampleEvery() == 0 || done == total)) {
                    writeSamples(done, experience);
                }
                progress.update(done, (double) line.get("loss/policy"),
                        responseTokens / ((System.nanoTime() - started) / 1e9), logged);
                if (logged) {
                    progress.message(String.format("iteration %d: score %.3f, kl %.3f, kl_coef %.4f", done, lastScore,
                            lastKl, experience.klCoef()));
                }
                if (train.savesAt(done, total)) {
                    PpoState ppoState = new PpoState(kl.value(), moments);
                    checkpoints.save(policy, actorOptimizer, state, staged -> {
                        CheckpointStore.saveModelAndOptimizer(staged.resolve(CRITIC_DIR), critic, criticOptimizer,
                                config.modelSaveType(), null);
                        Files.writeString(staged.resolve(PpoState.FILE_NAME), ppoState.toJson());
                    });
                }
                observer.afterIteration(done, timer.finish(System.nanoTime() - started, responseTokens), line);
            }
            progress.finish();
            return state;
        }

        /** Phase 1: responses to the prompts {@code rows} from the actor, sampled without a graph. */
        RolloutBatch rollout(int[] rows, int iteration, NDManager scope, Timer timer) {
            long t = System.nanoTime();
            List<int[]> ids = new ArrayList<>(rows.length);
            for (int r : rows) {
                ids.add(prompts.ids().get(r));
            }
            SamplingParams params = ppo.generation().sampling(config.seed());
            // Row seeds follow (seed, iteration * batch + row): nothing to save for an exact resume.
            long firstRow = (long) iteration * config.train().batchSize();
            RolloutBatch batch = engine.generate(ids, params, StopCriteria.eos(policy.stopTokenIds()), firstRow,
                    org.rlhf4j.core.rollout.RolloutListener.NONE, scope);
            timer.generation += System.nanoTime() - t;
            return batch;
        }

        /** Phase 2: reference log-probs, values, scores; per-token rewards; whitened GAE advantages. */
        Experience experience(RolloutBatch batch, int[] rows, NDManager scope, Timer timer) {
            int b = batch.batchSize();
            int a = batch.responseLength();
            double temperature = batch.temperature();
            double[][] mask = rows(batch.responseMask().toFloatArray(), b, a);
            double[][] logps = rows(batch.logps().toFloatArray(), b, a);
            long t = System.nanoTime();
            double[][] refLogps;
            try (NDManager call = scope.newSubManager()) {
                call.tempAttachAll(reference.model().weights().asList()); // the reference never builds a graph
                refLogps = rows(RolloutScorer.logps(reference.model(), batch, temperature, call).toFloatArray(), b, a);
            }
            long t1 = System.nanoTime();
            timer.reference += t1 - t;
            double[][] values;
            try (NDManager call = scope.newSubManager()) {
                values = rows(RolloutScorer.values(critic.model(), batch, call).toFloatArray(), b, a);
            }
            long t2 = System.nanoTime();
            timer.critic += t2 - t1;
            List<PromptRecord> records = new ArrayList<>(b);
            for (int i = 0; i < b; i++) {
                records.add(prompts.records().get(rows[i]));
            }
            RewardSources.Scores scored = rewards.score(batch, records, scope);
            timer.rewards += System.nanoTime() - t2;

            double[][] klPerToken = TokenRewards.kl(logps, refLogps, mask, ppo.kl().estimator()); // (B, A)
            boolean[] missingEos = new boolean[b];
            for (int i = 0; i < b; i++) {
                missingEos[i] = batch.rows().get(i).finishReason() == FinishReason.LENGTH;
            }
            double beta = kl.value();
            TokenRewards.Shaped shaped = TokenRewards.shape(klPerToken, scored.combined(), mask, missingEos,
                    ppo.shaping(), beta, moments);
            moments = shaped.moments();
            Gae.Advantages gae = Gae.compute(shaped.rewards(), values, mask, ppo.gamma(), ppo.lam());
            double[][] advantages = Whitening.masked(gae.advantages(), mask, true);
            return new Experience(batch, records, mask, logps, refLogps, values, klPerToken, shaped.rewards(), advantages,
                    gae.returns(), shaped.scores(), scored, beta);
        }

        /** Phase 3: {@code ppo_epochs} passes of minibatch updates of actor and critic; returns their statistics. */
        Map<String, Double> update(Experience exp, int iteration, NDManager scope, Timer timer) {
            long t = System.nanoTime();
            int b = exp.rows();
            int mini = config.update().miniBatchSize();
            Stats stats = new Stats();
            Random shuffle = new Random(config.seed() * 1_000_003L + iteration);
            int epochsRun = 0;
            double mismatch = Double.NaN;
            for (int epoch = 0; epoch < ppo.ppoEpochs(); epoch++) {
                int[] order = permutation(b, shuffle);
                double epochKl = 0;
                int epochSteps = 0;
                for (int start = 0; start < b; start += mini) {
                    int[] idx = Arrays.copyOfRange(order, start, Math.min(b, start + mini));
                    try (NDManager micro = scope.newSubManager()) { // activations of this minibatch die after its step
                        Minibatch mb = Minibatch.of(exp, idx, policy, micro);
                        float[] out = new float[7];
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            RolloutScorer.PolicyScores pol = RolloutScorer.logpsAndEntropy(policy.model(), mb.batch(),
                                    exp.batch().temperature(), micro); // (b, A') each
                            NDArray values = RolloutScorer.values(critic.model(), mb.batch(), micro); // (b, A')
                            PpoLoss.PolicyResult pg = PpoLoss.policy(pol.logps(), mb.logps(), mb.advantages(),
                                    mb.mask(), ppo.cliprange());
                            PpoLoss.ValueResult vf = PpoLoss.value(values, mb.values(), mb.returns(), mb.mask(),
                                    ppo.cliprangeValue());
                            NDArray entropy = PpoLoss.maskedMean(pol.entropy(), mb.mask());
                            NDArray loss = pg.loss().add(vf.loss().mul(PpoLoss.scalar(micro, ppo.vfCoef())));
                            if (ppo.entropyCoef() > 0) {
                                loss = loss.sub(entropy.mul(PpoLoss.scalar(micro, ppo.entropyCoef())));
                            }
                            collector.backward(loss);
                            out = new float[] {pg.loss().getFloat(), vf.loss().getFloat(), pg.clipFraction().getFloat(),
                                    vf.clipFraction().getFloat(), pg.approxKl().getFloat(), entropy.getFloat(), 0};
                            if (epoch == 0 && start == 0) { // the only forward before any update of this batch
                                mismatch = PpoLoss.maskedMean(pol.logps().sub(mb.logps()).abs(), mb.mask()).getFloat();
                            }
                        }
                        OptimizerStep.Result actor = actorStep.apply(iteration);
                        OptimizerStep.Result value = criticStep.apply(iteration);
                        stats.add(out, actor, value);
                        epochKl += out[4];
                        epochSteps++;
                    }
                }
                epochsRun++;
                if (ppo.earlyStopKl() != null && epochKl / epochSteps > ppo.earlyStopKl()) {
                    break; // the policy moved far enough from the rollout policy for this batch
                }
            }
            timer.training += System.nanoTime() - t;
            Map<String, Double> result = stats.means();
            result.put("policy/logprob_mismatch", mismatch);
            result.put("ppo/epochs", (double) epochsRun);
            return result;
        }

        Map<String, Object> metricsLine(Experience exp, Map<String, Double> update, Timer timer, long elapsed) {
            Map<String, Object> line = new LinkedHashMap<>();
            double meanKl = exp.meanSequenceSum(exp.kl());
            double nonScore = -exp.klCoef() * meanKl;
            double score = mean(exp.scores()); // the reward the loss used (after whitening, penalty)
            double rawScore = mean(exp.rewardScores().rawCombined());
            double[][] negLogps = new double[exp.rows()][];
            for (int i = 0; i < exp.rows(); i++) {
                negLogps[i] = Arrays.stream(exp.logps()[i]).map(x -> -x).toArray();
            }
            line.put("objective/kl", meanKl);
            line.put("objective/kl_coef", exp.klCoef());
            line.put("objective/entropy", exp.meanSequenceSum(negLogps));
            line.put("objective/non_score_reward", nonScore);
            line.put("objective/rlhf_reward", score + nonScore);
            line.put("objective/scores", rawScore);
            line.put("objective/scores_used", score);
            for (Map.Entry<String, double[]> e : exp.rewardScores().perSource().entrySet()) {
                double m = Arrays.stream(e.getValue()).filter(x -> !Double.isNaN(x)).average().orElse(Double.NaN);
                if (!Double.isNaN(m)) {
                    line.put("objective/scores/" + e.getKey(), m);
                }
            }
            if (!Double.isNaN(exp.rewardScores().safetyFraction())) {
                line.put("objective/safety_fraction", exp.rewardScores().safetyFraction());
            }
            line.put("policy/approxkl", update.get("policy/approxkl"));
            line.put("policy/clipfrac", update.get("policy/clipfrac"));
            line.put("policy/entropy", update.get("policy/entropy"));
            line.put("policy/logprob_mismatch", update.get("policy/logprob_mismatch"));
            line.put("loss/policy", update.get("loss/policy"));
            line.put("loss/value", update.get("loss/value"));
            line.put("val/clipfrac", update.get("val/clipfrac"));
            line.put("val/mean", exp.meanToken(exp.values()));
            line.put("val/num_eos_tokens", exp.batch().rows().stream()
                    .filter(r -> r.finishReason() == FinishReason.EOS).count());
            line.put("response_length/mean", exp.meanSequenceSum(exp.mask()));
            line.put("ppo/epochs", update.get("ppo/epochs"));
            line.put("learning_rate", update.get("learning_rate"));
            line.put("grad_norm/actor", update.get("grad_norm/actor"));
            line.put("grad_norm/critic", update.get("grad_norm/critic"));
            line.put("time/generation", timer.generation / 1e9);
            line.put("time/scoring", (timer.reference + timer.critic + timer.rewards) / 1e9);
            line.put("time/training", timer.training / 1e9);
            line.put("time/iteration", elapsed / 1e9);
            line.put("time/generation_fraction", timer.generation / (double) Math.max(1, elapsed));
            long peak = PeakMemory.residentBytes();
            if (peak > 0) {
                line.put("memory/peak_rss_mb", peak / (1024.0 * 1024.0));
            }
            return line;
        }

        void writeSamples(int done, Experience exp) throws IOException {
            int n = Math.min(ppo.sampleCount(), exp.rows());
            for (int i = 0; i < n; i++) {
                Map<String, Object> sample = new LinkedHashMap<>();
                Completion row = exp.batch().rows().get(i);
                sample.put("prompt", exp.prompts().get(i).userText());
                sample.put("response", row.responseText());
                sample.put("finish_reason", row.finishReason().jsonName());
                sample.put("score", exp.scores()[i]);
                Map<String, Double> perSource = new LinkedHashMap<>();
                for (Map.Entry<String, double[]> e : exp.rewardScores().perSource().entrySet()) {
                    if (!Double.isNaN(e.getValue()[i])) {
                        perSource.put(e.getKey(), e.getValue()[i]);
                    }
                }
                sample.put("scores", perSource);
                samples.log(done, sample);
            }
        }
    }

    /** Per-iteration phase clocks, nanoseconds. */
    static final class Timer {
        long generation;
        long reference;
        long critic;
        long rewards;
        long training;

        IterationTimings finish(long total, long responseTokens) {
            return new IterationTimings(generation, reference, critic, rewards, training, total, responseTokens);
        }
    }

    /** Means of the minibatch statistics of one update phase. */
    private static final class Stats {
        final double[] sums = new double[6];
        int steps;
        double lr;
        double actorNorm;
        double criticNorm;

        void add(float[] values, OptimizerStep.Result actor, OptimizerStep.Result critic) {
            for (int i = 0; i < sums.length; i++) {
                sums[i] += values[i];
            }
            steps++;
            lr = actor.learningRate();
            actorNorm = actor.gradNorm();
            criticNorm = critic.gradNorm();
        }

        Map<String, Double> means() {
            String[] names = {"loss/policy", "loss/value", "policy/clipfrac", "val/clipfrac", "policy/approxkl",
                "policy/entropy"};
            Map<String, Double> out = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) {
                out.put(names[i], sums[i] / Math.max(1, steps));
            }
            out.put("learning_rate", lr);
            out.put("grad_norm/actor", actorNorm);
            out.put("grad_norm/critic", criticNorm);
            return out;
        }
    }

    static double[][] rows(float[] flat, int b, int a) {
        double[][] out = new double[b][a];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < a; j++) {
                out[i][j] = flat[i * a + j];
            }
        }
        return out;
    }

    private static double mean(double[] x) {
        return Arrays.stream(x).average().orElse(Double.NaN);
    }

    /** The checkpoint's state, after checking that the config still describes the same prompt stream. */
    private TrainerState resumedState(Path checkpoint, PromptSet prompts, int total) throws IOException {
        TrainerState s = CheckpointStore.readState(checkpoint);
        ResumeGuard.requireSame(checkpoint, "seed", s.seed(), config.seed());
        ResumeGuard.requireSame(checkpoint, "train.batch_size", s.batchSize(), config.train().batchSize());
        ResumeGuard.requireSame(checkpoint, "the number of prompts", s.trainRows(), prompts.size());
        return s.withSchedule(config.train(), total); // grad_accum is not checked: PPO records 1
    }

    /** A uniformly random permutation of {@code 0..n-1} (Fisher-Yates). */
    static int[] permutation(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
