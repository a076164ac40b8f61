package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.rlhf4j.core.kernels.ScaledDotProductAttention;
import org.rlhf4j.core.ops.Scalars;

/**
 * What a padded batch's 0/1 attention mask implies for the decoder: position ids, the additive
 * attention bias, and where each row's last real token is. Works the same for left and right
 * padding, so a padded row gives the same result at its real tokens as the row alone.
 */
public final class AttentionMask {

    /**
     * Bias added to the scores of keys a query must not see. Finite (unlike -inf) so a query that
     * sees no key at all, a padding query in a left-padded row, gets a uniform softmax instead of
     * NaN; large enough that exp underflows to exactly 0 next to any visible key.
     */
    public static final float MASKED = -1e9f;

    /**
     * The name {@link #bias} gives a bias that is <em>causal for every real query</em>: a full pass
     * (queries = keys), no sliding window, and every row right-padded (its real tokens a prefix).
     * Padding keys then lie after every real query's slot, so the causal mask alone hides exactly
     * what the bias hides from the rows that matter, and attention may use libtorch's causal flash
     * kernel instead of reading the bias ({@link #isCausal}). Only the padding queries, whose
     * outputs no loss, score or head reads (see {@code org.rlhf4j.core.model}'s package notes), see
     * different keys. An array derived from the bias (a packed batch's bias plus its segment mask)
     * is a new array without the name, so it never passes for causal.
     */
    static final String CAUSAL_NAME = "rlhf4j.causal-bias";

    private AttentionMask() {}

    /** Whether {@code bias} is one {@link #bias} marked causal for every real query ({@link #CAUSAL_NAME}). */
    public static boolean isCausal(NDArray bias) {
        return CAUSAL_NAME.equals(bias.getName());
    }

    /** Position ids {@code max(cumsum(mask) - 1, 0)}, (B, T) int64: the real tokens count 0, 1, 2, ... */
    public static NDArray positionIds(NDArray mask) {
        NDManager manager = mask.getManager();
        NDArray positions = mask.toType(DataType.INT64, false).cumSum(1).sub(1); // (B, T)
        return positions.maximum(manager.zeros(new Shape(), DataType.INT64));
    }

    /**
     * Float32 additive bias (B, 1, Tq, Tk) for the last {@code queryLength} of {@code Tk} slots:
     * 0 where key slot {@code j} is visible from query slot {@code i}, {@link #MASKED} elsewhere.
     * Visible means the key is a real token ({@code mask} (B, Tk) is nonzero), causal
     * ({@code j <= i}) and, when {@code window < Tk}, inside Mistral's sliding window
     * ({@code i - window < j}). Where the fused kernels are active, a bias that is causal for every
     * real query is marked so ({@link #isCausal}).
     */
    public static NDArray bias(NDArray mask, long queryLength, int window) {
        NDManager manager = mask.getManager();
        long keyLength = mask.getShape().get(1);
        NDArray hidden = Scalars.of(manager, -MASKED);
        NDArray keys = manager.arange(0, (int) keyLength, 1, DataType.INT64)
                .reshape(1, keyLength); // (1, Tk)
        NDArray queries = manager.arange((int) (keyLength - queryLength), (int) keyLength, 1, DataType.INT64)
                .reshape(queryLength, 1); // (Tq, 1)
        NDArray visible = keys.lte(queries); // (Tq, Tk)
        if (window < keyLength) {
            visible = visible.logicalAnd(keys.gt(queries.sub(window)));
        }
        // visible -> (1 - 1) * -MASKED = 0, hidden -> (0 - 1) * -MASKED = MASKED; the causal part
        // (Tq, Tk) and the padding part (B, Tk) are built small and meet in one broadcast op, so
        // the (B, 1, Tq, Tk) float bias is the only batch-sized array this allocates.
        NDArray causal = visible.toType(DataType.FLOAT32, false).sub(1).mul(hidden)
                .reshape(1, 1, queryLength, keyLength); // (1, 1, Tq, Tk)
        NDArray padding = mask.neq(manager.zeros(new Shape(), mask.getDataType()))
                .toType(DataType.FLOAT32, false).sub(1).mul(hidden)
                .reshape(mask.getShape().get(0), 1, 1, keyLength); // (B, 1, 1, Tk)
        NDArray bias = causal.minimum(padding); // (B, 1, Tq, Tk)
        // Checking the padding side reads the mask back (a device sync): only where a kernel uses it.
        if (queryLength == keyLength && window >= keyLength
                && ScaledDotProductAttention.available(DataType.FLOAT32) && rightPadded(mask)) {
            bias.setName(CAUSAL_NAME);
        }
        return bias;
    }

    /** Whether each row's nonzero entries of {@code mask} (B, T) form a prefix (none at all counts). */
    static boolean rightPadded(NDArray mask) {
        long length = mask.getShape().get(1);
        boolean[] real = mask.neq(mask.getManager().zeros(new Shape(), mask.getDataType())).toBooleanArray();
        for (int i = 0; i < real.length; i++) {
            if (real[i] && i % length != 0 && !real[i - 1]) { // a real token after a padding one
                return false;
            }
        }
        return true;
    }

    /** Index of each row's last nonzero mask entry, (B) int64 (0 for an all-zero row). */
    public static NDArray lastTokenIndex(NDArray mask) {
        long length = mask.getShape().get(1);
        NDArray slots = mask.getManager().arange(0, (int) length, 1, DataType.INT64); // (T)
        NDArray real = mask.neq(mask.getManager().zeros(new Shape(), mask.getDataType()))
                .toType(DataType.INT64, false); // (B, T)
        return real.mul(slots).max(new int[] {1}); // (B)
    }
}
