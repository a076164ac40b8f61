package org.rlhf4j.core.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The transformers classes whose checkpoints this toolkit reads and writes. */
public enum Architecture {
    LLAMA_FOR_CAUSAL_LM("LlamaForCausalLM", "llama", false),
    QWEN2_FOR_CAUSAL_LM("Qwen2ForCausalLM", "qwen2", false),
    MISTRAL_FOR_CAUSAL_LM("MistralForCausalLM", "mistral", false),
    LLAMA_FOR_SEQUENCE_CLASSIFICATION("LlamaForSequenceClassification", "llama", true),
    QWEN2_FOR_SEQUENCE_CLASSIFICATION("Qwen2ForSequenceClassification", "qwen2", true),
    MISTRAL_FOR_SEQUENCE_CLASSIFICATION("MistralForSequenceClassification", "mistral", true);

    private final String hfName;
    private final String modelType;
    private final boolean scalarHead;

    Architecture(String hfName, String modelType, boolean scalarHead) {
        this.hfName = hfName;
        this.modelType = modelType;
        this.scalarHead = scalarHead;
    }

    /** The class name transformers writes in {@code architectures}. */
    public String hfName() {
        return hfName;
    }

    /** The {@code model_type} that goes with it. */
    public String modelType() {
        return modelType;
    }

    /** True for sequence classification (reward/value models: {@code score.weight}), false for causal LMs. */
    public boolean hasScalarHead() {
        return scalarHead;
    }

    /** Looks an architecture up by its transformers name; the error lists the supported ones. */
    public static Architecture fromHfName(String name) {
        for (Architecture a : values()) {
            if (a.hfName.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("config.json: architecture '" + name + "' is not supported; expected one of "
                + Arrays.stream(values()).map(Architecture::hfName).collect(Collectors.joining(", ")));
    }

    /** The causal-LM class of a model type. */
    public static Architecture defaultCausalLm(String modelType) {
        return switch (modelType) {
            case "qwen2" -> QWEN2_FOR_CAUSAL_LM;
            case "mistral" -> MISTRAL_FOR_CAUSAL_LM;
            default -> LLAMA_FOR_CAUSAL_LM;
        };
    }

    /** The sequence-classification class of a model type (reward models). */
    public static Architecture sequenceClassification(String modelType) {
        return switch (modelType) {
            case "qwen2" -> QWEN2_FOR_SEQUENCE_CLASSIFICATION;
            case "mistral" -> MISTRAL_FOR_SEQUENCE_CLASSIFICATION;
            default -> LLAMA_FOR_SEQUENCE_CLASSIFICATION;
        };
    }
}
