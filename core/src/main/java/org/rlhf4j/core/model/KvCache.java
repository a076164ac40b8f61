package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Keys and values of the positions a decoder has already seen, per layer, so that generation
 * runs each new token through the model once. The model calls {@link #append} once per layer
 * with the new positions' rotated keys and values and attends over what it returns, then calls
 * {@link #advance} once at the end of the forward pass.
 *
 * <p>A cache is generation state: it is used without a gradient collector, and it is mutable,
 * unlike {@link LlamaModel}.
 */
public interface KvCache {

    /** Number of slots already filled by earlier forward passes (the new positions start here). */
    long length();

    /**
     * Stores layer {@code layer}'s keys and values for the new positions, (B, KV, Tnew, hd) each,
     * at slots {@code [length(), length() + Tnew)}, and returns the keys and values of all
     * slots {@code [0, length() + Tnew)}, (B, KV, Tk, hd) each, as a two-element list.
     */
    NDList append(int layer, NDArray keys, NDArray values);

    /** Marks {@code positions} new slots as filled; called once per forward pass after the last layer. */
    void advance(long positions);
}
