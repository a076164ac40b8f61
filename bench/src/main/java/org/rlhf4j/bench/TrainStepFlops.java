package org.rlhf4j.bench;

import org.rlhf4j.core.model.LlamaConfig;

/**
 * The model FLOPs of one training step (forward + backward), counted analytically from the shape.
 *
 * <pre>
 * linear    = 6 * N_mm * B * T
 *             N_mm = L * (D*H*hd + 2*D*KV*hd + H*hd*D + 3*D*F) + D*V   (q, k, v, o, gate, up, down, LM head)
 * attention = 3 * L * (2 * 2 * B * H * T^2 * hd)                      (QK^T and AV, fwd; bwd = 2 x fwd)
 * total     = linear + attention
 * </pre>
 *
 * <p>A matmul of an (m x k) by a (k x n) matrix costs 2mkn FLOPs; its backward needs two matmuls
 * of the same size (gradient of the input and of the weight), hence 2 + 4 = 6 per weight and
 * token, and 3 x the forward for attention. The embedding is a lookup (no FLOPs); norms, RoPE,
 * softmax, SwiGLU's product, the loss and AdamW are elementwise and left out, as in the usual
 * "model FLOPs" (PaLM's MFU, nanoGPT's estimate). The attention term counts the full T x T
 * scores, not half: the model computes them all and masks afterwards (no fused causal kernel).
 *
 * @param matmulParameters N_mm, weights that take part in a matmul
 * @param linear FLOPs of the projections and the LM head, fwd + bwd
 * @param attention FLOPs of the score and mixing matmuls, fwd + bwd
 */
public record TrainStepFlops(long matmulParameters, double linear, double attention) {

    /** The formula above, for printing next to the figure. */
    public static final String FORMULA = "6 * N_mm * B * T + 3 * L * (2 * 2 * B * H * T^2 * hd)";

    /** FLOPs of one step of a {@code config} model over {@code batch} sequences of {@code seq} tokens. */
    public static TrainStepFlops of(LlamaConfig config, long batch, long seq) {
        long d = config.hiddenSize();
        long heads = config.numAttentionHeads();
        long kvHeads = config.numKeyValueHeads();
        long headDim = config.headDim();
        long perLayer = d * heads * headDim // q_proj
                + 2 * d * kvHeads * headDim // k_proj, v_proj
                + heads * headDim * d // o_proj
                + 3 * d * config.intermediateSize(); // gate_proj, up_proj, down_proj
        // The LM head is a matmul whether tied or not; a tied head's weight also serves the lookup.
        long matmulParameters = config.numHiddenLayers() * perLayer + d * config.vocabSize();
        double tokens = (double) batch * seq;
        double linear = 6.0 * matmulParameters * tokens;
        double attentionForward = 2.0 * 2.0 * batch * heads * (double) seq * seq * headDim * config.numHiddenLayers();
        return new TrainStepFlops(matmulParameters, linear, 3.0 * attentionForward);
    }

    public double total() {
        return linear + attention;
    }
}
