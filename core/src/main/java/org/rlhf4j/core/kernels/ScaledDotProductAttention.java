package org.rlhf4j.core.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Attention {@code softmax(q k^T + bias) v} over grouped key/value heads: libtorch's
 * {@code scaled_dot_product_attention} through {@link TorchBridge} when it is active, else the DJL
 * composition {@code SelfAttention} uses (scores, bias, softmax and the value mix as separate arrays).
 *
 * <p>The fused kernel picks its own implementation and keeps only what its backward needs, not the
 * (B, H, T, Tk) scores, biased scores and probabilities the composition holds until the step ends.
 * On the CPU, libtorch 2.7.1 runs its flash kernel only without grouped heads: with
 * {@code enable_gqa} it falls back to its math path, which repeats K and V itself and materialises
 * the scores (measured: B 2, T 1,024, 8/4 heads, hd 32, forward and backward 325 ms of CPU, the same
 * as the DJL composition; with K and V repeated first, 132 ms with the float bias and 95 ms causal).
 * So for a {@code causal} call K and V are repeated here on the CPU (two (B, H, Tk, hd) copies,
 * small beside a (T, Tk) score array) and passed to the kernel as ordinary multi-head attention
 * without the bias, and the flash kernel skips the key blocks above the diagonal; on a GPU the groups
 * go to libtorch as they are (untested here). A float bias keeps the grouped call unless
 * {@link Mode#MASK} is selected (the reason is in {@link #fused}). Under {@code MASK}, a query row
 * that sees no key at all (a left-padded row's padding) gets the uniform average of the values, as
 * in the composition, but the flash backward recomputes that row's probabilities from a
 * log-sum-exp that rounds to the bias (-1e9) in float32, so a gradient entering such a row comes out
 * scaled by the key count. It runs in float32 only (the bridge never shows DJL another dtype; DJL
 * has no bfloat16).
 *
 * <p>The system property {@value #MODE_PROPERTY} selects the path for measurements (see {@link Mode}).
 */
public final class ScaledDotProductAttention {

    /** System property naming a {@link Mode}, read at every call; default {@code causal}. */
    public static final String MODE_PROPERTY = "rlhf4j.attention";

    private static final int[] KEYS_TRANSPOSED = {0, 1, 3, 2};

    /** Which attention runs when the bridge is active (the default build always composes). */
    public enum Mode {
        /** Flash with {@code is_causal} and K/V repeated on the CPU where the mask allows, else as {@link #GQA_MASK}. */
        CAUSAL,
        /** Always the float bias, K/V repeated on the CPU (the flash kernel; not the default, see {@link #fused}). */
        MASK,
        /** The float bias with libtorch's {@code enable_gqa} (libtorch's math path on the CPU): the first version. */
        GQA_MASK,
        /** The DJL composition, as without the bridge. */
        COMPOSED;

        /** The mode named by {@value #MODE_PROPERTY} ({@code causal}, {@code mask}, {@code gqa-mask}, {@code composed}). */
        public static Mode current() {
            String name = System.getProperty(MODE_PROPERTY, "causal");
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-D" + MODE_PROPERTY + "=" + name
                        + ": expected causal, mask, gqa-mask or composed", e);
            }
        }
    }

    private ScaledDotProductAttention() {}

    /** Whether {@link #fused} applies to queries of this dtype in this process. */
    public static boolean available(DataType dtype) {
        return dtype == DataType.FLOAT32 && TorchBridge.active() && Mode.current() != Mode.COMPOSED;
    }

    /**
     * Attention through the shared libtorch.
     *
     * @param queries (B, H, T, hd), already multiplied by the attention scale
     * @param keys (B, KV, Tk, hd), KV dividing H; query head h reads kv head {@code h / (H / KV)}
     * @param values (B, KV, Tk, hd)
     * @param bias float32 additive bias broadcastable to (B, H, T, Tk), e.g. (B, 1, T, Tk)
     * @param causal whether, for every query row whose output matters, {@code bias} hides exactly
     *     the keys after the query's own slot ({@code Tk == T}); the bias is then not read, and rows
     *     whose output does not matter (padding queries) may get different values than with it
     * @return (B, H, T, hd) in the queries' manager
     */
    public static NDArray fused(NDArray queries, NDArray keys, NDArray values, NDArray bias, boolean causal) {
        Mode mode = Mode.current();
        long heads = queries.getShape().get(1);
        long kvHeads = keys.getShape().get(1);
        boolean grouped = heads != kvHeads;
        boolean isCausal = causal && mode == Mode.CAUSAL && keys.getShape().get(2) == queries.getShape().get(2);
        // The flash kernel with the float bias (MASK) passes the parity tests but made the PPO and
        // GRPO learning tests fail (KL to the reference 10 instead of ~1.1; cause not found), so
        // only the causal call repeats K/V by default; a float bias keeps libtorch's grouped call.
        if (grouped && (isCausal || mode == Mode.MASK) && !queries.getDevice().isGpu()) {
            keys = keys.repeat(1, heads / kvHeads); // repeat_interleave: transformers' repeat_kv order
            values = values.repeat(1, heads / kvHeads);
            grouped = false;
        }
        Tensor out;
        try (TensorOptional mask = isCausal ? new TensorOptional() : new TensorOptional(TorchBridge.borrow(bias));
                DoubleOptional scale = new DoubleOptional(1.0)) { // the queries carry the scale
            out = torch.scaled_dot_product_attention(TorchBridge.borrow(queries), TorchBridge.borrow(keys),
                    TorchBridge.borrow(values), mask, 0.0, isCausal, scale, grouped);
        }
        return TorchBridge.adopt(out, queries.getManager());
    }

    /** {@link #fused} when {@link #available}, else {@link #composed}: same arguments, same result. */
    public static NDArray attend(NDArray queries, NDArray keys, NDArray values, NDArray bias, boolean causal) {
        return available(queries.getDataType()) ? fused(queries, keys, values, bias, causal)
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
