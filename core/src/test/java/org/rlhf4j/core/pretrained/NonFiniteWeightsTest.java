package org.rlhf4j.core.pretrained;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.FloatTensor;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.io.SafetensorsWriter;
import org.rlhf4j.core.io.SaveDtype;

/** Issue 14, item 1: a model directory with NaN weights no longer loads silently. */
class NonFiniteWeightsTest {

    @TempDir
    Path dir;

    @Test
    void loadingNaNWeightsFailsNamingTheTensor() throws Exception {
        String json = "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\",\"hidden_size\":16,"
                + "\"intermediate_size\":32,\"num_hidden_layers\":1,\"num_attention_heads\":2,"
                + "\"num_key_value_heads\":1,\"max_position_embeddings\":64}";
        ModelInitializer.create(new InitConfig(1L, "byte", "float32", new ObjectMapper().readTree(json)), dir, "test");
        PretrainedModel.load(dir).close(); // finite: loads

        Path file = dir.resolve("model.safetensors");
        Map<String, FloatTensor> weights = new LinkedHashMap<>(SafetensorsReader.readFloats(file));
        String name = "model.layers.0.mlp.down_proj.weight";
        weights.get(name).values()[3] = Float.NaN;
        SafetensorsWriter.writeFloats(file, weights, SaveDtype.FLOAT32);

        IOException e = assertThrows(IOException.class, () -> PretrainedModel.load(dir));
        assertTrue(e.getMessage().contains("'" + name + "'") && e.getMessage().contains("NaN or infinite"),
                e.getMessage());
    }
}
