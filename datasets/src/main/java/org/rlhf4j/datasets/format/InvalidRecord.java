package org.rlhf4j.datasets.format;

/**
 * A record that is not valid in its format; the message says "what is wrong; what is expected"
 * and the reader prefixes {@code FILE:LINE} (or {@code FILE:[INDEX]} in a JSON array).
 */
public final class InvalidRecord extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidRecord(String message) {
        super(message);
    }
}
