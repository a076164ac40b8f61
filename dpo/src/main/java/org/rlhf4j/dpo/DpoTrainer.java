package org.rlhf4j.dpo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.Recompute;
import org.rlhf4j.core.ops.MaskedReductions;
import org.rlhf4j.core.ops.Scalars;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.core.training.PhaseTimer;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.core.training.StepLoop;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.core.training.TrainerState;
import org.rlhf4j.core.training.TrainingRun;
import org.rlhf4j.datasets.BatchOrder;
import org.rlhf4j.datasets.TokenizedPair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Direct preference optimisation of a causal LM on preference pairs, against a frozen reference
 * or reference-free: the losses of {@link DpoLoss} (DPO, cDPO, robust, hinge, IPO, optional RPO
 * term; SimPO and ORPO without a reference model) minimised with AdamW,
 * with gradient accumulation, global-norm clipping, a warmup-then-decay schedule, periodic
 * evaluation and checkpoints, and an exact resume.
 *
 * <p>One optimizer step reads {@code grad_accum} micro-batches of {@code batch_size} pairs. The
 * reference's log-probs of all of them are fetched first, outside the gradient collector (from
 * the precomputed table or the frozen model); then each micro-batch's chosen and rejected rows
 * go through the policy in one forward pass, its loss (summed over pairs, divided by the pairs of
 * the whole step) is backpropagated and its graph freed. Then clip, update, zero.
 *
 * <p>Deliberate simplifications: one process, one device, no mixed precision; the reference
 * shares the policy's tokenizer (pairs are tokenized once); no padding-free packing of pairs.
 */
public final class DpoTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(DpoTrainer.class);

    /** The {@code reference} note of a run whose precomputed reference log-probs were read from the cache. */
    static final String CACHE_REUSED = "cached log-probs reused";
    /** The {@code reference} note of a run that computed the reference log-probs and cached them. */
    static final String CACHE_WRITTEN = "log-probs precomputed and cached";

    /** The fitted pairs of a run: train rows first, then eval, indexed in that order. */
    record Pairs(List<DpoPair> train, List<DpoPair> eval, int truncated) {
        List<DpoPair> all() {
            List<DpoPair> out = new ArrayList<>(train);
            out.addAll(eval);
            return out;
        }

        /**
         * A warning naming the pairs that truncation to {@code maxSeqLen} left with identical
         * responses (they differed only past the cut), if any: they train nothing and hold the
         * loss at log 2.
         */
        Optional<String> identicalWarning(int maxSeqLen) {
            List<String> where = all().stream().filter(p -> p.truncated() && p.identical())
                    .map(p -> p.source() == null ? "pair " + p.index() : p.source()).toList();
            if (where.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(String.format("%d pair(s) have identical chosen and rejected responses after"
                    + " truncation to train.max_seq_len %d (%s%s); they teach nothing (loss log 2 = 0.6931); raise"
                    + " train.max_seq_len or lower dpo.max_prompt_len", where.size(), maxSeqLen,
                    String.join(", ", where.subList(0, Math.min(3, where.size()))), where.size() > 3 ? ", ..." : ""));
        }
    }

    private final DpoConfig config;
    private final PreferenceData.Loader dataLoader;
    private int stopAfter = Integer.MAX_VALUE;

    /** A trainer reading the config's data files (the one place the data source is chosen). */
    public DpoTrainer(DpoConfig config) {
        this(config, DatasetPreferenceData.loader(config.data(), config.seed()));
    }

    /** A trainer over pairs from {@code dataLoader}, e.g. in-memory pairs in tests. */
    public DpoTrainer(DpoConfig config, PreferenceData.Loader dataLoader) {
        if (!config.dpo().type().paired()) {
            throw new IllegalArgumentException("DpoTrainer trains paired losses; loss_type " + config.dpo().lossType()
                    + " is KtoTrainer's");
        }
        this.config = config;
        this.dataLoader = dataLoader;
    }

    /**
     * Runs the {@code dpo} stage of {@code config} on its data files: {@link KtoTrainer} for
     * {@code loss_type: kto} (unpaired data), this trainer for the paired losses.
     */
    public static RunSummary runStage(DpoConfig config) throws IOException {
        return config.dpo().type().paired() ? new DpoTrainer(config).run() : new KtoTrainer(config).run();
    }

    /** The figures a finished run's headline shows: TRL's eval statistics of the loss type. */
    public static String[] headlineFigures(DpoOptions dpo) {
        return dpo.type().paired()
                ? new String[] {"loss", "eval_loss", "eval_rewards/accuracies", "eval_rewards/margins"}
                : new String[] {"loss", "eval_loss", "eval_rewards/margins", "eval_kl"};
    }

    /** Stops after {@code step} as if the process were killed there (tests of resume). */
    DpoTrainer stopAfter(int step) {
        this.stopAfter = step;
        return this;
    }

    /** Trains to the last step, resuming from the newest complete checkpoint in the output directory. */
    public RunSummary run() throws IOException {
        TrainConfig train = config.train();
        try (TrainingRun run = TrainingRun.open(config,
                device -> PretrainedModel.load(config.modelPath(), device, config.computeType()))) {
            PretrainedModel policy = run.model();
            PreferenceData data = dataLoader.load(policy.tokenizer());
            Pairs pairs = fit(data, train.maxSeqLen(), config.dpo().promptBudget(train.maxSeqLen()));
            if (pairs.truncated() > 0) {
                LOG.info("{} pair(s) cut to max_seq_len {}", pairs.truncated(), train.maxSeqLen());
            }
            pairs.identicalWarning(train.maxSeqLen()).ifPresent(LOG::warn);
            run.requireWithinPositions(pairs.all().stream().mapToInt(DpoPair::longerLength).max().orElse(0),
                    "a sequence of a pair of data.train " + config.data().train(),
                    "lower train.max_seq_len to at most %d to truncate it");
            BatchOrder order = new BatchOrder(pairs.train().stream().mapToInt(DpoPair::longerLength).toArray(),
                    train.batchSize(), config.data().groupByLength(), config.seed());
            int total = train.totalSteps(order.batchesPerEpoch());
            TrainerState state = run.start("the number of training pairs", pairs.train().size(), total, data.files());
            try (Reference reference = ReferenceSetup.open(config, run, pairs.all())) {
                state = train(run, reference, pairs, order, total, state);
            }
            return run.finish(state, dir -> policy.save(dir, config.modelSaveType()));
        }
    }

    /** The optimizer steps from {@code state} to {@code total}; returns the state after the last one. */
    private TrainerState train(TrainingRun run, Reference reference, Pairs pairs, BatchOrder order, int total,
            TrainerState state) throws IOException {
        PretrainedModel policy = run.model();
        DpoOptions dpo = config.dpo();
        int batchSize = config.train().batchSize();
        StepLoop.Stage<Step> stage = new StepLoop.Stage<>() {
            private final PairMetrics windowPairs = new PairMetrics(dpo.type()); // the DPO statistics of the window
            private double windowNll;

            @Override
            public StepLoop.Read<Step> read(TrainerState at) {
                StepLoop.Read<List<int[]>> rows = order.step(at, config.train().gradAccum());
                List<List<DpoPair>> microBatches = rows.input().stream().map(r -> rows(pairs.train(), r)).toList();
                List<ReferenceLogps> references = microBatches.stream().map(reference::logps).toList(); // no graph
                return new StepLoop.Read<>(new Step(microBatches, references), rows.next());
            }

            @Override
            public StepLoop.Accumulated accumulate(Step step, NDManager scope, PhaseTimer phases) {
                Accumulated out = DpoTrainer.this.accumulate(policy.model(), policy.tokenizer(), step.microBatches(),
                        step.references(), scope, windowPairs, phases);
                windowNll += out.nll();
                return new StepLoop.Accumulated(out.loss(), out.tokens());
            }

            @Override
            public Map<String, ?> drainMetrics(int steps) {
                Map<String, Object> metrics = new LinkedHashMap<>(windowPairs.drain(""));
                if (dpo.nllWeight() > 0) {
                    metrics.put("nll_loss", windowNll / Math.max(1, steps));
                }
                windowNll = 0;
                return metrics;
            }

            @Override
            public boolean evaluates() {
                return !pairs.eval().isEmpty();
            }

            @Override
            public Map<String, Double> evaluate() {
                return DpoTrainer.evaluate(policy, reference, pairs.eval(), batchSize, dpo);
            }

            @Override
            public String describe(int done, Map<String, Double> eval) {
                return String.format("step %d: eval_loss %.4f, eval_rewards/accuracies %.3f, eval_rewards/margins %.4f",
                        done, eval.get("eval_loss"), eval.get("eval_rewards/accuracies"),
                        eval.get("eval_rewards/margins"));
            }
        };
        return StepLoop.run(run, stage, total, state, stopAfter, model -> { });
    }

    /** One optimizer step's micro-batches and the reference's log-probs of each, read before the step's arrays. */
    record Step(List<List<DpoPair>> microBatches, List<ReferenceLogps> references) {}

    /** Objective, NLL term and real tokens of one optimizer step's micro-batches. */
    record Accumulated(double loss, double nll, long tokens) {}

    /**
     * Forward and backward over {@code microBatches}, leaving the summed gradients on the model's
     * weights. Each micro-batch's summed pair losses are divided by the pairs of the whole step
     * and its RPO term by the chosen tokens of the whole step, so the gradient equals that of one
     * batch holding every pair. Collation, forward and backward are timed into {@code phases}.
     */
    Accumulated accumulate(LlamaModel model, Tokenizer tokenizer, List<List<DpoPair>> microBatches,
            List<ReferenceLogps> references, NDManager scope, PairMetrics stats, PhaseTimer phases) {
        DpoOptions dpo = config.dpo();
        long pairCount = 0;
        long chosenTokens = 0;
        long tokens = 0;
        for (List<DpoPair> rows : microBatches) {
            for (DpoPair p : rows) {
                pairCount++;
                chosenTokens += p.chosenScoredTokens();
                tokens += 2L * p.prompt().length + p.chosen().length + p.rejected().length;
            }
        }
        double loss = 0;
        double nll = 0;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            for (int i = 0; i < microBatches.size(); i++) {
                try (NDManager micro = scope.newSubManager()) { // this micro-batch's graph dies after its backward
                    long t = System.nanoTime();
                    PairBatch batch = PairBatch.of(microBatches.get(i), tokenizer, micro);
                    t = phases.lap("collate", t);
                    Forward f = forward(model, batch, references.get(i), dpo, micro);
                    NDArray objective = MaskedReductions.normalised(f.loss().losses().sum(), pairCount); // ()
                    if (dpo.nllWeight() > 0) { // RPO's term, or ORPO's SFT half
                        NDArray rpo = DpoLoss.rpoNll(f.policySummed().chosen(), chosenTokens); // ()
                        objective = objective.add(rpo.mul(Scalars.of(micro, dpo.nllWeight())));
                        nll += rpo.getFloat();
                    }
                    t = phases.lap("forward", t);
                    Recompute.backward(collector, objective); // then any checkpointed layers / head chunks
                    loss += objective.getFloat();
                    phases.lap("backward", t);
                    f.addTo(stats);
                }
            }
        }
        return new Accumulated(loss, nll, tokens);
    }

    /**
     * One micro-batch's losses: the policy's sequence log-probs through the engine's scorer, the
     * reference's from {@code reference} (zeros, unread, for SimPO and ORPO), both averaged per
     * token for IPO, SimPO and ORPO.
     *
     * @param policySummed the policy's summed log-probs (for RPO's NLL, whatever the loss type)
     * @param policy the log-probs the loss saw (summed, or per-token for IPO)
     */
    record Forward(DpoLoss.Result loss, SequenceLogps policySummed, SequenceLogps policy) {
        void addTo(PairMetrics stats) {
            stats.add(loss.chosenRewards().toFloatArray(), loss.rejectedRewards().toFloatArray(),
                    policy.chosen().toFloatArray(), policy.rejected().toFloatArray());
        }
    }

    static Forward forward(LlamaModel model, PairBatch batch, ReferenceLogps referenceLogps, DpoOptions dpo,
            NDManager manager) {
        SequenceLogps summed = batch.sequenceLogps(model, manager); // (B) each, in the graph
        SequenceLogps reference = new SequenceLogps(manager.create(referenceLogps.chosen()),
                manager.create(referenceLogps.rejected())); // (B) each, constants
        SequenceLogps policy = summed;
        if (dpo.averagesLogps()) {
            policy = perToken(summed, batch);
            reference = perToken(reference, batch);
        }
        return new Forward(DpoLoss.of(dpo.type(), policy, reference, dpo.beta(), dpo.labelSmoothing(),
                dpo.simpoGamma()), summed, policy);
    }

    private static SequenceLogps perToken(SequenceLogps summed, PairBatch batch) {
        return new SequenceLogps(summed.chosen().div(batch.chosenTokens()), summed.rejected().div(batch.rejectedTokens()));
    }

    /**
     * The eval split's metrics without a graph: {@code eval_loss} (mean pair loss, plus the RPO
     * term per chosen token) and the {@code eval_rewards/...}, {@code eval_logps/...} means.
     */
    static Map<String, Double> evaluate(PretrainedModel policy, Reference reference, List<DpoPair> pairs,
            int batchSize, DpoOptions dpo) {
        PairMetrics stats = new PairMetrics(dpo.type());
        double lossSum = 0;
        double nllSum = 0;
        long chosenTokens = 0;
        for (int from = 0; from < pairs.size(); from += batchSize) {
            List<DpoPair> rows = pairs.subList(from, Math.min(pairs.size(), from + batchSize));
            ReferenceLogps ref = reference.logps(rows);
            try (NDManager scope = policy.manager().newSubManager()) {
                scope.tempAttachAll(policy.model().weights().asList());
                PairBatch batch = PairBatch.of(rows, policy.tokenizer(), scope);
                Forward f = forward(policy.model(), batch, ref, dpo, scope);
                lossSum += f.loss().losses().sum().getFloat();
                nllSum -= f.policySummed().chosen().sum().getFloat();
                chosenTokens += batch.chosenTokenCount();
                f.addTo(stats);
            }
        }
        double loss = lossSum / pairs.size() + (dpo.nllWeight() > 0 ? dpo.nllWeight() * nllSum / chosenTokens : 0);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("eval_loss", loss);
        out.putAll(stats.drain("eval_"));
        if (dpo.nllWeight() > 0) {
            out.put("eval_nll_loss", nllSum / chosenTokens);
        }
        return out;
    }

    /** Splits and fits every pair; train pairs are indexed first, then eval pairs. */
    static Pairs fit(PreferenceData data, int maxSeqLen, int maxPromptLen) {
        List<DpoPair> train = new ArrayList<>();
        List<DpoPair> eval = new ArrayList<>();
        int index = 0;
        int truncated = 0;
        for (TokenizedPair p : data.train()) {
            DpoPair pair = DpoPair.of(p, index++, maxSeqLen, maxPromptLen);
            truncated += pair.truncated() ? 1 : 0;
            train.add(pair);
        }
        for (TokenizedPair p : data.eval()) {
            DpoPair pair = DpoPair.of(p, index++, maxSeqLen, maxPromptLen);
            truncated += pair.truncated() ? 1 : 0;
            eval.add(pair);
        }
        if (train.isEmpty()) {
            throw new UserException("data.train: no preference pairs");
        }
        return new Pairs(train, eval, truncated);
    }

    private static List<DpoPair> rows(List<DpoPair> all, int[] indices) {
        List<DpoPair> out = new ArrayList<>(indices.length);
        for (int i : indices) {
            out.add(all.get(i));
        }
        return out;
    }
}
