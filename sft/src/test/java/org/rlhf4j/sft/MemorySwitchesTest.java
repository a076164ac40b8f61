package org.rlhf4j.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.FloatTensor;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.testing.TinyModels;

/**
 * SFT with activation checkpointing and a chunked LM head learns exactly as without: the same
 * loss at every step and the same final weights, while the loss falls.
 */
class MemorySwitchesTest {

    @TempDir
    Path dir;

    @Test
    void checkpointedChunkedSftTakesThePlainSteps() throws Exception {
        Path model = TinyModels.llama(dir.resolve("model"), 32, 2, 13);
        List<TrainingSequence> rows = SftFixtures.tokenized(SftFixtures.additions(16), 64);
        TrainConfig plain = new TrainConfig(6, null, 4, 2, 3e-3, 0, "constant", 0.0, 1.0, 64, 1, 0, 0, null);
        // about 4 x 20 tokens a micro-batch: chunks of 16 do not divide it
        TrainConfig saving = plain.withMemory(true, 16);
        new SftTrainer(SftFixtures.config(model, dir.resolve("plain"), plain.withMemory(false, 0)),
                (t, n) -> TrainingData.of(rows, List.of())).run();
        List<Integer> liveArrays = new ArrayList<>();
        new SftTrainer(SftFixtures.config(model, dir.resolve("saving"), saving),
                (t, n) -> TrainingData.of(rows, List.of()))
                .afterEachStep(policy -> liveArrays.add(policy.manager().getManagedArrays().size())).run();
        // nothing the recompute makes outlives its step
        assertEquals(liveArrays.get(1), liveArrays.get(5), "live arrays per step: " + liveArrays);

        List<Double> expected = losses(dir.resolve("plain"));
        List<Double> actual = losses(dir.resolve("saving"));
        assertEquals(6, expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), 1e-5 * Math.abs(expected.get(i)), "loss at step " + (i + 1));
        }
        assertTrue(expected.get(5) < expected.get(0) - 0.1, "the loss falls: " + expected);
        Map<String, FloatTensor> a = SafetensorsReader.readFloats(dir.resolve("plain/final/model.safetensors"));
        Map<String, FloatTensor> b = SafetensorsReader.readFloats(dir.resolve("saving/final/model.safetensors"));
        for (String name : a.keySet()) {
            float[] x = a.get(name).values();
            float[] y = b.get(name).values();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], y[i], 1e-5, name + "[" + i + "]");
            }
        }
    }

    private static List<Double> losses(Path out) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Double> losses = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode node = json.readTree(line);
            if (node.has("loss")) {
                losses.add(node.get("loss").asDouble());
            }
        }
        return losses;
    }
}
