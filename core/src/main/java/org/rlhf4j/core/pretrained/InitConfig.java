package org.rlhf4j.core.pretrained;

import com.fasterxml.jackson.databind.JsonNode;
import org.rlhf4j.core.config.ConfigException;

/**
 * The config of {@code rlhf4j init}: a new random model of a given shape.
 *
 * @param seed fixes the initial weights
 * @param tokenizer {@code byte} for the built-in byte tokenizer, or a directory with a tokenizer.json
 * @param saveDtype float32, bfloat16 or float16 for the written weights
 * @param model Hugging Face {@code config.json} keys; {@code vocab_size} and the special token ids
 *     default to the tokenizer's
 */
public record InitConfig(Long seed, String tokenizer, String saveDtype, JsonNode model) {

    public InitConfig {
        seed = seed == null ? 0L : seed;
        tokenizer = tokenizer == null ? "byte" : tokenizer;
        saveDtype = saveDtype == null ? "float32" : saveDtype;
        if (model == null || !model.isObject()) {
            throw new ConfigException("init config: 'model' must be a section of Hugging Face config.json keys"
                    + " (hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, ...)");
        }
    }
}
