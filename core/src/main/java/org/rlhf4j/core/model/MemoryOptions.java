package org.rlhf4j.core.model;

/**
 * How a forward pass trades compute for memory; neither switch changes what is computed (up to
 * float rounding).
 *
 * @param gradientCheckpointing under autograd, keep only each decoder layer's input and recompute
 *     the layer in the backward pass ({@code train.gradient_checkpointing})
 * @param logitsChunkTokens compute the LM head, its log-softmax and the picked log-probs over at
 *     most this many tokens at a time, so that the (tokens, V) logits never exist for a whole batch;
 *     under autograd each chunk is recomputed in the backward pass; 0 = one piece;
 *     {@link #AUTO} = chunks of {@value #DEFAULT_LOGITS_CHUNK_TOKENS} tokens, only for a batch whose
 *     logits would reach {@value #AUTO_MIN_LOGITS_MIB} MiB ({@code train.logits_chunk_tokens})
 */
public record MemoryOptions(boolean gradientCheckpointing, int logitsChunkTokens) {

    /**
     * The default chunk: 1024 tokens. At Qwen's V = 151,936 one chunk's float32 logits are 0.6 GB
     * instead of 2.5 GB per 4 x 1024 batch, and a batch of at most 1024 tokens (the tiny and demo
     * runs) takes the unchunked path unchanged; under autograd a chunked head costs one more
     * forward of the head matmul.
     */
    public static final int DEFAULT_LOGITS_CHUNK_TOKENS = 1024;

    /**
     * {@code train.logits_chunk_tokens: auto} (the default): chunk only where it pays. A batch whose
     * float32 logits stay below {@value #AUTO_MIN_LOGITS_MIB} MiB (every tiny-model and demo run,
     * whose vocabularies are a few hundred tokens) takes the one-piece path, so its numbers are
     * exactly those of a run without the switch; a real vocabulary (32k-152k) chunks from 512-2,048
     * tokens a batch. An explicit chunk size always applies.
     */
    public static final int AUTO = -1;

    /** The logits size from which {@link #AUTO} chunks. */
    public static final int AUTO_MIN_LOGITS_MIB = 256;

    /** No checkpointing, automatic chunking: what scoring outside a training run uses. */
    public static final MemoryOptions DEFAULTS = new MemoryOptions(false, AUTO);

    public MemoryOptions {
        if (logitsChunkTokens < AUTO) {
            throw new IllegalArgumentException("logits chunk must be >= 0 tokens (0 = off) or AUTO, got "
                    + logitsChunkTokens);
        }
    }

    /** The chunk size in tokens when chunking: the configured one, or the default for {@link #AUTO}. */
    public int chunkTokens() {
        return logitsChunkTokens == AUTO ? DEFAULT_LOGITS_CHUNK_TOKENS : logitsChunkTokens;
    }

    /** Whether {@code tokens} positions over a vocabulary of {@code vocab} are scored in more than one chunk. */
    public boolean chunks(long tokens, long vocab) {
        if (logitsChunkTokens == AUTO) {
            return tokens > DEFAULT_LOGITS_CHUNK_TOKENS && tokens * vocab * 4 >= ((long) AUTO_MIN_LOGITS_MIB << 20);
        }
        return logitsChunkTokens > 0 && tokens > logitsChunkTokens;
    }
}
