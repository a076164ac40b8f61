package org.rlhf4j.core.config;

/**
 * An error the user can fix, or an expected outcome of a run, whose message says everything: a bad
 * config key, data record, model directory, template or command-line value (naming the file, line
 * or key and what is expected), a diverged or interrupted run. The CLI prints these as one line
 * without a stack trace; every other exception is treated as a bug in rlhf4j and printed with its
 * trace.
 *
 * <p>Precondition checks inside the library (a method called with arguments no user input can
 * produce) throw {@link IllegalArgumentException} or {@link IllegalStateException}, not this type,
 * so that a bug is never shown as if the user were at fault.
 */
public class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
