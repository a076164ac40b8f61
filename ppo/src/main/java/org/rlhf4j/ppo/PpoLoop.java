package org.rlhf4j.ppo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.rlhf4j.core.lora.LoraAdapters;
import org.rlhf4j.core.model.Recompute;
import org.rlhf4j.core.ops.Scalars;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutEngine;
import org.rlhf4j.core.rollout.RolloutListener;
import org.rlhf4j.core.rollout.RolloutScorer;
import org.rlhf4j.core.rollout.StopCriteria;
import org.rlhf4j.core.training.TrainerState;
import org.rlhf4j.core.training.TrainingRun;
import org.rlhf4j.datasets.BatchSampler;
import org.rlhf4j.datasets.PromptRecord;

/**
 * One PPO run's iteration loop: its collaborators (opened by {@link PpoTrainer}), and as methods
 * the loop and its three phases (rollout, experience, update), in call order. {@code critic} is null when the advantages need none; {@code reference} is null when it is the
 * policy with its LoRA adapters off; {@code ptx} is null without PPO-ptx ({@code ppo.ptx_coef} 0).
 */
record PpoLoop(PpoConfig config, PpoTrainer.IterationObserver observer, TrainingRun run, Learner critic,
        PretrainedModel reference, RewardSources rewards, PromptSet prompts, BatchSampler sampler,
        RolloutEngine engine, PpoMetrics metrics, PpoCheckpoints checkpoints, int total, PtxBatches ptx) {

    /**
     * Iterations from {@code state} to the last: the three phases, then report, checkpoint and observer;
     * returns the state after the last one.
     */
    TrainerState train(TrainerState state, PpoState saved) throws IOException {
        KlController klController = config.ppo().kl().controller();
        klController.restore(saved.klCoef());
        RunningMoments moments = saved.rewardMoments();
        Experience experience = null;
        for (int iteration = state.step(); iteration < total; iteration++) {
            long started = System.nanoTime();
            PhaseClock clock = new PhaseClock();
            UpdateStats update;
            Map<String, Object> line;
            int samplerBatches;
            // every array of this iteration dies with its scope; weight views and gradients land in it
            try (NDManager scope = run.model().manager().newSubManager()) {
                scope.tempAttachAll(run.model().model().weights().asList());
                if (critic != null) {
                    scope.tempAttachAll(critic.arraysBesides(run.model())); // a LoRA critic shares the policy's base
                }
                DynamicSampling.Rollout rollout = rollout(state, iteration, scope, clock);           // 1. generate
                experience = experience(rollout.batch(), rollout.rows(), klController.value(), moments, scope,
                        clock);                                                                     // 2. score
                samplerBatches = rollout.samplerBatches();
                update = update(experience, iteration, scope, clock);                               // 3. learn
                line = PpoMetrics.line(experience, rollout, update, config.ppo(), clock,
                        System.nanoTime() - started);
            }
            klController.update(experience.meanKl(), experience.rows());
            moments = experience.rewardMoments();
            int done = iteration + 1;
            // more than one prompt batch when dynamic sampling refilled
            DynamicSampling.Position next = new DynamicSampling.Position(state.epoch(), state.batchInEpoch())
                    .plus(samplerBatches, sampler.batchesPerEpoch());
            state = state.advance(done, next.epoch(), next.batchInEpoch(), experience.responseTokens(),
                    run.optimizer().skippedSteps());
            metrics.report(done, config.train().logsAt(done, total), line, experience, update, started);
            if (config.train().savesAt(done, total)) {
                run.checkpoint(state, checkpoints.extraFiles(critic, new PpoState(klController.value(), moments,
                        config.ppo().advantage().groupSize(), ptx == null ? null : ptx.position())));
            }
            observer.afterIteration(done, clock.finish(System.nanoTime() - started, experience.responseTokens()),
                    line);
            run.stopIfSignalled(state); // after SIGTERM/SIGINT: checkpoint and stop
        }
        return state;
    }

    /**
     * Phase 1: {@code group_size} responses to each prompt of the sampler's batch at {@code state}'s
     * position, from the actor, sampled without a graph in one batched call (a prompt repeated for
     * its group gets its own row seed, so its responses differ); with dynamic sampling, rounds more
     * until the batch's groups are informative ({@link DynamicSampling}).
     */
    DynamicSampling.Rollout rollout(TrainerState state, int iteration, NDManager scope, PhaseClock clock) {
        PpoOptions.Advantage options = config.ppo().advantage();
        if (!options.dynamicSampling()) {
            int[] rows = GroupAdvantages.repeat(sampler.batch(state.epoch(), state.batchInEpoch()),
                    options.groupSize());
            return new DynamicSampling.Rollout(generate(rows, iteration, 0, scope, clock), rows, 1, Double.NaN);
        }
        return DynamicSampling.collect(sampler, new DynamicSampling.Position(state.epoch(), state.batchInEpoch()),
                options.groupSize(), config.promptsPerBatch(), options.dynamicSamplingRounds(),
                (rows, round, manager) -> scoredRound(rows, iteration, round, manager, clock), scope);
    }

    /** A dynamic sampling round: responses to {@code rows}, judged by their scores after the length penalties. */
    DynamicSampling.Sampled scoredRound(int[] rows, int iteration, int round, NDManager manager, PhaseClock clock) {
        RolloutBatch batch = generate(rows, iteration, round, manager, clock);
        long t = System.nanoTime();
        RewardSources.Scores scores = rewards.score(batch, records(rows), manager);
        double[][] mask = Experience.perToken(batch.responseMask(), batch.batchSize(), batch.responseLength());
        clock.rewards += System.nanoTime() - t;
        return new DynamicSampling.Sampled(batch, TokenRewards.penalised(scores.combined(), mask,
                TokenRewards.missingEos(batch), config.ppo().shaping()), scores.rawCombined());
    }

    /** Responses to the prompts {@code rows}, generation round {@code round} of {@code iteration}. */
    RolloutBatch generate(int[] rows, int iteration, int round, NDManager manager, PhaseClock clock) {
        long t = System.nanoTime();
        List<int[]> ids = Arrays.stream(rows).mapToObj(prompts.ids()::get).toList();
        // Row seeds follow (seed, iteration * batch + row): nothing to save for an exact resume. Dynamic
        // sampling's extra rounds take rows past every iteration's: (total + iteration * rounds + r - 1) * batch.
        long batch = config.train().batchSize();
        long firstRow = round == 0 ? iteration * batch
                : (total + (long) iteration * config.ppo().advantage().dynamicSamplingRounds() + round - 1) * batch;
        RolloutBatch out = engine.generate(ids, config.ppo().generation().sampling(config.seed()),
                StopCriteria.eos(run.model().stopTokenIds()), firstRow, RolloutListener.NONE, manager);
        clock.generation += System.nanoTime() - t;
        return out;
    }

    /** The prompt record of each row. */
    List<PromptRecord> records(int[] rows) {
        return Arrays.stream(rows).mapToObj(prompts.records()::get).toList();
    }

    /**
     * Phase 2: reference log-probs, values and scores of the batch; per-token rewards with KL
     * coefficient {@code beta} and the running score moments {@code moments}; whitened GAE advantages,
     * or group advantages without a critic.
     */
    Experience experience(RolloutBatch batch, int[] rows, double beta, RunningMoments moments, NDManager scope,
            PhaseClock clock) {
        int b = batch.batchSize();
        int a = batch.responseLength();
        double[][] mask = Experience.perToken(batch.responseMask(), b, a); // (B, A)
        double[][] logps = Experience.perToken(batch.logps(), b, a); // (B, A)
        long t = System.nanoTime();
        double[][] refLogps; // (B, A)
        PretrainedModel referenceModel = reference != null ? reference : run.model();
        try (NDManager call = scope.newSubManager();
                LoraAdapters.Switch off = reference != null ? null : run.model().adapters().disabled()) {
            call.tempAttachAll(referenceModel.model().weights().asList()); // the reference never builds a graph
            NDArray ref = RolloutScorer.logps(referenceModel.model(), batch, batch.temperature(), call); // (B, A)
            refLogps = Experience.perToken(ref, b, a);
        }
        long t1 = System.nanoTime();
        clock.reference += t1 - t;
        double[][] values = new double[b][a]; // (B, A), 0 without a critic
        if (critic != null) {
            try (NDManager call = scope.newSubManager()) {
                values = Experience.perToken(RolloutScorer.values(critic.pretrained().model(), batch, call), b, a);
            }
        }
        long t2 = System.nanoTime();
        clock.critic += t2 - t1;
        List<PromptRecord> records = records(rows);
        RewardSources.Scores scored = rewards.score(batch, records, scope);
        clock.rewards += System.nanoTime() - t2;

        PpoOptions ppo = config.ppo();
        double[][] kl = TokenRewards.kl(logps, refLogps, mask, ppo.kl().estimator()); // (B, A)
        TokenRewards.Shaped shaped = TokenRewards.shape(kl, scored.combined(), mask,
                TokenRewards.missingEos(batch), ppo.shaping(), ppo.kl().rewardCoef(beta), moments);
        PpoOptions.Advantage options = ppo.advantage();
        Gae.Advantages advantages = options.estimate(shaped.rewards(), values, mask);
        double[][] lossMask = options.dynamicSampling()
                ? GroupAdvantages.withoutTiedGroups(mask, shaped.used(), options.groupSize()) : mask; // (B, A)
        return new Experience(batch, records, mask, lossMask, logps, refLogps, values, kl, shaped.rewards(),
                advantages.advantages(), advantages.returns(), shaped.scores(), scored, beta, shaped.moments());
    }

    /**
     * Phase 3: {@code ppo_epochs} passes of shuffled minibatches, each one forward of actor and
     * critic, one backward of the summed losses and one optimizer step of each.
     */
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
                epochKl += learn(exp, rows, options, iteration, sum, scope).approxKl();
                epochSteps++;
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
     * One minibatch {@code rows} of {@code exp}: a forward of actor and critic, one backward of the
     * summed losses, one step of each optimizer; its statistics are added to {@code sum}.
     */
    UpdateStats.Step learn(Experience exp, int[] rows, PpoOptions.Update options, int iteration,
            UpdateStats.Sum sum, NDManager scope) {
        try (NDManager micro = scope.newSubManager()) { // activations of this minibatch die after its step
            Minibatch mb = Minibatch.of(exp, rows, run.model(), micro);
            UpdateStats.Step step;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                RolloutScorer.PolicyScores pol = RolloutScorer.logpsAndEntropy(run.model().model(),
                        mb.batch(), exp.batch().temperature(), micro); // (b, A') each
                NDArray values = critic == null ? null
                        : RolloutScorer.values(critic.pretrained().model(), mb.batch(), micro); // (b, A')
                Minibatch.Losses losses = mb.losses(pol.logps(), pol.entropy(), values, options, exp.klCoef(),
                        micro);
                // PPO-ptx: the LM loss on the next pretraining batch joins the same backward
                NDArray ptxLoss = ptx == null ? null : ptx.nextLoss(run.model().model(), micro); // ()
                NDArray total = ptxLoss == null ? losses.total()
                        : losses.total().add(ptxLoss.mul(Scalars.of(micro, ptx.coef())));
                Recompute.backward(collector, total); // then any checkpointed layers / head chunks
                // the batch's first forward is its only one before any update: it must equal the rollout's
                double mismatch = sum.isEmpty() ? mb.logprobMismatch(pol.logps()) : Double.NaN;
                step = UpdateStats.Step.of(losses, mismatch, ptxLoss == null ? Double.NaN : ptxLoss.getFloat());
            }
            // a non-finite score or KL skips the step as a non-finite loss does, and the run's divergence
            // guard stops the run after too many skipped steps in a row
            double loss = exp.finite() ? step.policyLoss() : Double.NaN;
            sum.add(step, run.updateMinibatch(iteration, loss), critic == null ? null : critic.apply(iteration, loss));
            return step;
        }
    }
}
