package org.rlhf4j.dpo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

/**
 * End to end: a tiny Llama, warmed up by a few lines of supervised training to answer
 * "greet w" mostly rudely ("no. w. go away."), is trained by DPO on pairs that prefer the short
 * polite "hi w!". On held-out words, preference accuracy and reward margin rise and the greedy
 * answers turn polite.
 */
class DpoLearnsPreferenceTest {

    @TempDir
    Path dir;

    @Test
    void accuracyAndMarginRiseAndGreedyAnswersTurnPolite() throws Exception {
        List<TokenizedPair> train = DpoFixtures.pairs(48, 0);
        List<TokenizedPair> eval = DpoFixtures.pairs(12, 500);
        long t0 = System.nanoTime();
        Path sft = warmUp(DpoFixtures.tinyModel(dir.resolve("init"), 48, 2, 11), train, dir.resolve("sft"));
        double politeBefore = politeShare(sft, eval);
        System.err.printf("warm-up: %.1f s%n", (System.nanoTime() - t0) / 1e9);

        TrainConfig schedule = new TrainConfig(40, null, 8, 1, 1e-3, 5, "cosine", 0.0, 1.0, 64, 10, 5, 0, null);
        DpoConfig config = DpoFixtures.config(sft, dir.resolve("dpo"), schedule,
                new DpoOptions(0.1, "sigmoid", null, 1.0, "precomputed", null, null));
        t0 = System.nanoTime();
        RunSummary summary = new DpoTrainer(config, tokenizer -> PreferenceData.of(train, eval)).run();
        System.err.printf("dpo: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        double politeAfter = politeShare(summary.finalModel(), eval);

        List<JsonNode> evals = MetricsLog.read(dir.resolve("dpo").resolve(MetricsLog.FILE_NAME)).stream()
                .filter(n -> n.has("eval_loss")).toList();
        JsonNode first = evals.get(0);
        JsonNode last = evals.get(evals.size() - 1);
        String trace = evals.stream().map(n -> String.format("acc %.2f margin %.3f",
                n.get("eval_rewards/accuracies").asDouble(), n.get("eval_rewards/margins").asDouble())).toList().toString();
        assertTrue(last.get("eval_rewards/margins").asDouble() > first.get("eval_rewards/margins").asDouble(), trace);
        assertTrue(last.get("eval_rewards/accuracies").asDouble() >= first.get("eval_rewards/accuracies").asDouble(),
                trace);
        assertTrue(last.get("eval_rewards/accuracies").asDouble() >= 0.9, trace);
        System.err.println(trace);
        assertTrue(politeAfter >= 0.75 && politeAfter > politeBefore + 0.4,
                "polite greedy answers on held-out prompts: " + politeBefore + " -> " + politeAfter + "; " + trace);
    }

    /**
     * Supervised warm-up in a few lines: the masked NLL of every rejected answer and of every
     * fourth chosen answer, so the model starts out preferring the rude style.
     */
    private static Path warmUp(Path init, List<TokenizedPair> pairs, Path out) throws Exception {
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
                java.util.Random random = new java.util.Random(0);
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
            System.err.println(modelDir.getFileName() + " greedy: " + out.stream().map(Completion::responseText).toList());
            return (double) polite / pairs.size();
        }
    }
}
