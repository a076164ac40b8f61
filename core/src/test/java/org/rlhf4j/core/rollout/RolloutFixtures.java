package org.rlhf4j.core.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.ModelWeights;
import org.rlhf4j.core.model.WeightLayout;

/** Tiny seeded models over the byte tokenizer's 259 ids, shared by the rollout tests. */
final class RolloutFixtures {

    private static final String BASE = "{\"hidden_size\":32,\"intermediate_size\":64,\"num_hidden_layers\":2,"
            + "\"num_attention_heads\":4,\"num_key_value_heads\":2,\"vocab_size\":259,\"rms_norm_eps\":1e-5";

    /** Prompts of different lengths, so the batch is left-padded. */
    static final List<int[]> PROMPTS = List.of(
            new int[] {257, 72, 105, 10}, new int[] {257, 87, 104, 97, 116, 32, 105, 115, 10}, new int[] {65, 66});

    private RolloutFixtures() {}

    /** A causal LM (GQA, untied head) whose head is scaled up so next-token distributions are peaked. */
    static LlamaModel policy(NDManager manager, long seed) {
        return sharpened(LlamaConfig.parse(BASE + "}"), manager, seed, WeightLayout.LM_HEAD);
    }

    /** A LlamaForSequenceClassification with num_labels 1 (reward or value model). */
    static LlamaModel scalar(NDManager manager, long seed) {
        return sharpened(LlamaConfig.parse(BASE + ",\"architectures\":[\"LlamaForSequenceClassification\"],"
                + "\"num_labels\":1}"), manager, seed, WeightLayout.SCORE);
    }

    // Random init (std 0.02) gives logits within about 0.1 of each other: near-ties would make
    // greedy decoding hinge on rounding, and samples near-uniform. A 30x head makes them peaked.
    private static LlamaModel sharpened(LlamaConfig config, NDManager manager, long seed, String head) {
        ModelWeights random = ModelWeights.random(config, manager, seed);
        Map<String, NDArray> tensors = new LinkedHashMap<>(random.asMap());
        tensors.put(head, tensors.get(head).mul(manager.full(new Shape(), 30f)));
        return new LlamaModel(ModelWeights.of(config, tensors));
    }
}
