package org.rlhf4j.core.io;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.rlhf4j.core.model.LlamaConfig;

/**
 * The keys of a Hugging Face {@code generation_config.json} that this toolkit uses; other keys
 * are ignored on reading (transformers writes many). Absent values are null and mean "the
 * caller's default".
 *
 * @param bosTokenId beginning-of-sequence id
 * @param eosTokenId ids that end generation (transformers allows one id or a list)
 * @param padTokenId padding id
 * @param doSample sample (true) or decode greedily (false)
 * @param temperature softmax temperature, at least 0
 * @param topP nucleus mass, in (0, 1]
 * @param topK keep this many most likely tokens; 0 disables
 * @param maxNewTokens longest response, in tokens
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerationConfig(
        @JsonProperty("bos_token_id") Integer bosTokenId,
        @JsonProperty("eos_token_id") @JsonFormat(with = {JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY,
                JsonFormat.Feature.WRITE_SINGLE_ELEM_ARRAYS_UNWRAPPED}) List<Integer> eosTokenId,
        @JsonProperty("pad_token_id") Integer padTokenId,
        @JsonProperty("do_sample") Boolean doSample,
        @JsonProperty("temperature") Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("top_k") Integer topK,
        @JsonProperty("max_new_tokens") Integer maxNewTokens) {

    /** The file name inside a model directory. */
    public static final String FILE_NAME = "generation_config.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Rejects values no sampler can use, naming the key. */
    public GenerationConfig {
        eosTokenId = eosTokenId == null ? null : List.copyOf(eosTokenId);
        if (temperature != null && !(temperature >= 0)) {
            throw new IllegalArgumentException(FILE_NAME + ": temperature must be >= 0, got " + temperature);
        }
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException(FILE_NAME + ": top_p must be in (0, 1], got " + topP);
        }
        if (topK != null && topK < 0) {
            throw new IllegalArgumentException(FILE_NAME + ": top_k must be >= 0, got " + topK);
        }
        if (maxNewTokens != null && maxNewTokens <= 0) {
            throw new IllegalArgumentException(FILE_NAME + ": max_new_tokens must be positive, got " + maxNewTokens);
        }
    }

    /** What transformers derives when a model has no generation config: the special ids of its config. */
    public static GenerationConfig fromModelConfig(LlamaConfig config) {
        return new GenerationConfig(config.bosTokenId(), config.eosTokenId().isEmpty() ? null : config.eosTokenId(),
                config.padTokenId(), null, null, null, null, null);
    }

    /** Reads a generation config; errors name the file. */
    public static GenerationConfig read(Path file) throws IOException {
        try {
            return JSON.readValue(file.toFile(), GenerationConfig.class);
        } catch (IOException | RuntimeException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new IOException(file + ": " + cause.getMessage(), e);
        }
    }

    /** Serialises as {@code generation_config.json}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
