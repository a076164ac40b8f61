package org.rlhf4j.core.model;

import com.fasterxml.jackson.annotation.JsonAlias;
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
import java.util.Objects;

/**
 * The shape and numerics of a Llama-family decoder, mapped one to one from a Hugging Face
 * {@code config.json}.
 *
 * <p>This is the one place where unknown keys are tolerated: transformers writes dozens of keys
 * that do not change the forward pass. Keys that would change it and that this toolkit cannot run
 * ({@code hidden_act} other than silu, {@code mlp_bias}, an unsupported {@code rope_scaling} type)
 * are rejected by the compact constructor with a message naming the key.
 *
 * @param architectures transformers' class names, e.g. {@code LlamaForCausalLM}
 * @param modelType {@code llama}, {@code qwen2} or {@code mistral}
 * @param hiddenSize width of the residual stream (D)
 * @param intermediateSize width of the SwiGLU MLP (F)
 * @param numHiddenLayers number of decoder layers (L)
 * @param numAttentionHeads query heads (H)
 * @param numKeyValueHeads key/value heads (KV); H for MHA, 1 for MQA, a divisor of H for GQA
 * @param headDim per-head width; defaults to D / H
 * @param rmsNormEps RMSNorm epsilon
 * @param ropeTheta RoPE base frequency
 * @param ropeScaling optional RoPE scaling ({@code llama3}, or {@code default}/absent for none)
 * @param maxPositionEmbeddings longest sequence the model was configured for
 * @param vocabSize number of token embeddings (V)
 * @param tieWordEmbeddings whether the LM head reuses the token embedding matrix
 * @param attentionBias whether q/k/v (and, in Llama, o) projections carry a bias; Qwen2 always
 *     has q/k/v bias and no o bias
 * @param bosTokenId beginning-of-sequence id, if any
 * @param eosTokenId end-of-sequence ids (transformers allows one id or a list)
 * @param padTokenId padding id, if any
 * @param torchDtype dtype the weights were saved in ({@code float32}, {@code bfloat16}, {@code float16})
 * @param hiddenAct must be {@code silu}
 * @param mlpBias must be false
 * @param numLabels outputs of a sequence-classification head (1 for reward models)
 * @param slidingWindow Mistral's sliding-window size; sequences longer than it are rejected at run time
 * @param useSlidingWindow Qwen2's switch for the sliding window
 * @param id2label label names of a classifier; transformers often writes only this, not num_labels
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LlamaConfig(
        @JsonProperty("architectures") List<String> architectures,
        @JsonProperty("model_type") String modelType,
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("intermediate_size") int intermediateSize,
        @JsonProperty("num_hidden_layers") int numHiddenLayers,
        @JsonProperty("num_attention_heads") int numAttentionHeads,
        @JsonProperty("num_key_value_heads") Integer numKeyValueHeads,
        @JsonProperty("head_dim") Integer headDim,
        @JsonProperty("rms_norm_eps") Double rmsNormEps,
        @JsonProperty("rope_theta") Double ropeTheta,
        @JsonProperty("rope_scaling") RopeScaling ropeScaling,
        @JsonProperty("max_position_embeddings") Integer maxPositionEmbeddings,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("tie_word_embeddings") Boolean tieWordEmbeddings,
        @JsonProperty("attention_bias") Boolean attentionBias,
        @JsonProperty("bos_token_id") Integer bosTokenId,
        @JsonProperty("eos_token_id") @JsonFormat(with = {JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY,
                JsonFormat.Feature.WRITE_SINGLE_ELEM_ARRAYS_UNWRAPPED})
                List<Integer> eosTokenId,
        @JsonProperty("pad_token_id") Integer padTokenId,
        @JsonProperty("torch_dtype") @JsonAlias("dtype") String torchDtype,
        @JsonProperty("hidden_act") String hiddenAct,
        @JsonProperty("mlp_bias") Boolean mlpBias,
        @JsonProperty("num_labels") Integer numLabels,
        @JsonProperty("sliding_window") Integer slidingWindow,
        @JsonProperty("use_sliding_window") Boolean useSlidingWindow,
        @JsonProperty("id2label") java.util.Map<String, String> id2label) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Canonicalises defaults the way transformers does and rejects what this toolkit cannot run. */
    public LlamaConfig {
        modelType = modelType == null ? "llama" : modelType;
        if (!List.of("llama", "qwen2", "mistral").contains(modelType)) {
            throw new IllegalArgumentException("config.json: model_type '" + modelType
                    + "' is not supported; expected one of llama, qwen2, mistral");
        }
        architectures = architectures == null || architectures.isEmpty()
                ? List.of(Architecture.defaultCausalLm(modelType).hfName()) : List.copyOf(architectures);
        for (String a : architectures) {
            Architecture.fromHfName(a); // throws with the list of supported names
        }
        requirePositive("hidden_size", hiddenSize);
        requirePositive("intermediate_size", intermediateSize);
        requirePositive("num_hidden_layers", numHiddenLayers);
        requirePositive("num_attention_heads", numAttentionHeads);
        requirePositive("vocab_size", vocabSize);
        numKeyValueHeads = numKeyValueHeads == null ? numAttentionHeads : numKeyValueHeads;
        requirePositive("num_key_value_heads", numKeyValueHeads);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("config.json: num_attention_heads (" + numAttentionHeads
                    + ") must be a multiple of num_key_value_heads (" + numKeyValueHeads + ")");
        }
        if (headDim == null) {
            if (hiddenSize % numAttentionHeads != 0) {
                throw new IllegalArgumentException("config.json: hidden_size (" + hiddenSize
                        + ") is not divisible by num_attention_heads (" + numAttentionHeads
                        + "); set head_dim explicitly");
            }
            headDim = hiddenSize / numAttentionHeads;
        }
        requirePositive("head_dim", headDim);
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("config.json: head_dim must be even for RoPE, got " + headDim);
        }
        rmsNormEps = rmsNormEps == null ? 1e-6 : rmsNormEps;
        ropeTheta = ropeTheta == null ? 10000.0 : ropeTheta;
        maxPositionEmbeddings = maxPositionEmbeddings == null ? 2048 : maxPositionEmbeddings;
        tieWordEmbeddings = tieWordEmbeddings != null && tieWordEmbeddings;
        attentionBias = attentionBias != null && attentionBias;
        eosTokenId = eosTokenId == null ? List.of() : List.copyOf(eosTokenId);
        torchDtype = torchDtype == null ? "float32" : torchDtype;
        if (!List.of("float32", "bfloat16", "float16").contains(torchDtype)) {
            throw new IllegalArgumentException("config.json: torch_dtype '" + torchDtype
                    + "' is not supported; expected float32, bfloat16 or float16");
        }
        hiddenAct = hiddenAct == null ? "silu" : hiddenAct;
        if (!hiddenAct.equals("silu")) {
            throw new IllegalArgumentException("config.json: hidden_act '" + hiddenAct
                    + "' is not supported; Llama-family models use silu");
        }
        if (numLabels == null && id2label != null && !id2label.isEmpty()) {
            numLabels = id2label.size();
        }
        if (mlpBias != null && mlpBias) {
            throw new IllegalArgumentException("config.json: mlp_bias=true is not supported");
        }
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("config.json: " + key + " must be a positive integer, got " + value);
        }
    }

    /** Whether q, k and v projections carry a bias (Qwen2 always; Llama when attention_bias). */
    public boolean qkvBias() {
        return modelType.equals("qwen2") || attentionBias;
    }

    /** Whether the output projection carries a bias (Llama's attention_bias; never in Qwen2). */
    public boolean outputProjectionBias() {
        return modelType.equals("llama") && attentionBias;
    }

    /** Query heads per key/value head (1 for MHA). */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** The first entry of {@link #architectures()}, parsed. */
    public Architecture architecture() {
        return Architecture.fromHfName(architectures.get(0));
    }

    /** The sliding window in force, or {@code Integer.MAX_VALUE} when attention is global. */
    public int effectiveSlidingWindow() {
        boolean on = slidingWindow != null
                && (modelType.equals("mistral") || (useSlidingWindow != null && useSlidingWindow));
        return on ? slidingWindow : Integer.MAX_VALUE;
    }

    /** This config with another architecture (e.g. a causal LM turned into a reward model). */
    public LlamaConfig withArchitecture(Architecture architecture, Integer labels) {
        return new LlamaConfig(List.of(architecture.hfName()), modelType, hiddenSize, intermediateSize,
                numHiddenLayers, numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta,
                ropeScaling, maxPositionEmbeddings, vocabSize, tieWordEmbeddings, attentionBias, bosTokenId,
                eosTokenId, padTokenId, torchDtype, hiddenAct, mlpBias, labels, slidingWindow, useSlidingWindow,
                id2label != null && labels != null && id2label.size() == labels ? id2label : null);
    }

    /** This config with another {@code pad_token_id}. */
    public LlamaConfig withPadTokenId(Integer pad) {
        return new LlamaConfig(architectures, modelType, hiddenSize, intermediateSize,
                numHiddenLayers, numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta,
                ropeScaling, maxPositionEmbeddings, vocabSize, tieWordEmbeddings, attentionBias, bosTokenId,
                eosTokenId, pad, torchDtype, hiddenAct, mlpBias, numLabels, slidingWindow, useSlidingWindow,
                id2label);
    }

    /** This config with another saved dtype. */
    public LlamaConfig withTorchDtype(String dtype) {
        return new LlamaConfig(architectures, modelType, hiddenSize, intermediateSize,
                numHiddenLayers, numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta,
                ropeScaling, maxPositionEmbeddings, vocabSize, tieWordEmbeddings, attentionBias, bosTokenId,
                eosTokenId, padTokenId, dtype, hiddenAct, mlpBias, numLabels, slidingWindow, useSlidingWindow,
                id2label);
    }

    /** Reads {@code config.json}; errors name the file. */
    public static LlamaConfig read(Path file) throws IOException {
        try {
            return JSON.readValue(file.toFile(), LlamaConfig.class);
        } catch (IOException | RuntimeException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new IOException(file + ": " + cause.getMessage(), e);
        }
    }

    /** Parses a config from JSON text (tests, embedded configs). */
    public static LlamaConfig parse(String json) {
        try {
            return JSON.readValue(json, LlamaConfig.class);
        } catch (IOException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new IllegalArgumentException(cause.getMessage(), e);
        }
    }

    /** Serialises as transformers' {@code config.json}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LlamaConfig c && toJson().equals(c.toJson());
    }

    @Override
    public int hashCode() {
        return Objects.hash(toJson());
    }
}
