package org.rlhf4j.reward;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
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
import org.rlhf4j.datasets.ChatTemplates;
import org.rlhf4j.datasets.PreferenceDataset;
import org.rlhf4j.datasets.RewardConditions;
import org.rlhf4j.datasets.TokenBatch;
import org.rlhf4j.datasets.TokenizedPair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one reward model on preference pairs: the ranking (Llama 2-Chat) or focal (InternLM2)
 * loss of {@link RewardLoss} on the scalar head's score at each sequence's last token, minimised
 * with AdamW, with gradient accumulation, global-norm clipping, a warmup-then-decay schedule,
 * periodic evaluation, checkpoints and an exact resume (the SFT stage's plumbing from
 * {@code core.training}).
 *
 * <p>One micro-batch of B pairs is one forward pass over 2B sequences, every chosen one then
 * every rejected one. The loss of each micro-batch is divided by the pairs of the whole optimizer
 * step, so accumulation equals one big batch. Deliberate simplifications: one process, one
 * device, no mixed precision, the whole model trained (no frozen layers or adapters).
 */
public final class RewardTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(RewardTrainer.class);

    private final RewardConfig config;

    public RewardTrainer(RewardConfig config) {
        this.config = config;
    }

    /** Trains to the last step, resuming from the newest complete checkpoint in the output directory. */
    public RunSummary run() throws IOException {
        try (TrainingRun run = TrainingRun.open(config, device -> RewardModels.load(config.modelPath(), device,
                config.computeType(), config.rm().scoreInitStd(), config.seed()))) {
            PretrainedModel rm = run.model();
            RewardConditions conditions = conditions();
            PreferenceDataset data = PreferenceDataset.load(config.data(), rm.tokenizer(),
                    ChatTemplates.select(config.data(), rm.tokenizer()), conditions,
                    config.train().maxSeqLen(), config.seed());
            LOG.info(data.report().summary().stripTrailing());
            int longest = IntStream.concat(Arrays.stream(PreferenceDataset.lengths(data.train())),
                    Arrays.stream(PreferenceDataset.lengths(data.eval()))).max().orElse(0);
            run.requireWithinPositions(longest, "a sequence of a pair of data.train " + config.data().train(),
                    "lower train.max_seq_len to at most %d to drop such pairs");
            BatchOrder order = new BatchOrder(PreferenceDataset.lengths(data.train()), config.train().batchSize(),
                    config.data().groupByLength(), config.seed());
            int total = config.train().totalSteps(order.batchesPerEpoch());
            TrainerState state = run.start("the number of training pairs", data.train().size(), total, dataFiles());
            state = train(run, data, order, total, state);
            return run.finish(state, dir -> RewardModels.export(rm, dir, config.modelSaveType(), conditions));
        }
    }

    /** The optimizer steps from {@code state} to {@code total}; returns the state after the last one. */
    private TrainerState train(TrainingRun run, PreferenceDataset data, BatchOrder order, int total,
            TrainerState state) throws IOException {
        PretrainedModel rm = run.model();
        BatchCollator collator = RewardScorer.collator(rm);
        float[] trainMargins = margins(data.train());
        int batchSize = config.train().batchSize();
        StepLoop.Stage<List<int[]>> stage = new StepLoop.Stage<>() {
            private PreferenceMetrics windowPairs = new PreferenceMetrics(); // the pair metrics of the logging window
            private Evaluation last;

            @Override
            public StepLoop.Read<List<int[]>> read(TrainerState at) {
                return order.step(at, config.train().gradAccum()); // this step's pair indices
            }

            @Override
            public StepLoop.Accumulated accumulate(List<int[]> microBatches, NDManager scope, PhaseTimer phases) {
                Accumulated out = RewardTrainer.this.accumulate(rm.model(), collator, data.train(), trainMargins,
                        microBatches, scope, phases);
                out.addTo(windowPairs, data.train(), trainMargins, microBatches);
                return new StepLoop.Accumulated(out.loss(), out.tokens());
            }

            @Override
            public Map<String, ?> drainMetrics(int steps) {
                Map<String, Object> metrics = windowPairs.toMetrics("");
                windowPairs = new PreferenceMetrics();
                return metrics;
            }

            @Override
            public boolean evaluates() {
                return !data.eval().isEmpty();
            }

            @Override
            public Map<String, Double> evaluate() {
                last = RewardTrainer.this.evaluate(rm, data.eval(), margins(data.eval()), batchSize);
                Map<String, Double> line = new LinkedHashMap<>();
                line.put("eval_loss", last.loss());
                last.metrics().toMetrics("eval_").forEach((k, v) -> line.put(k, ((Number) v).doubleValue()));
                return line;
            }

            @Override
            public String describe(int done, Map<String, Double> eval) {
                return String.format("step %d: eval_loss %.4f, eval_accuracy %.3f", done, last.loss(), last.accuracy());
            }
        };
        return StepLoop.run(run, stage, total, state, Integer.MAX_VALUE, model -> { });
    }

    /**
     * What one optimizer step's micro-batches gave: the loss (normalised over the whole step), the
     * real tokens, and each pair's two scores in micro-batch order.
     */
    record Accumulated(double loss, long tokens, List<float[]> chosen, List<float[]> rejected) {

        void addTo(PreferenceMetrics metrics, List<TokenizedPair> pairs, float[] margins, List<int[]> microBatches) {
            for (int k = 0; k < microBatches.size(); k++) {
                int[] rows = microBatches.get(k);
                for (int i = 0; i < rows.length; i++) {
                    metrics.add(pairs.get(rows[i]).pair(), chosen.get(k)[i], rejected.get(k)[i], margins[rows[i]]);
                }
            }
        }
    }

    /**
     * Runs forward and backward over the micro-batches of one optimizer step, leaving the summed
     * gradients on the weights. Each micro-batch's loss is divided by the pairs of all of them.
     * Collation, forward and backward are timed into {@code phases}.
     */
    Accumulated accumulate(LlamaModel model, BatchCollator collator, List<TokenizedPair> pairs, float[] margins,
            List<int[]> microBatches, NDManager scope, PhaseTimer phases) {
        int normaliser = microBatches.stream().mapToInt(rows -> rows.length).sum();
        double loss = 0;
        long tokens = 0;
        List<float[]> chosen = new ArrayList<>();
        List<float[]> rejected = new ArrayList<>();
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            for (int[] rows : microBatches) {
                try (NDManager micro = scope.newSubManager()) { // this micro-batch's activations die after its backward
                    List<TokenizedPair> batchPairs = new ArrayList<>(rows.length);
                    float[] m = new float[rows.length];
                    for (int i = 0; i < rows.length; i++) {
                        batchPairs.add(pairs.get(rows[i]));
                        m[i] = margins[rows[i]];
                    }
                    long t = System.nanoTime();
                    TokenBatch batch = collator.collate(PreferenceDataset.chosenThenRejected(batchPairs), micro); // (2B, T)
                    t = phases.lap("collate", t);
                    NDArray scores = RewardScorer.scores(model, batch); // (2B) chosen ++ rejected
                    NDArray rc = scores.get(new NDIndex("0:{}", rows.length)); // (B)
                    NDArray rr = scores.get(new NDIndex("{}:", rows.length)); // (B)
                    RewardLoss.Result out = loss(rc, rr, micro.create(m), normaliser); // margins stay alive until backward
                    t = phases.lap("forward", t);
                    Recompute.backward(collector, out.loss()); // then any checkpointed layers / head chunks
                    loss += out.loss().getFloat();
                    phases.lap("backward", t);
                    chosen.add(rc.toFloatArray());
                    rejected.add(rr.toFloatArray());
                    for (int i = 0; i < rows.length; i++) {
                        tokens += batchPairs.get(i).chosen().length() + batchPairs.get(i).rejected().length();
                    }
                }
            }
        }
        return new Accumulated(loss, tokens, chosen, rejected);
    }

    /** The configured loss of one micro-batch. */
    private RewardLoss.Result loss(NDArray chosen, NDArray rejected, NDArray margin, float normaliser) {
        RmOptions rm = config.rm();
        return switch (rm.lossKind()) {
            case RANKING -> RewardLoss.ranking(chosen, rejected, margin, rm.centerRewardsCoefficient(), normaliser);
            case FOCAL -> RewardLoss.focal(chosen, rejected, rm.focalGamma(), rm.barrierLambda(), rm.barrierBound(),
                    normaliser);
        };
    }

    /** Mean loss and the preference metrics of a held-out split. */
    record Evaluation(double loss, double accuracy, PreferenceMetrics metrics) {}

    /** Scores {@code pairs} without a graph and computes the mean loss and the metrics. */
    Evaluation evaluate(PretrainedModel rm, List<TokenizedPair> pairs, float[] margins, int batchSize) {
        float[][] scores = RewardScorer.scorePairs(rm, pairs, batchSize);
        PreferenceMetrics metrics = new PreferenceMetrics();
        double lossSum;
        try (NDManager scope = rm.manager().newSubManager()) {
            lossSum = loss(scope.create(scores[0]), scope.create(scores[1]), scope.create(margins), 1)
                    .loss().getFloat();
        }
        for (int i = 0; i < pairs.size(); i++) {
            metrics.add(pairs.get(i).pair(), scores[0][i], scores[1][i], margins[i]);
        }
        return new Evaluation(lossSum / pairs.size(), metrics.accuracy(), metrics);
    }

    /** Each pair's margin m under {@code rm.margin}. */
    private float[] margins(List<TokenizedPair> pairs) {
        float[] m = new float[pairs.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) config.rm().marginOf(pairs.get(i).pair());
        }
        return m;
    }

    /** The starting model's saved conditions, overlaid with the config's table (the config wins per name). */
    private RewardConditions conditions() throws IOException {
        Map<String, String> table = new LinkedHashMap<>();
        if (java.nio.file.Files.isDirectory(config.modelPath())) { // a resumed run may have lost its starting model
            table.putAll(RewardConditions.read(config.modelPath()).table());
        }
        table.putAll(config.rm().conditions());
        return RewardConditions.of(table);
    }

    private List<Path> dataFiles() {
        return config.data().files();
    }
}
