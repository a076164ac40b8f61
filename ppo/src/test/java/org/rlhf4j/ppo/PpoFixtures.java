package org.rlhf4j.ppo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.model.TokenLogps;
import org.rlhf4j.core.optim.AdamW;
import org.rlhf4j.core.optim.AdamWConfig;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.BatchCollator;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.LossMaskEncoder;
import org.rlhf4j.datasets.TokenBatch;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.testing.TinyModels;

/**
 * A tiny SFT-like policy made in the test (ppo does not depend on sft): a random Llama with the
 * byte tokenizer, taught with a few supervised steps to answer "say a letter" prompts with one of
 * a, b, c, d, each a quarter of the time.
 */
final class PpoFixtures {

    static final List<String> PHRASES = List.of("say a letter", "a letter please", "letter?", "give me a letter",
            "one letter", "pick a letter", "any letter", "letter now");
    static final List<String> LETTERS = List.of("a", "b", "c", "d");

    private PpoFixtures() {}

    /** Writes and warms up the policy; returns its directory. */
    static Path letterPolicy(Path dir, int hidden, int steps) throws IOException {
        return letterPolicy(dir, hidden, steps, 0);
    }

    /** The same with the initial weights from seed {@code 7 + seed}. */
    static Path letterPolicy(Path dir, int hidden, int steps, long seed) throws IOException {
        Path init = TinyModels.llama(dir.resolve("init"), hidden, 2, 7L + seed, 128);
        LossMaskEncoder encoder = new LossMaskEncoder(new ByteTokenizer());
        List<TrainingSequence> rows = new ArrayList<>();
        for (String phrase : PHRASES) {
            for (String letter : LETTERS) {
                rows.add(encoder.encode(ChatTemplate.CHATML.renderForTraining(
                        List.of(ChatMessage.user(phrase), ChatMessage.assistant(letter)))));
            }
        }
        Path sft = dir.resolve("sft");
        try (PretrainedModel model = PretrainedModel.load(init)) {
            model.model().weights().setRequiresGradient(true);
            BatchCollator collator = new BatchCollator(0, model.config().effectiveSlidingWindow());
            try (AdamW adam = new AdamW(model.weights(), AdamWConfig.withWeightDecay(0), model.manager())) {
                for (int step = 0; step < steps; step++) {
                    try (NDManager scope = model.manager().newSubManager()) {
                        scope.tempAttachAll(model.model().weights().asList());
                        List<TrainingSequence> batch = new ArrayList<>();
                        for (int i = 0; i < 16; i++) {
                            batch.add(rows.get((step * 16 + i) % rows.size()));
                        }
                        TokenBatch tokens = collator.collate(batch, scope);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray states = model.model().hidden(tokens.ids(), tokens.positionIds(),
                                    tokens.attentionBias(), null); // (B, T, D)
                            NDArray logps = TokenLogps.of(model.model().logits(states).get(new NDIndex(":, :-1, :")),
                                    tokens.ids().get(new NDIndex(":, 1:"))); // (B, T-1)
                            NDArray mask = tokens.targetMask().get(new NDIndex(":, 1:")); // (B, T-1)
                            gc.backward(logps.mul(mask).sum().neg().div(mask.sum()));
                        }
                        adam.step(3e-3);
                    }
                }
            }
            model.save(sft, SaveDtype.FLOAT32);
        }
        return sft;
    }

    /**
     * Plain text for PPO-ptx, {@code documents} documents separated by blank lines, each two sentences of a small
     * grammar ("the red cat sees a big dog.") drawn from {@code seed}: another seed gives held-out text of the
     * same distribution.
     */
    static Path ptxText(Path file, int documents, long seed) throws IOException {
        List<String> subjects = List.of("the cat", "a dog", "my friend", "the bird", "a child", "the farmer");
        List<String> verbs = List.of("sees", "likes", "finds", "paints", "follows", "feeds");
        List<String> objects = List.of("a red ball", "the old tree", "two small fish", "the green door", "a kite");
        java.util.Random rng = new java.util.Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int d = 0; d < documents; d++) {
            for (int k = 0; k < 2; k++) {
                sb.append(subjects.get(rng.nextInt(subjects.size()))).append(' ')
                        .append(verbs.get(rng.nextInt(verbs.size()))).append(' ')
                        .append(objects.get(rng.nextInt(objects.size()))).append(k == 0 ? ". " : ".\n");
            }
            sb.append('\n');
        }
        Files.writeString(file, sb.toString());
        return file;
    }

    /** One prompt file line per phrase, each twice. */
    static Path prompts(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 2; k++) {
            for (String phrase : PHRASES) {
                sb.append("{\"prompt\": \"").append(phrase).append("\", \"tags\": [\"letters\"]}\n");
            }
        }
        Files.writeString(file, sb.toString());
        return file;
    }

    /**
     * The letter task's run in {@code dir/run} (policy: hidden 32, 60 warm-up steps, weights from seed
     * {@code 7 + seed}; 24 iterations at lr 1e-3) with the config changed by {@code variant}, and the
     * figures its learning scenarios judge: mean score of the first and the last 4 iterations and
     * their difference, mean KL of the last 8, largest KL.
     */
    static Map<String, Double> letterRun(Path dir, long seed, UnaryOperator<PpoConfig> variant) throws IOException {
        Path sft = letterPolicy(dir, 32, 60, seed);
        Path prompts = prompts(dir.resolve("prompts.jsonl"));
        new PpoTrainer(variant.apply(config(sft, prompts, dir.resolve("run"), 24, 24, 1e-3, seed))).run();
        List<JsonNode> lines = MetricsLog.read(dir.resolve("run").resolve(MetricsLog.FILE_NAME));
        Map<String, Double> figures = new LinkedHashMap<>();
        figures.put("iterations", (double) lines.size());
        figures.put("score_early", mean(lines.subList(0, 4), "objective/scores"));
        figures.put("score_late", mean(lines.subList(20, 24), "objective/scores"));
        figures.put("score_gain", figures.get("score_late") - figures.get("score_early"));
        figures.put("kl_late", mean(lines.subList(16, 24), "objective/kl"));
        figures.put("kl_max", max(lines, "objective/kl"));
        return figures;
    }

    /** The largest value of {@code key} over {@code lines}. */
    static double max(List<JsonNode> lines, String key) {
        return lines.stream().mapToDouble(l -> l.get(key).asDouble()).max().orElseThrow();
    }

    /** The mean of {@code key} over {@code lines}. */
    static double mean(List<JsonNode> lines, String key) {
        return lines.stream().mapToDouble(l -> l.get(key).asDouble()).average().orElseThrow();
    }

    /** A config rewarding responses that start with "a" through the user class, by name. */
    static PpoConfig config(Path model, Path prompts, Path out, int iterations, int saveEvery) {
        return config(model, prompts, out, iterations, saveEvery, 2e-3, 0L);
    }

    /** The same with the policy's learning rate and the run's seed (prompt order, sampling, critic head). */
    static PpoConfig config(Path model, Path prompts, Path out, int iterations, int saveEvery, double lr, long seed) {
        TrainConfig train = new TrainConfig(iterations, null, 8, 1, lr, 0, "constant", 0.0, 1.0, null, 1, 0,
                saveEvery, null);
        PpoOptions ppo = new PpoOptions(null, null, 5e-3, 64, 4, 1.0, null, null, 2, 4, 0.05, null, null, null, null,
                null, null, null, null, null, null, null, null, null, 5, 4);
        RewardsConfig rewards = new RewardsConfig(Map.of("starts_a", new RewardSourceConfig(null,
                "starts_with", null, null, null, null, Map.of("prefix", "a"))), null, null, null);
        return new PpoConfig(model.toString(), out.toString(), seed, "cpu", "float32", "float32",
                new DataConfig(prompts.toString(), null, null, null, null, null, null), train, ppo, rewards);
    }
}
