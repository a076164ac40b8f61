package org.rlhf4j.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.PreferenceDataset;
import org.rlhf4j.datasets.RewardConditions;

/**
 * End to end: a tiny reward model (hidden 64, 2 layers, byte tokenizer) learns to prefer the
 * correct sum over a wrong one and reaches high accuracy on held-out pairs, without and with
 * conditions; the exported {@code final/} gives the same held-out accuracy when loaded again.
 */
class RewardLearnsTest {

    @TempDir
    static Path dir;

    static Path base;

    @BeforeAll
    static void init() throws Exception {
        base = RewardFixtures.tinyModel(dir.resolve("base"), 64, 2, 1);
    }

    @Test
    void learnsToPreferTheCorrectSum() throws Exception {
        Path train = RewardFixtures.write(dir.resolve("sums-train.jsonl"), RewardFixtures.sums(400, 1, null));
        Path eval = RewardFixtures.write(dir.resolve("sums-eval.jsonl"), RewardFixtures.sums(100, 2, null));
        Path out = dir.resolve("rm-sums");
        long started = System.nanoTime();
        RunSummary s = new RewardTrainer(RewardFixtures.config(base, out, train, eval,
                RewardFixtures.train(300, 16, 5e-3, 100, 0), RmOptions.defaults())).run();
        System.err.printf("sums: eval accuracy %.3f, eval loss %.4f, train loss %.4f in %.1f s%n",
                s.lastEval("eval_accuracy"), s.lastEvalLoss(), s.lastLoss(), (System.nanoTime() - started) / 1e9);
        assertTrue(s.lastEval("eval_accuracy") >= 0.85, "held-out accuracy " + s.lastEval("eval_accuracy"));
        List<JsonNode> lines = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME));
        JsonNode first = lines.get(0);
        assertTrue(first.has("accuracy/degree/slightly_better") && first.has("rewards/chosen") && first.has("margin"),
                first.toString());
        assertTrue(lines.stream().anyMatch(n -> n.has("eval_accuracy/degree/significantly_better")));
        assertEquals(s.lastEval("eval_accuracy"), exportedAccuracy(s.finalModel(), eval, RewardConditions.of(Map.of())), 1e-9);
    }

    @Test
    void conditionalModelLearnsBothPreferences() throws Exception {
        Map<String, String> conditions = Map.of(
                "helpful", "Judge correctness.",
                "safe", "Judge safety.");
        List<ObjectNode> train = new ArrayList<>(RewardFixtures.sums(300, 3, "helpful"));
        train.addAll(RewardFixtures.safety(150, 4, "safe"));
        List<ObjectNode> eval = new ArrayList<>(RewardFixtures.sums(60, 5, "helpful"));
        eval.addAll(RewardFixtures.safety(40, 6, "safe"));
        Path trainFile = RewardFixtures.write(dir.resolve("cond-train.jsonl"), train);
        Path evalFile = RewardFixtures.write(dir.resolve("cond-eval.jsonl"), eval);
        Path out = dir.resolve("rm-cond");
        long started = System.nanoTime();
        RunSummary s = new RewardTrainer(RewardFixtures.config(base, out, trainFile, evalFile,
                RewardFixtures.train(400, 16, 5e-3, 100, 0), RewardFixtures.options("ranking", conditions))).run();
        System.err.printf("conditional: eval accuracy %.3f in %.1f s%n", s.lastEval("eval_accuracy"),
                (System.nanoTime() - started) / 1e9);
        assertTrue(s.lastEval("eval_accuracy") >= 0.85, "held-out accuracy " + s.lastEval("eval_accuracy"));
        JsonNode last = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME)).stream()
                .filter(n -> n.has("eval_accuracy")).reduce((a, b) -> b).orElseThrow();
        assertTrue(last.get("eval_accuracy/condition/helpful").asDouble() >= 0.75, last.toString());
        assertTrue(last.get("eval_accuracy/condition/safe").asDouble() >= 0.95, last.toString());
        assertEquals(conditions, RewardConditions.read(s.finalModel()).table());
    }

    /** Held-out accuracy of the exported directory, loaded afresh and scored by {@link RewardScorer}. */
    private static double exportedAccuracy(Path model, Path eval, RewardConditions conditions) throws Exception {
        try (PretrainedModel rm = RewardModels.load(model, Device.cpu(), DataType.FLOAT32, 0.02, 0)) {
            PreferenceDataset data = PreferenceDataset.load(new DataConfig(eval.toString(), null, null, null, null,
                    null, null), rm.tokenizer(), ChatTemplate.CHATML, conditions, 128, 0);
            float[][] scores = RewardScorer.scorePairs(rm, data.train(), 16);
            PreferenceMetrics metrics = new PreferenceMetrics();
            for (int i = 0; i < scores[0].length; i++) {
                metrics.add(data.train().get(i).pair(), scores[0][i], scores[1][i], 0);
            }
            return metrics.accuracy();
        }
    }
}
