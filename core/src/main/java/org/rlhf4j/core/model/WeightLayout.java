package org.rlhf4j.core.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors a checkpoint of a given config must hold, under transformers' names, in the order
 * transformers writes them. Used both to validate a loaded checkpoint and to initialise a new one.
 */
public final class WeightLayout {

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";
    public static final String SCORE = "score.weight";

    private WeightLayout() {}

    /** Name prefix of decoder layer {@code i}, e.g. {@code model.layers.3.}. */
    public static String layer(int i) {
        return "model.layers." + i + ".";
    }

    /**
     * Expected shapes, HF layout ({@code [out, in]} for linear weights). A causal LM has
     * {@code lm_head.weight} unless its embeddings are tied; a sequence classifier has
     * {@code score.weight} of shape {@code [num_labels, D]} and no LM head.
     */
    public static Map<String, long[]> expectedShapes(LlamaConfig c) {
        long d = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long f = c.intermediateSize();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put(EMBED, new long[] {c.vocabSize(), d});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = layer(i);
            shapes.put(p + "input_layernorm.weight", new long[] {d});
            shapes.put(p + "self_attn.q_proj.weight", new long[] {q, d});
            shapes.put(p + "self_attn.k_proj.weight", new long[] {kv, d});
            shapes.put(p + "self_attn.v_proj.weight", new long[] {kv, d});
            if (c.qkvBias()) {
                shapes.put(p + "self_attn.q_proj.bias", new long[] {q});
                shapes.put(p + "self_attn.k_proj.bias", new long[] {kv});
                shapes.put(p + "self_attn.v_proj.bias", new long[] {kv});
            }
            shapes.put(p + "self_attn.o_proj.weight", new long[] {d, q});
            if (c.outputProjectionBias()) {
                shapes.put(p + "self_attn.o_proj.bias", new long[] {d});
            }
            shapes.put(p + "post_attention_layernorm.weight", new long[] {d});
            shapes.put(p + "mlp.gate_proj.weight", new long[] {f, d});
            shapes.put(p + "mlp.up_proj.weight", new long[] {f, d});
            shapes.put(p + "mlp.down_proj.weight", new long[] {d, f});
        }
        shapes.put(FINAL_NORM, new long[] {d});
        if (c.architecture().hasScalarHead()) {
            int labels = c.numLabels() == null ? 1 : c.numLabels();
            shapes.put(SCORE, new long[] {labels, d});
        } else if (!c.tieWordEmbeddings()) {
            shapes.put(LM_HEAD, new long[] {c.vocabSize(), d});
        }
        return shapes;
    }

    /** Whether a tensor is exempt from weight decay (norm gains and biases, as in TRL and OpenRLHF). */
    public static boolean isNoDecay(String name) {
        return name.endsWith(".bias") || name.endsWith("norm.weight");
    }
}
