package org.rlhf4j.core.tokenizer;

/**
 * A byte-at-a-time UTF-8 decoder that replaces each maximal invalid subpart with one U+FFFD, the rule
 * of Rust's {@code String::from_utf8_lossy} and the WHATWG Encoding standard.
 *
 * <p>Hugging Face's byte-level decoder uses {@code from_utf8_lossy}; Java's own UTF-8 decoder counts
 * replacements differently (one U+FFFD for an encoded surrogate {@code ED A0 80}, where Rust writes
 * three), so the byte tokenizer decodes with this class to match the Hugging Face library exactly.
 * It holds at most one incomplete character, which makes it the core of streaming decoding too.
 * Instances are mutable and not thread-safe.
 */
final class LossyUtf8Decoder {

    private int codePoint;
    private int bytesNeeded;
    private int bytesSeen;
    // the range the next continuation byte must fall in (narrower after E0, ED, F0 and F4)
    private int lowerBoundary = 0x80;
    private int upperBoundary = 0xBF;

    /** Feeds one byte (0..255), appending any character it completes or rejects to {@code out}. */
    void accept(int b, StringBuilder out) {
        if (bytesNeeded == 0) {
            start(b, out);
            return;
        }
        if (b < lowerBoundary || b > upperBoundary) {
            // the bytes so far are a maximal invalid subpart; b may start something valid
            reset();
            out.append('\uFFFD');
            start(b, out);
            return;
        }
        lowerBoundary = 0x80;
        upperBoundary = 0xBF;
        codePoint = (codePoint << 6) | (b & 0x3F);
        if (++bytesSeen == bytesNeeded) {
            out.appendCodePoint(codePoint);
            reset();
        }
    }

    /** Ends the byte run: an incomplete character becomes one U+FFFD. */
    void finish(StringBuilder out) {
        if (bytesNeeded != 0) {
            out.append('\uFFFD');
            reset();
        }
    }

    private void start(int b, StringBuilder out) {
        if (b <= 0x7F) {
            out.append((char) b);
        } else if (b >= 0xC2 && b <= 0xDF) {
            bytesNeeded = 1;
            codePoint = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
            lowerBoundary = b == 0xE0 ? 0xA0 : 0x80; // no overlong forms
            upperBoundary = b == 0xED ? 0x9F : 0xBF; // no surrogates
            bytesNeeded = 2;
            codePoint = b & 0x0F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            lowerBoundary = b == 0xF0 ? 0x90 : 0x80; // no overlong forms
            upperBoundary = b == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
            bytesNeeded = 3;
            codePoint = b & 0x07;
        } else {
            out.append('\uFFFD');
        }
    }

    private void reset() {
        codePoint = 0;
        bytesNeeded = 0;
        bytesSeen = 0;
        lowerBoundary = 0x80;
        upperBoundary = 0xBF;
    }
}
