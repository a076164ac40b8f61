package org.rlhf4j.sft;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.Recompute;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.PhaseTimer;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.core.training.StepLoop;
import org.rlhf4j.core.training.TrainerState;
import org.rlhf4j.core.training.TrainingRun;
import org.rlhf4j.datasets.BatchCollator;
import org.rlhf4j.datasets.BatchOrder;
import org.rlhf4j.datasets.TokenBatch;
import org.rlhf4j.datasets.TrainingSequence;

/**
 * Supervised fine-tuning (and pretraining) of a causal LM: the masked next-token loss of
 * {@link SftLoss} minimised with AdamW, with gradient accumulation, global-norm clipping, a
 * warmup-then-decay schedule, periodic evaluation and checkpoints, and an exact resume.
 *
 * <p>One optimizer step reads {@code grad_accum} micro-batches of {@code batch_size} sequences,
 * runs forward and backward on each (its graph freed right after its backward), normalises every
 * micro-batch's loss by the target tokens of all of them, then clips, updates and zeroes the
 * gradients. Deliberate simplifications: one process, one device, no mixed precision (compute in
 * the config's dtype), and {@code pretrain} differs from {@code sft} only in its data,
 * where every token is a target.
 */
public final class SftTrainer {

    /** Which loss mask the data gets. */
    public enum Objective {
        /** Assistant tokens only (or every token with {@code sft.completion_only: false}). */
        SFT,
        /** Every token of plain text. */
        PRETRAIN
    }

    private final SftConfig config;
    private final TrainingData.Loader dataLoader;
    private Consumer<PretrainedModel> afterEachStep = policy -> { };
    private int stopAfter = Integer.MAX_VALUE;

    /** A trainer reading the config's data files (the one place the data source is chosen). */
    public SftTrainer(SftConfig config, Objective objective) {
        this(config, DatasetTrainingData.loader(config.data(), objective == Objective.PRETRAIN,
                config.sft().completionOnly(), config.seed()));
    }

    /** A trainer over data from {@code dataLoader}, e.g. in-memory sequences in tests. */
    public SftTrainer(SftConfig config, TrainingData.Loader dataLoader) {
        this.config = config;
        this.dataLoader = dataLoader;
    }

    /**
     * Calls {@code check} with the policy after every optimizer step (tests: the live arrays stay flat;
     * benchmarks: reset the peak memory once the model is loaded).
     */
    public SftTrainer afterEachStep(Consumer<PretrainedModel> check) {
        this.afterEachStep = check;
        return this;
    }

    /** Stops after {@code step} as if the process were killed there (tests of resume). */
    SftTrainer stopAfter(int step) {
        this.stopAfter = step;
        return this;
    }

    /** Trains to the last step, resuming from the newest complete checkpoint in the output directory. */
    public RunSummary run() throws IOException {
        try (TrainingRun run = TrainingRun.open(config,
                device -> PretrainedModel.load(config.modelPath(), device, config.computeType()))) {
            PretrainedModel policy = run.model();
            TrainingData data = dataLoader.load(policy.tokenizer(), config.train().maxSeqLen());
            run.requireWithinPositions(Stream.concat(data.train().stream(), data.eval().stream())
                    .mapToInt(TrainingSequence::length).max().orElse(0), "a training sequence of data.train "
                    + config.data().train(), "lower train.max_seq_len to at most %d to truncate it");
            BatchOrder order = new BatchOrder(data.train(), config.train().batchSize(), config.data().groupByLength(),
                    config.seed());
            int total = config.train().totalSteps(order.batchesPerEpoch());
            TrainerState state = run.start("the number of training sequences", data.train().size(), total,
                    data.files());
            state = train(run, data, order, total, state);
            return run.finish(state, dir -> policy.save(dir, config.modelSaveType()));
        }
    }

    /** The optimizer steps from {@code state} to {@code total}; returns the state after the last one. */
    private TrainerState train(TrainingRun run, TrainingData data, BatchOrder order, int total, TrainerState state)
            throws IOException {
        PretrainedModel policy = run.model();
        BatchCollator collator = new BatchCollator(padId(policy), policy.config().effectiveSlidingWindow());
        int batchSize = config.train().batchSize();
        StepLoop.Stage<List<List<TrainingSequence>>> stage = new StepLoop.Stage<>() {
            @Override
            public StepLoop.Read<List<List<TrainingSequence>>> read(TrainerState at) {
                StepLoop.Read<List<int[]>> rows = order.step(at, config.train().gradAccum());
                return new StepLoop.Read<>(rows.input().stream().map(r -> rows(data.train(), r)).toList(), rows.next());
            }

            @Override
            public StepLoop.Accumulated accumulate(List<List<TrainingSequence>> microBatches, NDManager scope,
                    PhaseTimer phases) {
                Accumulated out = SftTrainer.accumulate(policy.model(), collator, microBatches, scope, phases);
                return new StepLoop.Accumulated(out.loss(), out.tokens());
            }

            @Override
            public boolean evaluates() {
                return !data.eval().isEmpty();
            }

            @Override
            public Map<String, Double> evaluate() {
                return Map.of("eval_loss", SftTrainer.evaluate(policy, collator, data.eval(), batchSize));
            }
        };
        return StepLoop.run(run, stage, total, state, stopAfter, afterEachStep);
    }

    /** Loss (normalised over the whole step) and real tokens of one optimizer step's micro-batches. */
    record Accumulated(double loss, long tokens, long lossTokens) {}

    /**
     * Runs forward and backward over {@code microBatches}, leaving the summed gradients on the
     * model's weights. Each micro-batch's loss is divided by the target tokens of all of them, so
     * the gradient equals that of one batch holding every row. Collation, forward and backward are
     * timed into {@code phases}.
     */
    static Accumulated accumulate(LlamaModel model, BatchCollator collator, List<List<TrainingSequence>> microBatches,
            NDManager scope, PhaseTimer phases) {
        long lossTokens = 0;
        long tokens = 0;
        for (List<TrainingSequence> rows : microBatches) {
            for (TrainingSequence row : rows) {
                lossTokens += row.lossTokens();
                tokens += row.length();
            }
        }
        float normaliser = Math.max(1, lossTokens); // all-masked: loss 0, gradient 0
        double loss = 0;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            for (List<TrainingSequence> rows : microBatches) {
                try (NDManager micro = scope.newSubManager()) { // this micro-batch's activations die after its backward
                    long t = System.nanoTime();
                    TokenBatch batch = collator.collate(rows, micro);
                    t = phases.lap("collate", t);
                    NDArray hidden = model.hidden(batch.ids(), batch.positionIds(), batch.attentionBias(), null); // (B, T, D)
                    SftLoss.Result out = SftLoss.of(model, hidden, batch.ids(), batch.targetMask(), normaliser);
                    t = phases.lap("forward", t);
                    Recompute.backward(collector, out.loss()); // then any checkpointed layers / head chunks
                    loss += out.loss().getFloat();
                    phases.lap("backward", t);
                }
            }
        }
        return new Accumulated(loss, tokens, lossTokens);
    }

    /** Mean loss per target token over {@code rows}, in batches, without building a graph. */
    static double evaluate(PretrainedModel policy, BatchCollator collator, List<TrainingSequence> rows, int batchSize) {
        double nll = 0;
        long targets = 0;
        for (int from = 0; from < rows.size(); from += batchSize) {
            try (NDManager scope = policy.manager().newSubManager()) {
                scope.tempAttachAll(policy.model().weights().asList());
                TokenBatch batch = collator.collate(rows.subList(from, Math.min(rows.size(), from + batchSize)), scope);
                NDArray hidden = policy.model().hidden(batch.ids(), batch.positionIds(), batch.attentionBias(), null);
                nll += SftLoss.of(policy.model(), hidden, batch.ids(), batch.targetMask(), 1f).nll().getFloat();
                targets += batch.lossTokens();
            }
        }
        return targets == 0 ? Double.NaN : nll / targets;
    }

    private static List<TrainingSequence> rows(List<TrainingSequence> all, int[] indices) {
        List<TrainingSequence> out = new ArrayList<>(indices.length);
        for (int i : indices) {
            out.add(all.get(i));
        }
        return out;
    }

    /** Padding is never attended to nor scored; any valid id does, the tokenizer's own if it has one. */
    private static int padId(PretrainedModel policy) {
        if (policy.tokenizer().padId().isPresent()) {
            return policy.tokenizer().padId().getAsInt();
        }
        Integer fromConfig = policy.config().padTokenId();
        return fromConfig != null ? fromConfig : 0;
    }
}
