package org.rlhf4j.core.tokenizer;

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
    private final LossyUtf8Decoder utf8 = new LossyUtf8Decoder();
    private final StringBuilder out = new StringBuilder();

    ByteStreamingDecoder(boolean skipSpecialTokens) {
        this.skipSpecialTokens = skipSpecialTokens;
    }

    @Override
    public String push(int id) {
        out.setLength(0);
        if (id >= 0 && id < ByteTokenizer.BYTE_COUNT) {
            utf8.accept(id, out);
            return out.toString();
        }
        String special = ByteTokenizer.specialText(id);
        if (special != null && !skipSpecialTokens) {
            utf8.finish(out);
            out.append(special);
        }
        return out.toString();
    }

    @Override
    public String finish() {
        out.setLength(0);
        utf8.finish(out);
        return out.toString();
    }
}
