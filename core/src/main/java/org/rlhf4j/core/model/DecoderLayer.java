package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import org.rlhf4j.core.lora.LoraAdapters;

/**
 * One pre-norm decoder layer: {@code h = x + attn(norm1(x)); out = h + mlp(norm2(h))}.
 *
 * @param inputNorm RMSNorm gain before attention (D)
 * @param postAttentionNorm RMSNorm gain before the MLP (D)
 */
record DecoderLayer(NDArray inputNorm, SelfAttention attention, NDArray postAttentionNorm, SwiGluMlp mlp,
        double eps) {

    static DecoderLayer of(ModelWeights weights, int layer, LoraAdapters lora) {
        String p = WeightLayout.layer(layer);
        return new DecoderLayer(weights.get(p + "input_layernorm.weight"), SelfAttention.of(weights, layer, lora),
                weights.get(p + "post_attention_layernorm.weight"), SwiGluMlp.of(weights, layer, lora),
                weights.config().rmsNormEps());
    }

    /** {@code x} (B, T, D) -> (B, T, D); see {@link SelfAttention#forward} for the other arguments. */
    NDArray forward(NDArray x, RotaryEmbedding.Angles angles, NDArray bias, NDArray scale, KvCache cache,
            int layer) {
        NDArray h = x.add(attention.forward(RmsNorm.apply(x, inputNorm, eps), angles, bias, scale, cache, layer));
        return h.add(mlp.forward(RmsNorm.apply(h, postAttentionNorm, eps)));
    }
}
