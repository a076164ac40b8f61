package org.rlhf4j.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.rlhf4j.core.pretrained.InitConfig;
import org.rlhf4j.core.pretrained.ModelInitializer;

/**
 * Seeded tiny Llama checkpoints with the byte tokenizer (V = 259), written as Hugging Face
 * directories, for tests that need a real model but no download.
 *
 * <p>Shape: {@code hidden} D, {@code 2 D} MLP width, 4 attention heads over 2 KV heads (grouped
 * query attention is exercised), untied embeddings, float32. The weights depend only on the seed
 * and the shape, so a test that writes the same model twice gets the same bytes.
 */
public final class TinyModels {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyModels() {}

    /** Writes a random causal Llama with 256 positions into {@code dir} and returns {@code dir}. */
    public static Path llama(Path dir, int hidden, int layers, long seed) throws IOException {
        return llama(dir, hidden, layers, seed, 256);
    }

    /** Writes a random causal Llama with {@code maxPositions} positions into {@code dir} and returns {@code dir}. */
    public static Path llama(Path dir, int hidden, int layers, long seed, int maxPositions) throws IOException {
        String model = "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\",\"hidden_size\":" + hidden
                + ",\"intermediate_size\":" + (2 * hidden) + ",\"num_hidden_layers\":" + layers
                + ",\"num_attention_heads\":4,\"num_key_value_heads\":2,\"max_position_embeddings\":" + maxPositions
                + ",\"tie_word_embeddings\":false}";
        ModelInitializer.create(new InitConfig(seed, "byte", "float32", JSON.readTree(model)), dir, "test");
        return dir;
    }
}
