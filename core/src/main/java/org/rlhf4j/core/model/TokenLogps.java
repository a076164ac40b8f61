package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Per-token log-probabilities ({@code logps}) of given targets under a model's logits. */
public final class TokenLogps {

    private TokenLogps() {}

    /**
     * {@code log p(target)} at every position: float32 log-softmax of {@code logits} (B, T, V),
     * picked at {@code targetIds} (B, T) -> (B, T) float32. The caller aligns targets (for a
     * causal LM, the ids shifted left by one).
     */
    public static NDArray of(NDArray logits, NDArray targetIds) {
        NDArray logProbs = logits.toType(DataType.FLOAT32, false).logSoftmax(-1); // (B, T, V)
        NDArray index = targetIds.toType(DataType.INT64, false).expandDims(-1); // (B, T, 1)
        return logProbs.gather(index, -1).squeeze(-1); // (B, T)
    }
}
