package org.rlhf4j.core.tokenizer;

/**
 * The ids of a text and where each token came from in it: token {@code t} covers the UTF-16
 * characters {@code [starts[t], ends[t])} of the text. A token with no characters of its own
 * (for example a byte-fallback piece after the first of its character) has the range of the
 * character it belongs to.
 */
public record TokenOffsets(int[] ids, int[] starts, int[] ends) {

    public TokenOffsets {
        if (ids.length != starts.length || ids.length != ends.length) {
            throw new IllegalArgumentException("ids, starts and ends differ in length: " + ids.length + ", "
                    + starts.length + ", " + ends.length);
        }
    }
}
