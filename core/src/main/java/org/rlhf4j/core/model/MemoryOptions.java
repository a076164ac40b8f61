package org.rlhf4j.core.model;

/**
 * How a forward pass trades compute for memory; neither switch changes what is computed (up to
 * float rounding).
 *
 * @param gradientCheckpointing under autograd, keep only each decoder layer's input and recompute
 *     the layer in the backward pass ({@code train.gradient_checkpointing})
 * @param logitsChunkTokens compute the LM head, its log-softmax and the picked log-probs over at
 *     most this many tokens at a time, so that the (tokens, V) logits never exist for a whole batch;
 *     under autograd each chunk is recomputed in the backward pass; 0 = one piece
 *     ({@code train.logits_chunk_tokens})
 */
public record MemoryOptions(boolean gradientCheckpointing, int logitsChunkTokens) {

    /**
     * The default chunk: 1024 tokens. At Qwen's V = 151,936 one chunk's float32 logits are 0.6 GB
     * instead of 2.5 GB per 4 x 1024 batch, and a batch of at most 1024 tokens (the tiny and demo
     * runs) takes the unchunked path unchanged; under autograd a chunked head costs one more
     * forward of the head matmul.
     */
    public static final int DEFAULT_LOGITS_CHUNK_TOKENS = 1024;

    /** No checkpointing, the default chunk: what scoring outside a training run uses. */
    public static final MemoryOptions DEFAULTS = new MemoryOptions(false, DEFAULT_LOGITS_CHUNK_TOKENS);

    public MemoryOptions {
        if (logitsChunkTokens < 0) {
            throw new IllegalArgumentException("logits chunk must be >= 0 tokens (0 = off), got " + logitsChunkTokens);
        }
    }

    /** Whether {@code tokens} positions are scored in more than one chunk. */
    public boolean chunks(long tokens) {
        return logitsChunkTokens > 0 && tokens > logitsChunkTokens;
    }
}
