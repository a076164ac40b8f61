package org.rlhf4j.core.tokenizer;

/**
 * GPT-2's byte-to-character table ({@code bytes_to_unicode}), by which byte-level BPE vocabularies
 * spell each byte as one printable character.
 *
 * <p>Printable Latin-1 bytes ({@code !}..{@code ~}, {@code ¡}..{@code ¬}, {@code ®}..{@code ÿ}) stand
 * for themselves; the other 68 bytes, in increasing order, take the characters U+0100, U+0101, ...
 * (so space is {@code Ġ} U+0120 and newline {@code Ċ} U+010A).
 */
final class ByteLevelAlphabet {

    private static final char[] CHAR_OF_BYTE = new char[256];

    static {
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            CHAR_OF_BYTE[b] = printable ? (char) b : (char) next++;
        }
    }

    private ByteLevelAlphabet() {}

    /** Returns the character that spells byte {@code b} (0..255). */
    static char charOf(int b) {
        return CHAR_OF_BYTE[b];
    }

    /** Returns the byte (0..255) that character {@code c} spells, or -1 if it spells none. */
    static int byteOf(char c) {
        if (c < 256) {
            return CHAR_OF_BYTE[c] == c ? c : -1;
        }
        for (int b = 0; b < 256; b++) {
            if (CHAR_OF_BYTE[b] == c) {
                return b;
            }
        }
        return -1;
    }
}
