package org.rlhf4j.core.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Attention {@code softmax(q k^T + bias) v} over grouped key/value heads: libtorch's
 * {@code scaled_dot_product_attention} through {@link TorchBridge} when it is active, else the DJL
 * composition {@code SelfAttention} uses (scores, bias, softmax and the value mix as separate arrays).
 *
 * <p>The fused kernel picks its own CPU/CUDA implementation (flash attention where the shapes allow,
 * else libtorch's math path) and keeps only what its backward needs, not the (B, H, T, Tk) scores,
 * biased scores and probabilities the composition holds until the step ends. It runs in float32
 * only (the bridge never shows DJL another dtype; DJL has no bfloat16).
 */
public final class ScaledDotProductAttention {

    private static final int[] KEYS_TRANSPOSED = {0, 1, 3, 2};

    private ScaledDotProductAttention() {}

    /** Whether {@link #fused} applies to queries of this dtype in this process. */
    public static boolean available(DataType dtype) {
        return dtype == DataType.FLOAT32 && TorchBridge.active();
    }

    /**
     * Attention through the shared libtorch.
     *
     * @param queries (B, H, T, hd), already multiplied by the attention scale
     * @param keys (B, KV, Tk, hd), KV dividing H; query head h reads kv head {@code h / (H / KV)}
     * @param values (B, KV, Tk, hd)
     * @param bias float32 additive bias broadcastable to (B, H, T, Tk), e.g. (B, 1, T, Tk)
     * @return (B, H, T, hd) in the queries' manager
     */
    public static NDArray fused(NDArray queries, NDArray keys, NDArray values, NDArray bias) {
        boolean grouped = queries.getShape().get(1) != keys.getShape().get(1);
        Tensor out;
        try (TensorOptional mask = new TensorOptional(TorchBridge.borrow(bias));
                DoubleOptional scale = new DoubleOptional(1.0)) { // the queries carry the scale
            out = torch.scaled_dot_product_attention(TorchBridge.borrow(queries), TorchBridge.borrow(keys),
                    TorchBridge.borrow(values), mask, 0.0, false, scale, grouped);
        }
        return TorchBridge.adopt(out, queries.getManager());
    }

    /** {@link #fused} when {@link #available}, else {@link #composed}: same arguments, same result. */
    public static NDArray attend(NDArray queries, NDArray keys, NDArray values, NDArray bias) {
        return available(queries.getDataType()) ? fused(queries, keys, values, bias)
                : composed(queries, keys, values, bias);
    }

    /**
     * The DJL composition: one batched matmul per kv head with the group's query heads folded into
     * the row axis (transformers' repeat_kv order, without copying K and V), softmax in float32.
     */
    public static NDArray composed(NDArray queries, NDArray keys, NDArray values, NDArray bias) {
        Shape q = queries.getShape();
        long batch = q.get(0);
        long heads = q.get(1);
        long length = q.get(2);
        long headDim = q.get(3);
        long kvHeads = keys.getShape().get(1);
        long keyLength = keys.getShape().get(2);
        long rows = heads / kvHeads * length;
        NDArray scores = queries.reshape(batch, kvHeads, rows, headDim)
                .matMul(keys.transpose(KEYS_TRANSPOSED))
                .reshape(batch, heads, length, keyLength); // (B, H, T, Tk)
        NDArray probabilities = scores.toType(DataType.FLOAT32, false).add(bias).softmax(-1)
                .toType(queries.getDataType(), false)
                .reshape(batch, kvHeads, rows, keyLength); // (B, KV, G * T, Tk)
        return probabilities.matMul(values).reshape(batch, heads, length, headDim); // (B, H, T, hd)
    }
}
