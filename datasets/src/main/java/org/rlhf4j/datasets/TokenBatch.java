package org.rlhf4j.datasets;

import ai.djl.ndarray.NDArray;

/**
 * A right-padded training batch on the device, ready for
 * {@code LlamaModel.hidden(ids, positionIds, attentionBias, null)}. All arrays belong to the
 * manager they were collated into (the step's scope).
 *
 * @param ids (B, T) int64 token ids, right-padded
 * @param attentionMask (B, T) int64, 1 for real tokens, 0 for padding
 * @param positionIds (B, T) int64, restarting at 0 at every packed segment
 * @param attentionBias (B, 1, T, T) float32 additive bias: causal, padding keys hidden, and
 *     segments of a packed row unable to see each other
 * @param targetMask (B, T) float32, 1 where {@code ids[b][t]} is a loss target predicted from
 *     position {@code t - 1}; 0 at padding, prompts and segment starts
 * @param lossTokens total of {@code targetMask}, known on the Java side without a device sync
 * @param examples number of examples (segments) in the batch
 */
public record TokenBatch(
        NDArray ids,
        NDArray attentionMask,
        NDArray positionIds,
        NDArray attentionBias,
        NDArray targetMask,
        long lossTokens,
        int examples) {

    public int batchSize() {
        return (int) ids.getShape().get(0);
    }
}
