package org.rlhf4j.core.tokenizer;

/**
 * Incremental detokenization for streaming generation: ids go in one at a time, finished text comes
 * out.
 *
 * <p>Text is held back while it could still change, for example while the bytes of a multi-byte
 * character are arriving one token at a time. Instances keep per-sequence state and are not
 * thread-safe: use one per generated sequence.
 */
public interface StreamingDecoder {

    /** Adds the next id and returns the text it completes, possibly empty. */
    String push(int id);

    /**
     * Ends the sequence: returns the text still held back (an incomplete character becomes U+FFFD)
     * and resets the decoder for a new sequence.
     */
    String finish();
}
