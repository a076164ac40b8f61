package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import org.rlhf4j.core.kernels.Silu;
import org.rlhf4j.core.lora.LoraAdapter;
import org.rlhf4j.core.lora.LoraAdapters;

/**
 * Llama's gated feed-forward block: {@code down(silu(gate(x)) * up(x))}, no biases.
 *
 * @param gate (F, D)
 * @param up (F, D)
 * @param down (D, F)
 * @param gateLora the LoRA adapters of gate, up and down, each null when that projection has none
 */
record SwiGluMlp(NDArray gate, NDArray up, NDArray down, LoraAdapter gateLora, LoraAdapter upLora,
        LoraAdapter downLora) {

    static SwiGluMlp of(ModelWeights weights, int layer, LoraAdapters lora) {
        String p = WeightLayout.layer(layer) + "mlp.";
        return new SwiGluMlp(weights.get(p + "gate_proj.weight"), weights.get(p + "up_proj.weight"),
                weights.get(p + "down_proj.weight"), LoraAdapters.find(lora, layer, "gate_proj"),
                LoraAdapters.find(lora, layer, "up_proj"), LoraAdapters.find(lora, layer, "down_proj"));
    }

    /** {@code x} (B, T, D) -> (B, T, D). */
    NDArray forward(NDArray x) {
        NDArray gated = gated(Linear.apply(x, gate, null, gateLora), Linear.apply(x, up, null, upLora)); // (B, T, F)
        return Linear.apply(gated, down, null, downLora); // (B, T, D)
    }

    /** {@code silu(g) * u} for the gate and up projections' outputs, (..., F) each. */
    static NDArray gated(NDArray g, NDArray u) {
        return Silu.apply(g).mul(u); // libtorch's fused silu where the bridge is active (core.kernels)
    }
}
