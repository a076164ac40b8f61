package org.rlhf4j.datasets.io;

/**
 * A malformed data record; the message reads {@code FILE:LINE: what is wrong; what is expected}.
 * It is an {@link IllegalArgumentException} so that the CLI shows it as one line of user error.
 */
public final class BadRecordException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public BadRecordException(String message) {
        super(message);
    }
}
