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
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.ops.MaskedReductions;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutScorer;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.core.training.PhaseTimer;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.core.training.StepLoop;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.core.training.TrainerState;
import org.rlhf4j.core.training.TrainingRun;
import org.rlhf4j.datasets.BatchOrder;

/**
 * KTO (Ethayarajh et al. 2024) of a causal LM on unpaired, labelled completions against a frozen
 * reference: {@code dpo.loss_type: kto}, the losses of {@link KtoLoss} minimised with AdamW, with
 * the DPO stage's accumulation, clipping, schedule, evaluation, checkpoints, exact resume and
 * reference modes ({@link ReferenceSetup}).
 *
 * <p>One optimizer step reads {@code grad_accum} micro-batches of {@code batch_size} examples.
 * First, outside the gradient collector, the reference's log-probs of every example's completion
 * and mismatched completion, and the policy's of the mismatched ones; the reference point
 * {@code z0 = max(0, mean(log pi - log ref))} over the mismatched sequences of the whole step is
 * a constant of the step (TRL detaches it too; taking the whole step rather than each
 * micro-batch makes {@code batch_size} 2 x {@code grad_accum} 2 equal a batch of 4). Then each
 * micro-batch's completions go through the policy, and their summed KTO losses, divided by the
 * examples of the whole step, are backpropagated. Then clip, update, zero.
 *
 * <p>Deliberate simplifications: as {@link DpoTrainer}; the mismatched completion of each example
 * is fixed before training ({@link MismatchedCompletions}) rather than drawn from its batch, so the
 * reference can be precomputed; evaluation estimates z0 per evaluation batch, as TRL.
 */
public final class KtoTrainer {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KtoTrainer.class);

    private final DpoConfig config;
    private final KtoData.Loader dataLoader;
    private int stopAfter = Integer.MAX_VALUE;

    /** A trainer reading the config's data files ({@link KtoData#fromFiles}). */
    public KtoTrainer(DpoConfig config) {
        this(config, KtoData.fromFiles(config.data(), config.seed()));
    }

    /** A trainer over examples from {@code dataLoader}, e.g. in-memory examples in tests. */
    public KtoTrainer(DpoConfig config, KtoData.Loader dataLoader) {
        if (config.dpo().type() != DpoLoss.Type.KTO) {
            throw new IllegalArgumentException("KtoTrainer trains dpo.loss_type kto, not " + config.dpo().lossType());
        }
        this.config = config;
        this.dataLoader = dataLoader;
    }

    /** Stops after {@code step} as if the process were killed there (tests of resume). */
    KtoTrainer stopAfter(int step) {
        this.stopAfter = step;
        return this;
    }

    /** The fitted examples of a run: train rows first, then eval, indexed in that order. */
    record Examples(List<KtoExample> train, List<KtoExample> eval, int truncated) {
        List<DpoPair> allSequences() {
            List<DpoPair> out = new ArrayList<>();
            train.forEach(e -> out.add(e.sequences()));
            eval.forEach(e -> out.add(e.sequences()));
            return out;
        }
    }

    /** Trains to the last step, resuming from the newest complete checkpoint in the output directory. */
    public RunSummary run() throws IOException {
        TrainConfig train = config.train();
        try (TrainingRun run = TrainingRun.open(config,
                device -> PretrainedModel.load(config.modelPath(), device, config.computeType()))) {
            PretrainedModel policy = run.model();
            KtoData data = dataLoader.load(policy.tokenizer());
            Examples examples = fit(data, train.maxSeqLen(), config.dpo().promptBudget(train.maxSeqLen()));
            if (examples.truncated() > 0) {
                LOG.info("{} example(s) cut to max_seq_len {}", examples.truncated(), train.maxSeqLen());
            }
            BatchOrder order = new BatchOrder(examples.train().stream().mapToInt(e -> e.sequences().longerLength())
                    .toArray(), train.batchSize(), config.data().groupByLength(), config.seed());
            int total = train.totalSteps(order.batchesPerEpoch());
            TrainerState state = run.start("the number of training examples", examples.train().size(), total,
                    data.files());
            try (Reference reference = ReferenceSetup.open(config, run, examples.allSequences())) {
                state = train(run, reference, examples, order, total, state);
            }
            return run.finish(state, dir -> policy.save(dir, config.modelSaveType()));
        }
    }

    /** The optimizer steps from {@code state} to {@code total}; returns the state after the last one. */
    private TrainerState train(TrainingRun run, Reference reference, Examples examples, BatchOrder order, int total,
            TrainerState state) throws IOException {
        PretrainedModel policy = run.model();
        int batchSize = config.train().batchSize();
        StepLoop.Stage<Step> stage = new StepLoop.Stage<>() {
            private final KtoMetrics windowStats = new KtoMetrics(); // the KTO statistics of the logging window

            @Override
            public StepLoop.Read<Step> read(TrainerState at) {
                StepLoop.Read<List<int[]>> rows = order.step(at, config.train().gradAccum());
                List<List<KtoExample>> microBatches = new ArrayList<>();
                for (int[] indices : rows.input()) {
                    List<KtoExample> batch = new ArrayList<>(indices.length);
                    for (int row : indices) {
                        batch.add(examples.train().get(row));
                    }
                    microBatches.add(batch);
                }
                List<ReferenceLogps> references = microBatches.stream().map(b -> reference.logps(sequences(b)))
                        .toList(); // no graph: before the collector opens
                double z0 = referencePoint(policy, microBatches, references); // no graph: a constant of the step
                windowStats.addKl(z0);
                return new StepLoop.Read<>(new Step(microBatches, references, z0), rows.next());
            }

            @Override
            public StepLoop.Accumulated accumulate(Step step, NDManager scope, PhaseTimer phases) {
                Accumulated out = KtoTrainer.this.accumulate(policy.model(), policy.tokenizer(), step.microBatches(),
                        step.references(), step.z0(), scope, windowStats, phases);
                return new StepLoop.Accumulated(out.loss(), out.tokens());
            }

            @Override
            public Map<String, ?> drainMetrics(int steps) {
                return new LinkedHashMap<>(windowStats.drain(""));
            }

            @Override
            public boolean evaluates() {
                return !examples.eval().isEmpty();
            }

            @Override
            public Map<String, Double> evaluate() {
                return KtoTrainer.evaluate(policy, reference, examples.eval(), batchSize, config.dpo());
            }

            @Override
            public String describe(int done, Map<String, Double> eval) {
                return String.format("step %d: eval_loss %.4f, eval_rewards/margins %.4f, eval_kl %.4f", done,
                        eval.get("eval_loss"), eval.getOrDefault("eval_rewards/margins", Double.NaN),
                        eval.get("eval_kl"));
            }
        };
        return StepLoop.run(run, stage, total, state, stopAfter, model -> { });
    }

    /** One optimizer step's micro-batches, the reference's log-probs of each and the step's reference point z0. */
    record Step(List<List<KtoExample>> microBatches, List<ReferenceLogps> references, double z0) {}

    /** Objective and real tokens of one optimizer step's micro-batches. */
    record Accumulated(double loss, long tokens) {}

    /**
     * Forward and backward over {@code microBatches}, leaving the summed gradients on the model's
     * weights. Each micro-batch's summed example losses are divided by the examples of the whole
     * step, so the gradient equals that of one batch holding every example.
     */
    Accumulated accumulate(LlamaModel model, Tokenizer tokenizer, List<List<KtoExample>> microBatches,
            List<ReferenceLogps> references, double z0, NDManager scope, KtoMetrics stats, PhaseTimer phases) {
        DpoOptions dpo = config.dpo();
        long count = 0;
        long tokens = 0;
        for (List<KtoExample> rows : microBatches) {
            for (KtoExample e : rows) {
                count++;
                tokens += e.prompt().length + e.completion().length;
            }
        }
        double loss = 0;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            for (int i = 0; i < microBatches.size(); i++) {
                try (NDManager micro = scope.newSubManager()) { // this micro-batch's graph dies after its backward
                    long t = System.nanoTime();
                    List<KtoExample> rows = microBatches.get(i);
                    boolean[] labels = labels(rows);
                    NDArray desirable = micro.create(asFloats(labels)); // (B) 0/1, kept open until after backward
                    NDArray ref = micro.create(references.get(i).chosen()); // (B) constants
                    t = phases.lap("collate", t);
                    NDArray policyLogps = summedLogps(model, tokenizer, rows, false, micro); // (B), in the graph
                    KtoLoss.Result out = KtoLoss.of(policyLogps, ref, desirable, z0, dpo.beta(), dpo.desirableWeight(),
                            dpo.undesirableWeight());
                    NDArray objective = MaskedReductions.normalised(out.losses().sum(), count); // ()
                    t = phases.lap("forward", t);
                    collector.backward(objective);
                    loss += objective.getFloat();
                    phases.lap("backward", t);
                    stats.add(out.rewards().toFloatArray(), policyLogps.toFloatArray(), labels);
                }
            }
        }
        return new Accumulated(loss, tokens);
    }

    /**
     * z0 of a step: the policy's log-probs of every mismatched sequence of {@code microBatches}
     * (no graph), against the reference's ({@code references}' {@code rejected}).
     */
    static double referencePoint(PretrainedModel policy, List<List<KtoExample>> microBatches,
            List<ReferenceLogps> references) {
        List<Float> pol = new ArrayList<>();
        List<Float> ref = new ArrayList<>();
        for (int i = 0; i < microBatches.size(); i++) {
            try (NDManager scope = policy.manager().newSubManager()) {
                scope.tempAttachAll(policy.model().weights().asList()); // weight views made by the forward land here
                for (float v : summedLogps(policy.model(), policy.tokenizer(), microBatches.get(i), true, scope)
                        .toFloatArray()) {
                    pol.add(v);
                }
            }
            for (float v : references.get(i).rejected()) {
                ref.add(v);
            }
        }
        return KtoLoss.referencePoint(unbox(pol), unbox(ref));
    }

    /**
     * {@code model}'s log-probs of each example's completion ({@code mismatched} false) or
     * mismatched completion (true) under its prompt, summed over the response tokens, (B),
     * through the rollout engine's scorer as {@link PairBatch} scores pairs.
     */
    static NDArray summedLogps(LlamaModel model, Tokenizer tokenizer, List<KtoExample> rows, boolean mismatched,
            NDManager manager) {
        List<int[]> prompts = new ArrayList<>(rows.size());
        List<int[]> responses = new ArrayList<>(rows.size());
        for (KtoExample e : rows) {
            prompts.add(e.prompt());
            responses.add(mismatched ? e.mismatched() : e.completion());
        }
        RolloutBatch batch = RolloutBatch.of(prompts, responses, tokenizer, manager);
        return RolloutScorer.logps(model, batch, 1.0, manager).sum(new int[] {1}); // (B); pads are 0
    }

    /**
     * The eval split's metrics without a graph: {@code eval_loss} (mean example loss, z0 estimated
     * per evaluation batch from its mismatched sequences) and the {@code eval_rewards/...},
     * {@code eval_logps/...}, {@code eval_kl} means.
     */
    static Map<String, Double> evaluate(PretrainedModel policy, Reference reference, List<KtoExample> examples,
            int batchSize, DpoOptions dpo) {
        KtoMetrics stats = new KtoMetrics();
        double lossSum = 0;
        for (int from = 0; from < examples.size(); from += batchSize) {
            List<KtoExample> rows = examples.subList(from, Math.min(examples.size(), from + batchSize));
            ReferenceLogps ref = reference.logps(sequences(rows));
            try (NDManager scope = policy.manager().newSubManager()) {
                scope.tempAttachAll(policy.model().weights().asList());
                SequenceLogps both = PairBatch.of(sequences(rows), policy.tokenizer(), scope)
                        .sequenceLogps(policy.model(), scope); // chosen: completions, rejected: mismatched
                double z0 = KtoLoss.referencePoint(both.rejected().toFloatArray(), ref.rejected());
                boolean[] labels = labels(rows);
                KtoLoss.Result out = KtoLoss.of(both.chosen(), scope.create(ref.chosen()), scope.create(asFloats(labels)),
                        z0, dpo.beta(), dpo.desirableWeight(), dpo.undesirableWeight());
                lossSum += out.losses().sum().getFloat();
                stats.add(out.rewards().toFloatArray(), both.chosen().toFloatArray(), labels);
                stats.addKl(z0);
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("eval_loss", lossSum / examples.size());
        out.putAll(stats.drain("eval_"));
        return out;
    }

    /** Fits every example; train examples are indexed first, then eval examples. */
    static Examples fit(KtoData data, int maxSeqLen, int maxPromptLen) {
        List<KtoExample> train = new ArrayList<>();
        List<KtoExample> eval = new ArrayList<>();
        int[] index = {0};
        int truncated = fitInto(data.train(), train, index, maxSeqLen, maxPromptLen)
                + fitInto(data.eval(), eval, index, maxSeqLen, maxPromptLen);
        if (train.isEmpty()) {
            throw new UserException("data.train: no KTO examples");
        }
        return new Examples(train, eval, truncated);
    }

    /** Fits {@code labelled} into {@code out}, numbering from {@code index[0]}; returns how many were cut. */
    private static int fitInto(List<KtoData.Labelled> labelled, List<KtoExample> out, int[] index, int maxSeqLen,
            int maxPromptLen) {
        int truncated = 0;
        for (KtoData.Labelled l : labelled) {
            DpoPair sequences = DpoPair.of(l.sequences(), index[0]++, maxSeqLen, maxPromptLen);
            truncated += sequences.truncated() ? 1 : 0;
            out.add(new KtoExample(sequences, l.desirable()));
        }
        return truncated;
    }

    private static List<DpoPair> sequences(List<KtoExample> rows) {
        return rows.stream().map(KtoExample::sequences).toList();
    }

    private static boolean[] labels(List<KtoExample> rows) {
        boolean[] out = new boolean[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i).desirable();
        }
        return out;
    }

    private static float[] asFloats(boolean[] labels) {
        float[] out = new float[labels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = labels[i] ? 1 : 0;
        }
        return out;
    }

    private static float[] unbox(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
