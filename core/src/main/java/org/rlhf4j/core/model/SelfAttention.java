package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.rlhf4j.core.kernels.ScaledDotProductAttention;
import org.rlhf4j.core.lora.LoraAdapter;
import org.rlhf4j.core.lora.LoraAdapters;

/**
 * Causal multi-head self-attention with grouped key/value heads (MHA when KV = H, MQA when
 * KV = 1), rotary positions and optional projection biases, as in transformers'
 * {@code LlamaAttention}. Scores and softmax are float32 whatever the compute dtype.
 *
 * @param q query projection (H * hd, D), bias {@code qBias} (H * hd) or null
 * @param k key projection (KV * hd, D), bias {@code kBias} or null
 * @param v value projection (KV * hd, D), bias {@code vBias} or null
 * @param o output projection (D, H * hd), bias {@code oBias} (D) or null
 * @param qLora the LoRA adapters of q, k, v and o, each null when that projection has none
 */
record SelfAttention(
        NDArray q, NDArray qBias, NDArray k, NDArray kBias, NDArray v, NDArray vBias, NDArray o, NDArray oBias,
        int heads, int kvHeads, int headDim, LoraAdapter qLora, LoraAdapter kLora, LoraAdapter vLora,
        LoraAdapter oLora) {

    private static final int[] HEADS_FIRST = {0, 2, 1, 3};
    private static final int[] KEYS_TRANSPOSED = {0, 1, 3, 2};

    static SelfAttention of(ModelWeights weights, int layer, LoraAdapters lora) {
        LlamaConfig c = weights.config();
        String p = WeightLayout.layer(layer) + "self_attn.";
        return new SelfAttention(
                weights.get(p + "q_proj.weight"), optional(weights, p + "q_proj.bias"),
                weights.get(p + "k_proj.weight"), optional(weights, p + "k_proj.bias"),
                weights.get(p + "v_proj.weight"), optional(weights, p + "v_proj.bias"),
                weights.get(p + "o_proj.weight"), optional(weights, p + "o_proj.bias"),
                c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(),
                LoraAdapters.find(lora, layer, "q_proj"), LoraAdapters.find(lora, layer, "k_proj"),
                LoraAdapters.find(lora, layer, "v_proj"), LoraAdapters.find(lora, layer, "o_proj"));
    }

    private static NDArray optional(ModelWeights weights, String name) {
        return weights.contains(name) ? weights.get(name) : null;
    }

    /**
     * Attends from {@code x} (B, T, D) over the cached slots plus the new ones.
     *
     * @param angles rotary angles of the new positions, (B, T, 1, hd)
     * @param bias float32 additive bias (B, 1, T, Tk), Tk = cached + T slots
     * @param scale {@code 1/sqrt(hd)} as a scalar array of the compute dtype
     * @param cache the layer's key/value cache, or null to attend over {@code x} alone
     */
    NDArray forward(NDArray x, RotaryEmbedding.Angles angles, NDArray bias, NDArray scale, KvCache cache,
            int layer) {
        Shape shape = x.getShape();
        long batch = shape.get(0);
        long length = shape.get(1);
        NDArray queries = Linear.apply(x, q, qBias, qLora).reshape(batch, length, heads, headDim); // (B, T, H, hd)
        NDArray newKeys = Linear.apply(x, k, kBias, kLora).reshape(batch, length, kvHeads, headDim); // (B, T, KV, hd)
        NDArray newValues = Linear.apply(x, v, vBias, vLora).reshape(batch, length, kvHeads, headDim);
        // Scaling q (T x hd) is cheaper than scaling the (T x Tk) scores and equal up to rounding.
        queries = RotaryEmbedding.apply(queries, angles).mul(scale).transpose(HEADS_FIRST); // (B, H, T, hd)
        newKeys = RotaryEmbedding.apply(newKeys, angles).transpose(HEADS_FIRST); // (B, KV, T, hd)
        newValues = newValues.transpose(HEADS_FIRST); // (B, KV, T, hd)

        NDArray keys = newKeys; // (B, KV, Tk, hd)
        NDArray values = newValues;
        if (cache != null) {
            NDList all = cache.append(layer, newKeys, newValues);
            keys = all.get(0);
            values = all.get(1);
        }
        long keyLength = keys.getShape().get(2);
        int groupSize = heads / kvHeads;
        if (ScaledDotProductAttention.available(x.getDataType())) { // libtorch's fused SDPA (core.kernels)
            boolean causal = AttentionMask.isCausal(bias) && keyLength == length; // not a step over a filled cache
            NDArray fused = ScaledDotProductAttention.fused(queries, keys, values, bias, causal) // (B, H, T, hd)
                    .transpose(HEADS_FIRST).reshape(batch, length, (long) heads * headDim); // (B, T, H * hd)
            return Linear.apply(fused, o, oBias, oLora); // (B, T, D)
        }
        // Query head h reads kv head h / groupSize (transformers' repeat_kv order). The heads of one
        // group are adjacent, so folding them into the row axis, (B, KV, G * T, hd), lets one batched
        // matmul per kv head do what repeating K and V G times would, without the copies.
        NDArray grouped = queries.reshape(batch, kvHeads, groupSize * length, headDim); // (B, KV, G * T, hd)
        NDArray products = grouped.matMul(keys.transpose(KEYS_TRANSPOSED)); // (B, KV, G * T, Tk)
        DataType dtype = x.getDataType();
        NDArray products32 = products.toType(DataType.FLOAT32, false); // products itself when float32
        NDArray scores = products32.reshape(batch, heads, length, keyLength); // (B, H, T, Tk)
        NDArray biased = scores.add(bias); // (B, H, T, Tk)
        NDArray softmax = biased.softmax(-1); // (B, H, T, Tk)
        // Backward needs none of the score arrays before the softmax (matmul keeps its inputs,
        // softmax its output): release them now rather than when the caller's manager closes, two
        // (B, H, T, Tk) arrays fewer alive per layer, in training and in scoring alike.
        biased.close();
        scores.close();
        products32.close();
        products.close();
        NDArray probabilities = softmax.toType(dtype, false)
                .reshape(batch, kvHeads, groupSize * length, keyLength); // (B, KV, G * T, Tk)
        NDArray mixed = probabilities.matMul(values) // (B, KV, G * T, hd)
                .reshape(batch, heads, length, headDim)
                .transpose(HEADS_FIRST)
                .reshape(batch, length, (long) heads * headDim); // (B, T, H * hd)
        return Linear.apply(mixed, o, oBias, oLora); // (B, T, D)
    }
}
