package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;

/**
 * The old name of {@link TokenLogps}, kept only so that code not yet renamed (ppo's tests) still
 * compiles.
 *
 * @deprecated use {@link TokenLogps}; to be removed once ppo/ has moved
 */
@Deprecated(forRemoval = true)
public final class TokenLogProbs {

    private TokenLogProbs() {}

    /** {@link TokenLogps#of}. */
    public static NDArray of(NDArray logits, NDArray targetIds) {
        return TokenLogps.of(logits, targetIds);
    }
}
