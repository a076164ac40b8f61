package org.rlhf4j.datasets.io;

import org.rlhf4j.core.config.UserException;

/**
 * A malformed data record; the message reads {@code FILE:LINE: what is wrong; what is expected}.
 * A {@link UserException}: the CLI shows it as one line, without a stack trace.
 */
public final class BadRecordException extends UserException {
    private static final long serialVersionUID = 1L;

    public BadRecordException(String message) {
        super(message);
    }
}
