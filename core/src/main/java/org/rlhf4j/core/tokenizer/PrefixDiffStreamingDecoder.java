package org.rlhf4j.core.tokenizer;

import java.util.Arrays;

/**
 * Streams text from any tokenizer by decoding a short window of recent ids twice, with and without
 * the newest ones, and emitting the difference once it no longer ends in U+FFFD.
 *
 * <p>Decoding a window that starts a few tokens back, rather than the new ids alone, keeps the
 * spacing that decoders such as SentencePiece's derive from the previous token; waiting while the
 * text ends in U+FFFD holds back a character whose bytes are split over several tokens. This is the
 * scheme of Hugging Face text-generation-inference.
 */
final class PrefixDiffStreamingDecoder implements StreamingDecoder {

    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] ids = new int[16];
    private int size;
    // ids[prefixStart, readStart) were already emitted and serve as context for the next diff
    private int prefixStart;
    private int readStart;

    PrefixDiffStreamingDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    @Override
    public String push(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String prefix = tokenizer.decode(Arrays.copyOfRange(ids, prefixStart, readStart), skipSpecialTokens);
        String window = tokenizer.decode(Arrays.copyOfRange(ids, prefixStart, size), skipSpecialTokens);
        if (window.length() > prefix.length() && !window.endsWith("\uFFFD")) {
            prefixStart = readStart;
            readStart = size;
            dropEmitted();
            return window.substring(prefix.length());
        }
        return "";
    }

    @Override
    public String finish() {
        String prefix = tokenizer.decode(Arrays.copyOfRange(ids, prefixStart, readStart), skipSpecialTokens);
        String window = tokenizer.decode(Arrays.copyOfRange(ids, prefixStart, size), skipSpecialTokens);
        size = 0;
        prefixStart = 0;
        readStart = 0;
        return window.length() > prefix.length() ? window.substring(prefix.length()) : "";
    }

    /** Forgets ids before the context window so that memory and decode cost stay constant. */
    private void dropEmitted() {
        if (prefixStart > 0) {
            System.arraycopy(ids, prefixStart, ids, 0, size - prefixStart);
            size -= prefixStart;
            readStart -= prefixStart;
            prefixStart = 0;
        }
    }
}
