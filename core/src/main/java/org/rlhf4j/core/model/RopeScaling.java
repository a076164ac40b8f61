package org.rlhf4j.core.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code rope_scaling} block of a Hugging Face config. Only {@code llama3} (Llama 3.1's
 * frequency-dependent scaling) and {@code default} (none) are supported; transformers writes the
 * type under {@code rope_type} and, in older files, {@code type}.
 *
 * @param ropeType {@code llama3} or {@code default}
 * @param type legacy spelling of {@code rope_type}
 * @param factor how much longer the target context is than the original
 * @param lowFreqFactor wavelengths above original/low_freq_factor are scaled fully
 * @param highFreqFactor wavelengths below original/high_freq_factor are kept
 * @param originalMaxPositionEmbeddings the context length the model was pre-trained on
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RopeScaling(
        @JsonProperty("rope_type") String ropeType,
        @JsonProperty("type") String type,
        @JsonProperty("factor") Double factor,
        @JsonProperty("low_freq_factor") Double lowFreqFactor,
        @JsonProperty("high_freq_factor") Double highFreqFactor,
        @JsonProperty("original_max_position_embeddings") Integer originalMaxPositionEmbeddings) {

    public RopeScaling {
        String kind = ropeType != null ? ropeType : type;
        if (kind == null) {
            throw new IllegalArgumentException("config.json: rope_scaling needs rope_type (llama3 or default)");
        }
        if (!kind.equals("llama3") && !kind.equals("default")) {
            throw new IllegalArgumentException("config.json: rope_scaling.rope_type '" + kind
                    + "' is not supported; expected llama3 or default");
        }
        if (kind.equals("llama3") && (factor == null || lowFreqFactor == null || highFreqFactor == null
                || originalMaxPositionEmbeddings == null)) {
            throw new IllegalArgumentException("config.json: rope_scaling of type llama3 needs factor, "
                    + "low_freq_factor, high_freq_factor and original_max_position_embeddings");
        }
        ropeType = kind;
    }

    /** Whether this block changes the frequencies at all. */
    public boolean isLlama3() {
        return "llama3".equals(ropeType);
    }
}
