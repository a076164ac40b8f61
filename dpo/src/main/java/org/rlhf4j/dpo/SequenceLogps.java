package org.rlhf4j.dpo;

import ai.djl.ndarray.NDArray;

/**
 * A model's log-probabilities of the chosen and rejected responses of a batch of pairs, each
 * summed over the response's tokens (padding excluded) or, for IPO, averaged over them.
 *
 * @param chosen (B) float32 {@code log pi(y_c | x)}
 * @param rejected (B) float32 {@code log pi(y_r | x)}
 */
public record SequenceLogps(NDArray chosen, NDArray rejected) {}
