package org.rlhf4j.dpo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.generate.SamplingParams;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.optim.AdamW;
import org.rlhf4j.core.optim.AdamWConfig;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.rollout.Completion;
import org.rlhf4j.core.rollout.EngineOptions;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutEngine;
import org.rlhf4j.core.rollout.RolloutScorer;
import org.rlhf4j.core.rollout.StopCriteria;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.ChatMlTemplate;
import org.rlhf4j.datasets.TokenizedPair;
import org.rlhf4j.testing.Criterion;
import org.rlhf4j.testing.LearningScenario;
import org.rlhf4j.testing.TinyModels;

/**
 * A tiny Llama (hidden 48, 2 layers), warmed up by a few lines of supervised training to answer
 * "greet w" mostly rudely ("no. w. go away."), is trained on pairs that prefer the short polite
 * "hi w!" (40 steps of 8, learning rate 1e-3): by DPO (beta 0.1, RPO alpha 1), SimPO (beta 2,
 * gamma 1, no reference, learning rate 3e-4), ORPO (lambda 0.1, no reference) or KTO (beta 0.1,
 * the same pairs unpaired: 96 labelled completions). On held-out words the reward margin rises (accuracy too where it can) and the
 * greedy answers turn polite. Seed {@code s} fixes the initial weights ({@code 11 + s}), the words
 * (train from {@code 1000 s}, held-out from {@code 1000 s + 500}), the warm-up batches and the data
 * order; the run's output is {@code dir/dpo}.
 */
public enum DpoLearning implements LearningScenario {

    POLITENESS(new DpoOptions(0.1, "sigmoid", null, 1.0, "precomputed", null, null), 1e-3) {
        @Override
        public List<Criterion> criteria() {
            // bench/run learning-seeds, 8 seeds, reproducible mode: final held-out accuracy 1.0 on every seed
            // (already 1.0 at the first evaluation, so it cannot rise: the margin shows the learning); margin
            // gain mean 4.95, sd 1.03, worst 4.06, mean - 3 sd 1.86; polite greedy answers before 0.0 and
            // after 1.0 on every seed.
            return List.of(Criterion.atLeast("eval_accuracy", 0.9),
                    Criterion.atLeast("eval_accuracy_gain", 0),
                    Criterion.atLeast("eval_margin_gain", 1.0),
                    Criterion.atLeast("polite_after", 0.75),
                    Criterion.atLeast("polite_gain", 0.4));
        }
    },
    SIMPO(new DpoOptions(null, "simpo", null, null, null, null, null), 3e-4) {
        @Override
        public List<Criterion> criteria() {
            // Rewards are beta (2) times per-token average log-probs. SimPO is sensitive to the learning rate,
            // as its paper says: at DPO's 1e-3 the margin still grew (15 at seed 0) but the greedy answers
            // degraded (polite 0.25); at 3e-4 they turn polite. bench/run learning-seeds, 4 seeds, reproducible
            // mode: margin gain 9.05, 2.34, 2.13, 2.36 (worst 2.13); polite after 1.0 on every seed; the final
            // accuracy is 1.0, 0.0, 0.17, 0.25: on three seeds the long, predictable rude answer keeps the higher
            // per-token average after 40 steps although greedy answers are all polite, so accuracy is only
            // required not to fall.
            return List.of(Criterion.atLeast("eval_accuracy_gain", 0),
                    Criterion.atLeast("eval_margin_gain", 1.0),
                    Criterion.atLeast("polite_after", 0.75),
                    Criterion.atLeast("polite_gain", 0.4));
        }
    },
    ORPO(new DpoOptions(null, "orpo", null, null, null, null, null), 1e-3) {
        @Override
        public List<Criterion> criteria() {
            // Rewards are lambda (0.1) times per-token average log-probs: small numbers. bench/run learning-seeds,
            // 4 seeds, reproducible mode: final accuracy 1.0 on every seed (0.0 at the first evaluation); margin
            // gain 0.43, 0.24, 0.12, 0.18 (worst 0.116; mean - 3 sd below 0, so the bar is just above no change);
            // polite after 1.0 on every seed.
            return List.of(Criterion.atLeast("eval_accuracy", 0.9),
                    Criterion.atLeast("eval_accuracy_gain", 0),
                    Criterion.atLeast("eval_margin_gain", 0.05),
                    Criterion.atLeast("polite_after", 0.75),
                    Criterion.atLeast("polite_gain", 0.4));
        }
    },
    KTO(new DpoOptions(0.1, "kto", null, null, "precomputed", null, null), 1e-3) {
        @Override
        public List<Criterion> criteria() {
            // Margin: mean reward of the desirable held-out completions minus that of the undesirable ones.
            // bench/run learning-seeds, 4 seeds, reproducible mode: margin gain 8.29, 5.62, 4.64, 5.87 (mean 6.11,
            // sd 1.55, mean - 3 sd 1.46); polite after 1.0 on every seed.
            return List.of(Criterion.atLeast("eval_margin_gain", 1.0),
                    Criterion.atLeast("polite_after", 0.75),
                    Criterion.atLeast("polite_gain", 0.4));
        }
    };

    private final DpoOptions options;
    private final double lr;

    DpoLearning(DpoOptions options, double lr) {
        this.options = options;
        this.lr = lr;
    }

    @Override
    public Map<String, Double> run(Path dir, long seed) throws Exception {
        return run(options, lr, dir, seed);
    }

    /** The scenario with other options and learning rate (for tuning). */
    static Map<String, Double> run(DpoOptions options, double lr, Path dir, long seed) throws Exception {
        List<TokenizedPair> train = DpoFixtures.pairs(48, (int) (1000 * seed));
        List<TokenizedPair> eval = DpoFixtures.pairs(12, (int) (1000 * seed + 500));
        Path sft = warmUp(TinyModels.llama(dir.resolve("init"), 48, 2, 11 + seed), train, dir.resolve("sft"), seed);
        double politeBefore = politeShare(sft, eval);
        TrainConfig schedule = new TrainConfig(40, null, 8, 1, lr, 5, "cosine", 0.0, 1.0, 64, 10, 5, 0, null);
        DpoConfig config = DpoFixtures.config(sft, dir.resolve("dpo"), schedule, options, seed);
        RunSummary summary = options.type() == DpoLoss.Type.KTO
                ? new KtoTrainer(config, tokenizer -> new KtoData(DpoFixtures.unpaired(48, (int) (1000 * seed), seed),
                        DpoFixtures.unpaired(12, (int) (1000 * seed + 500), seed + 1), List.of())).run()
                : new DpoTrainer(config, tokenizer -> PreferenceData.of(train, eval)).run();
        double politeAfter = politeShare(summary.finalModel(), eval);

        List<JsonNode> evals = MetricsLog.read(dir.resolve("dpo").resolve(MetricsLog.FILE_NAME)).stream()
                .filter(n -> n.has("eval_loss")).toList();
        JsonNode first = evals.get(0);
        JsonNode last = evals.get(evals.size() - 1);
        Map<String, Double> figures = new LinkedHashMap<>();
        if (last.has("eval_rewards/accuracies")) { // paired losses only
            figures.put("eval_accuracy", last.get("eval_rewards/accuracies").asDouble());
            figures.put("eval_accuracy_gain",
                    last.get("eval_rewards/accuracies").asDouble() - first.get("eval_rewards/accuracies").asDouble());
        }
        figures.put("eval_margin_gain",
                last.get("eval_rewards/margins").asDouble() - first.get("eval_rewards/margins").asDouble());
        figures.put("polite_before", politeBefore);
        figures.put("polite_after", politeAfter);
        figures.put("polite_gain", politeAfter - politeBefore);
        return figures;
    }

    /**
     * Supervised warm-up in a few lines: the masked NLL of every rejected answer and of every
     * fourth chosen answer, so the model starts out preferring the rude style.
     */
    private static Path warmUp(Path init, List<TokenizedPair> pairs, Path out, long seed) throws Exception {
        List<int[]> prompts = new ArrayList<>();
        List<int[]> responses = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            DpoPair p = DpoPair.of(pairs.get(i), i, 64, 32);
            prompts.add(p.prompt());
            responses.add(p.rejected());
            if (i % 4 == 0) {
                prompts.add(p.prompt());
                responses.add(p.chosen());
            }
        }
        try (PretrainedModel model = PretrainedModel.load(init)) {
            model.model().weights().setRequiresGradient(true);
            try (AdamW adamW = new AdamW(model.weights(), AdamWConfig.withWeightDecay(0), model.manager())) {
                java.util.Random random = new java.util.Random(seed);
                for (int step = 0; step < 50; step++) {
                    try (NDManager scope = model.manager().newSubManager()) {
                        scope.tempAttachAll(model.model().weights().asList());
                        List<int[]> p = new ArrayList<>();
                        List<int[]> r = new ArrayList<>();
                        for (int b = 0; b < 8; b++) {
                            int row = random.nextInt(prompts.size());
                            p.add(prompts.get(row));
                            r.add(responses.get(row));
                        }
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            RolloutBatch batch = RolloutBatch.of(p, r, model.tokenizer(), scope);
                            NDArray logps = RolloutScorer.logps(model.model(), batch, 1.0, scope); // (B, A)
                            float tokens = r.stream().mapToInt(x -> x.length).sum();
                            gc.backward(logps.sum().neg().div(scope.full(new Shape(), tokens, DataType.FLOAT32)));
                        }
                        adamW.step(5e-3);
                    }
                }
            }
            model.save(out, SaveDtype.FLOAT32);
        }
        return out;
    }

    /** Share of held-out prompts whose greedy answer starts politely ("hi"). */
    private static double politeShare(Path modelDir, List<TokenizedPair> pairs) throws Exception {
        try (PretrainedModel model = PretrainedModel.load(modelDir); NDManager scope = model.manager().newSubManager()) {
            RolloutEngine engine = new RolloutEngine(model.model(), model.tokenizer(), EngineOptions.defaults());
            List<int[]> prompts = pairs.stream()
                    .map(p -> model.tokenizer().encode(ChatMlTemplate.prompt(null, p.pair().prompt().get(0).content())))
                    .toList();
            List<Completion> out = engine.generate(prompts, SamplingParams.greedy(12),
                    StopCriteria.eos(model.stopTokenIds()), scope).rows();
            long polite = out.stream().filter(c -> c.responseText().startsWith("hi")).count();
            return (double) polite / pairs.size();
        }
    }
}
