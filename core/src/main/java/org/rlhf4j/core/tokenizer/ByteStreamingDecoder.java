package org.rlhf4j.core.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Streams text from {@link ByteTokenizer} ids by feeding their bytes to a UTF-8 decoder that holds
 * back an incomplete trailing character until its last byte arrives.
 *
 * <p>It follows {@link ByteTokenizer#decode(int[], boolean)} exactly: a special token that is
 * written out ends the byte run before it (an unfinished character there becomes U+FFFD), a skipped
 * one does not, and unknown ids are ignored.
 */
final class ByteStreamingDecoder implements StreamingDecoder {

    private final boolean skipSpecialTokens;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    // at most one incomplete character (3 bytes) plus the new byte are ever pending
    private final ByteBuffer pending = ByteBuffer.allocate(8);
    private final CharBuffer out = CharBuffer.allocate(16);

    ByteStreamingDecoder(boolean skipSpecialTokens) {
        this.skipSpecialTokens = skipSpecialTokens;
    }

    @Override
    public String push(int id) {
        if (id >= 0 && id < ByteTokenizer.BYTE_COUNT) {
            pending.put((byte) id);
            return drain(false);
        }
        String special = ByteTokenizer.specialText(id);
        if (special == null || skipSpecialTokens) {
            return "";
        }
        return drain(true) + special;
    }

    @Override
    public String finish() {
        return drain(true);
    }

    /** Decodes the pending bytes; at the end of a byte run an unfinished character becomes U+FFFD. */
    private String drain(boolean endOfRun) {
        pending.flip();
        out.clear();
        utf8.decode(pending, out, endOfRun);
        if (endOfRun) {
            utf8.flush(out);
            utf8.reset();
        }
        pending.compact();
        out.flip();
        return out.toString();
    }
}
