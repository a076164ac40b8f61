package org.rlhf4j.core.training;

import org.rlhf4j.core.config.UserException;

/**
 * A run stopped because training diverged: too many consecutive non-finite steps, or non-finite
 * weights about to be saved. The message says what happened and which checkpoint still holds
 * finite weights; the CLI prints it as one line and exits with {@link #EXIT_CODE}.
 */
public final class TrainingDivergedException extends UserException {

    /** The exit code of a command whose run diverged. */
    public static final int EXIT_CODE = 3;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
