package org.rlhf4j.core.io;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code model.safetensors.index.json} of a sharded checkpoint.
 *
 * @param metadata at least {@code total_size}: bytes of all tensors' data
 * @param weightMap which shard file (a name in the same directory) holds each tensor
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ShardIndex(
        @JsonProperty("metadata") Map<String, Object> metadata,
        @JsonProperty("weight_map") Map<String, String> weightMap) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ShardIndex {
        metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        weightMap = weightMap == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
    }

    /** An index for tensors totalling {@code totalSize} bytes. */
    public static ShardIndex of(long totalSize, Map<String, String> weightMap) {
        return new ShardIndex(Map.of("total_size", totalSize), weightMap);
    }

    /** Reads an index file; errors name the file. */
    public static ShardIndex read(Path file) throws IOException {
        ShardIndex index;
        try {
            index = JSON.readValue(file.toFile(), ShardIndex.class);
        } catch (IOException e) {
            throw new IOException(file + ": not a valid safetensors index: " + e.getMessage(), e);
        }
        if (index == null || index.weightMap() == null || index.weightMap().isEmpty()) {
            throw new IOException(file + ": \"weight_map\" is missing or empty");
        }
        for (Map.Entry<String, String> e : index.weightMap().entrySet()) {
            String shard = e.getValue();
            if (shard == null || shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..")) {
                throw new IOException(file + ": tensor '" + e.getKey() + "' maps to '" + shard
                        + "'; expected a file name in the same directory");
            }
        }
        return index;
    }

    /** The index as transformers writes it. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
