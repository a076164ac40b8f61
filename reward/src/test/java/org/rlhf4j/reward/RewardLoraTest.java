package org.rlhf4j.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.testing.TinyModels;

/**
 * A reward model trained with LoRA on a causal LM: its new score head is trained in full and saved
 * in the PEFT {@code SEQ_CLS} adapter, which loads back onto the causal base and merges.
 */
class RewardLoraTest {

    private static final long[][] PROBE = {{60, 100, 100, 32, 51, 32, 52, 10}, {0, 0, 61, 100, 32, 51, 32, 53}};

    @TempDir
    Path dir;

    @Test
    void trainsTheAdaptersAndTheScoreHeadAndSavesASeqClsAdapter() throws Exception {
        Path model = TinyModels.llama(dir.resolve("model"), 32, 2, 3);
        Path train = RewardFixtures.write(dir.resolve("train.jsonl"), RewardFixtures.sums(24, 9, null));
        TrainConfig t = new TrainConfig(12, null, 4, 1, 1e-2, 0, "constant", 0.0, 1.0, 64, 1, 0, 0, null);
        LoraConfig lora = new LoraConfig(4, 8.0, null, LoraConfig.KNOWN_TARGETS, null, null);
        Path out = dir.resolve("rm");
        RunSummary summary = new RewardTrainer(new RewardConfig(model.toString(), out.toString(), 0L, "cpu",
                "float32", "float32", new DataConfig(train.toString(), null, null, null, null, false, null), t,
                RmOptions.defaults(), lora)).run();
        assertEquals(12, summary.step());
        List<JsonNode> metrics = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME));
        double first = metrics.get(0).get("loss").asDouble();
        double last = metrics.get(metrics.size() - 1).get("loss").asDouble();
        System.err.printf("rm lora: loss %.4f -> %.4f%n", first, last);
        assertTrue(last < first, "loss " + first + " -> " + last);

        Path adapter = summary.finalModel();
        JsonNode config = new ObjectMapper().readTree(adapter.resolve("adapter_config.json").toFile());
        assertEquals("SEQ_CLS", config.get("task_type").asText());
        assertEquals("[\"score\"]", config.get("modules_to_save").toString());
        assertTrue(SafetensorsReader.header(adapter.resolve("adapter_model.safetensors")).tensors()
                .containsKey("base_model.model.score.weight"));

        float[] adapted;
        try (PretrainedModel loaded = PretrainedModel.load(adapter)) {
            assertTrue(loaded.model().hasScoreHead(), "the causal base became a classifier");
            adapted = scores(loaded);
            loaded.saveMerged(dir.resolve("merged"), SaveDtype.FLOAT32);
        }
        try (PretrainedModel merged = PretrainedModel.load(dir.resolve("merged"))) {
            assertEquals("LlamaForSequenceClassification", merged.config().architecture().hfName());
            float[] plain = scores(merged);
            for (int i = 0; i < plain.length; i++) {
                assertEquals(adapted[i], plain[i], 1e-5, "score " + i);
            }
        }
    }

    private static float[] scores(PretrainedModel m) {
        try (NDManager scope = m.manager().newSubManager()) {
            NDArray ids = scope.create(PROBE);
            NDArray mask = scope.create(new long[][] {{1, 1, 1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 1, 1}});
            return m.model().lastTokenScores(m.model().hidden(ids, mask), mask).toFloatArray();
        }
    }
}
