package org.rlhf4j.core.ops;

import ai.djl.ndarray.NDArray;

/**
 * Reductions over a 0/1 mask, and the one convention by which rlhf4j's losses are reduced.
 *
 * <p>The convention: a loss function returns its per-item values (per token or per pair, masked
 * positions 0) and, where it reduces at all, their sum divided by a normaliser N that the
 * <em>caller</em> passes ({@link #normalised}). N counts the items of the whole accumulated
 * optimizer step (all micro-batches), not of one micro-batch, so that {@code grad_accum} 4 x
 * {@code batch_size} 2 gives the gradient of one batch of 8 and every item weighs the same
 * wherever it sits (TRL's {@code num_items_in_batch}). PPO's losses are the exception by design:
 * they are means over each minibatch's masked tokens ({@link #mean}), as in the PPO paper.
 *
 * <p>{@code mask} is 1 where a value counts and 0 elsewhere, of {@code x}'s shape (or one that
 * broadcasts to it) and a floating type. Values at masked positions do not change any result
 * (unless they are infinite or NaN: {@code 0 * inf} is NaN).
 */
public final class MaskedReductions {

    private static final int[] ROW_AXIS = {1};

    private MaskedReductions() {}

    /** {@code sum(x * mask)}, (). */
    public static NDArray sum(NDArray x, NDArray mask) {
        return x.mul(mask).sum();
    }

    /** {@code sum_t x[b, t] * mask[b, t]} for each row b of a (B, T) {@code x}, (B). */
    public static NDArray rowSums(NDArray x, NDArray mask) {
        return x.mul(mask).sum(ROW_AXIS);
    }

    /**
     * {@code sum(x * mask) / max(sum(mask), 1)}, (): the mean over the unmasked entries, and 0 when
     * every entry is masked (not NaN).
     */
    public static NDArray mean(NDArray x, NDArray mask) {
        return sum(x, mask).div(mask.sum().maximum(Scalars.like(x, 1)));
    }

    /**
     * {@code total / normaliser} with the normaliser as a torch-owned scalar, (): the last step of
     * the reduction convention above.
     *
     * @param total () the summed per-item losses of a micro-batch
     * @param normaliser N, finite and > 0: the items of the whole accumulated step
     * @throws IllegalArgumentException if {@code normaliser} is not finite and positive
     */
    public static NDArray normalised(NDArray total, float normaliser) {
        if (!(normaliser > 0) || Float.isInfinite(normaliser)) {
            throw new IllegalArgumentException("normaliser must be finite and > 0, got " + normaliser);
        }
        return total.div(Scalars.like(total, normaliser));
    }
}
