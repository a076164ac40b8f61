package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;

/**
 * Llama's gated feed-forward block: {@code down(silu(gate(x)) * up(x))}, no biases.
 *
 * @param gate (F, D)
 * @param up (F, D)
 * @param down (D, F)
 */
record SwiGluMlp(NDArray gate, NDArray up, NDArray down) {

    static SwiGluMlp of(ModelWeights weights, int layer) {
        String p = WeightLayout.layer(layer) + "mlp.";
        return new SwiGluMlp(weights.get(p + "gate_proj.weight"), weights.get(p + "up_proj.weight"),
                weights.get(p + "down_proj.weight"));
    }

    /** {@code x} (B, T, D) -> (B, T, D). */
    NDArray forward(NDArray x) {
        NDArray g = Linear.apply(x, gate, null); // (B, T, F)
        // silu composed from sigmoid: Activation.swish multiplies by a Java Number, which corrupts
        // gradients on CPU (DJL-NOTES item 2).
        NDArray activated = g.mul(g.getNDArrayInternal().sigmoid()); // (B, T, F)
        return Linear.apply(activated.mul(Linear.apply(x, up, null)), down, null); // (B, T, D)
    }
}
