package org.rlhf4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.training.TrainingDivergedException;
import org.rlhf4j.core.training.TrainingInterruptedException;

/**
 * Tells errors the user can fix (shown as one line) from bugs in rlhf4j (shown with their stack
 * trace): a {@link UserException} names the file, line or key at fault, and an I/O error names the
 * path the environment refused (missing file, permissions, a full disk). Anything else, such as an
 * {@link IllegalArgumentException} from a precondition inside the library or a
 * {@link NullPointerException}, is a bug.
 */
final class UserErrors {

    /** The exit code of a command that failed on a bug in rlhf4j (sysexits' EX_SOFTWARE). */
    static final int BUG_EXIT_CODE = 70;

    private UserErrors() {}

    static boolean isUserError(Throwable e) {
        return e instanceof UserException || e instanceof IOException || e instanceof UncheckedIOException;
    }

    /**
     * The exit code of a command that ended with {@code e}: 143/130 for a run stopped by
     * SIGTERM/SIGINT after its checkpoint, 3 for a diverged run, 1 for another user error, 70 for a
     * bug.
     */
    static int exitCode(Throwable e) {
        if (e instanceof TrainingInterruptedException stopped) {
            return stopped.exitCode();
        }
        if (e instanceof TrainingDivergedException) {
            return TrainingDivergedException.EXIT_CODE;
        }
        return isUserError(e) ? 1 : BUG_EXIT_CODE;
    }

    static String describe(Throwable e) {
        if (e instanceof NoSuchFileException n) {
            return n.getFile() + ": " + (n.getReason() != null ? n.getReason() : "no such file or directory");
        }
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            return describe(u.getCause());
        }
        String message = e.getMessage();
        if (!isUserError(e)) {
            return "internal error, a bug in rlhf4j (please report it with the stack trace below): " + e;
        }
        return message == null || message.isBlank() ? e.toString() : message;
    }
}
