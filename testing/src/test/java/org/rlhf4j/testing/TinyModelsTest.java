package org.rlhf4j.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyModelsTest {

    @TempDir
    Path dir;

    @Test
    void writesTheRequestedShapeWithTheByteTokenizer() throws IOException {
        Path model = TinyModels.llama(dir.resolve("m"), 16, 1, 3, 64);
        JsonNode config = new ObjectMapper().readTree(model.resolve("config.json").toFile());
        assertEquals(16, config.get("hidden_size").asInt());
        assertEquals(32, config.get("intermediate_size").asInt());
        assertEquals(1, config.get("num_hidden_layers").asInt());
        assertEquals(64, config.get("max_position_embeddings").asInt());
        assertEquals(259, config.get("vocab_size").asInt());
        assertFalse(config.get("tie_word_embeddings").asBoolean());
    }

    @Test
    void theSameSeedGivesTheSameWeightsAndAnotherSeedOthers() throws IOException {
        byte[] a = weights(TinyModels.llama(dir.resolve("a"), 16, 1, 5));
        byte[] b = weights(TinyModels.llama(dir.resolve("b"), 16, 1, 5));
        byte[] c = weights(TinyModels.llama(dir.resolve("c"), 16, 1, 6));
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    private static byte[] weights(Path model) throws IOException {
        return Files.readAllBytes(model.resolve("model.safetensors"));
    }
}
