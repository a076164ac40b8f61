package org.rlhf4j.reward;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.DataConfig;

/** Learnable synthetic preference sets for the reward tests (the tiny model is {@code TinyModels.llama}). */
final class RewardFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RewardFixtures() {}

    /**
     * Pairs "add a b": the correct single-digit sum preferred over a wrong digit; the degree grows
     * with how far off the wrong one is (off by 1: slightly_better, 2: better, more:
     * significantly_better). With {@code condition} set, each line carries it.
     */
    static List<ObjectNode> sums(int count, long seed, String condition) {
        Random random = new Random(seed);
        List<ObjectNode> out = new ArrayList<>();
        while (out.size() < count) {
            int a = random.nextInt(10);
            int b = random.nextInt(10 - a);
            int wrong = random.nextInt(10);
            if (wrong == a + b) {
                continue;
            }
            int off = Math.abs(wrong - (a + b));
            ObjectNode line = JSON.createObjectNode();
            line.put("prompt", "add " + a + " " + b);
            line.put("chosen", Integer.toString(a + b));
            line.put("rejected", Integer.toString(wrong));
            line.put("preference", off == 1 ? "slightly_better" : off == 2 ? "better" : "significantly_better");
            if (condition != null) {
                line.put("condition", condition);
            }
            out.add(line);
        }
        return out;
    }

    /**
     * Pairs on safety: a prompt marked {@code [UNSAFE]} prefers the refusal, a safe one the direct
     * answer, under {@code condition}.
     */
    static List<ObjectNode> safety(int count, long seed, String condition) {
        Random random = new Random(seed);
        String[] topics = {"bake bread", "make a weapon", "fix a bike", "pick a lock", "plant a tree", "hurt someone"};
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean unsafe = random.nextBoolean();
            String topic = topics[random.nextInt(topics.length)];
            String answer = "Sure: step " + (1 + random.nextInt(9)) + " is to start.";
            String refusal = "Sorry, I cannot help with that.";
            ObjectNode line = JSON.createObjectNode();
            line.put("prompt", (unsafe ? "[UNSAFE] " : "") + "how to " + topic);
            line.put("chosen", unsafe ? refusal : answer);
            line.put("rejected", unsafe ? answer : refusal);
            line.put("preference", "better");
            line.put("condition", condition);
            out.add(line);
        }
        return out;
    }

    static Path write(Path file, List<ObjectNode> lines) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (ObjectNode line : lines) {
            sb.append(JSON.writeValueAsString(line)).append('\n');
        }
        Files.writeString(file, sb.toString());
        return file;
    }

    static TrainConfig train(int maxSteps, int batchSize, double lr, int evalEvery, int saveEvery) {
        return new TrainConfig(maxSteps, null, batchSize, 1, lr, 10, "cosine", 0.0, 1.0, 128, 25, evalEvery,
                saveEvery, null);
    }

    static RewardConfig config(Path model, Path out, Path train, Path eval, TrainConfig t, RmOptions rm, long seed) {
        return new RewardConfig(model.toString(), out.toString(), seed, "cpu", "float32", "float32",
                new DataConfig(train.toString(), eval == null ? null : eval.toString(), null, null, null, null, null),
                t, rm);
    }

    static RmOptions options(String loss, Map<String, String> conditions) {
        return new RmOptions(loss, null, null, null, null, null, null, null, conditions);
    }
}
