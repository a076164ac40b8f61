package org.rlhf4j.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutScorer;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.ChatMlTemplate;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.PreferenceEncoder;
import org.rlhf4j.datasets.RewardConditions;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.testing.TinyModels;

/**
 * A causal LM becomes a sequence classifier with a small seeded head; the exported directory is a
 * {@code LlamaForSequenceClassification} with {@code num_labels: 1} and the conditions table, and
 * scores exactly as the model in memory did, through {@link RewardScorer} and through PPO's
 * {@link RolloutScorer#rewards} on a left-padded rollout batch.
 */
class RewardModelExportTest {

    @TempDir
    Path dir;

    @Test
    void exportedRewardModelScoresTheSameAndLoadsAsASequenceClassifier() throws Exception {
        Path base = TinyModels.llama(dir.resolve("base"), 32, 2, 3);
        RewardConditions conditions = RewardConditions.of(Map.of("helpful", "Judge helpfulness."));
        List<List<ChatMessage>> prompts = List.of(List.of(ChatMessage.user("add 2 3")),
                List.of(ChatMessage.user("hello there, how are you?")), List.of(ChatMessage.user("x")));
        List<String> responses = List.of("5", "Fine, thanks.", "a longer answer than the others");
        float[] before;
        Path exported = dir.resolve("rm");
        try (PretrainedModel rm = RewardModels.load(base, Device.cpu(), DataType.FLOAT32, 0.02, 7)) {
            assertEquals("LlamaForSequenceClassification", rm.config().architecture().hfName());
            assertFalse(rm.weights().containsKey("lm_head.weight"));
            float[] head = rm.weights().get("score.weight").toFloatArray();
            double std = Math.sqrt(Arrays.stream(toDouble(head)).map(v -> v * v).sum() / head.length);
            assertTrue(std > 0.01 && std < 0.04, "head std near 0.02, got " + std);
            before = RewardScorer.score(rm, sequences(rm, conditions, prompts, responses), 2);
            RewardModels.export(rm, exported, SaveDtype.FLOAT32, conditions);
        }
        JsonNode config = new ObjectMapper().readTree(exported.resolve("config.json").toFile());
        assertEquals("LlamaForSequenceClassification", config.get("architectures").get(0).asText());
        assertEquals(1, config.get("num_labels").asInt());
        // transformers scores a batch at the last non-pad token: the exported config must name one
        assertTrue(config.get("pad_token_id").isInt(), config.toString());
        assertEquals("float32", config.get("torch_dtype").asText());
        assertEquals(org.rlhf4j.core.io.Rlhf4jVersion.get(), config.get("rlhf4j_version").asText());
        assertFalse(config.get("rlhf4j_version").asText().equals("dev"), "the version resource is filtered by Maven");
        assertEquals(conditions.table(), RewardConditions.read(exported).table());
        assertTrue(Files.isRegularFile(exported.resolve("tokenizer.json")));

        try (PretrainedModel loaded = RewardModels.load(exported, Device.cpu(), DataType.FLOAT32, 0.02, 99)) {
            List<TrainingSequence> rows = sequences(loaded, conditions, prompts, responses);
            assertArrayEquals(before, RewardScorer.score(loaded, rows, 3), 0f, "bit-identical after a float32 round trip");
            // PPO's path: prompt = template with generation header, response = text + <|im_end|>, left-padded prompts
            List<int[]> promptIds = new ArrayList<>();
            List<int[]> responseIds = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                List<ChatMessage> conditioned = conditions.apply(prompts.get(i), "helpful");
                promptIds.add(loaded.tokenizer().encode(ChatMlTemplate.render(conditioned, true)));
                responseIds.add(loaded.tokenizer().encode(responses.get(i) + ChatMlTemplate.IM_END));
            }
            try (NDManager scope = loaded.manager().newSubManager()) {
                RolloutBatch batch = RolloutBatch.of(promptIds, responseIds, loaded.tokenizer(), scope);
                float[] viaRollout = RolloutScorer.rewards(loaded.model(), batch, scope).toFloatArray();
                assertArrayEquals(before, viaRollout, 1e-5f);
            }
        }
    }

    private static List<TrainingSequence> sequences(PretrainedModel rm, RewardConditions conditions,
            List<List<ChatMessage>> prompts, List<String> responses) {
        PreferenceEncoder encoder = new PreferenceEncoder(rm.tokenizer(), ChatTemplate.CHATML, conditions);
        List<TrainingSequence> rows = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            rows.add(encoder.encode(prompts.get(i), "helpful", responses.get(i)));
        }
        return rows;
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
