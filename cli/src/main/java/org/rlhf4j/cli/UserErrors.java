package org.rlhf4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.training.TrainingDivergedException;
import org.rlhf4j.core.training.TrainingInterruptedException;

/** Tells errors caused by the user's input (shown as one line) from bugs (shown with a hint). */
final class UserErrors {

    private UserErrors() {}

    static boolean isUserError(Throwable e) {
        return e instanceof ConfigException || e instanceof IOException || e instanceof UncheckedIOException
                || e instanceof IllegalArgumentException || e instanceof TrainingDivergedException
                || e instanceof TrainingInterruptedException;
    }

    /**
     * The exit code of a command that ended with {@code e}: 143/130 for a run stopped by
     * SIGTERM/SIGINT after its checkpoint, 3 for a diverged run, else 1.
     */
    static int exitCode(Throwable e) {
        if (e instanceof TrainingInterruptedException stopped) {
            return stopped.exitCode();
        }
        return e instanceof TrainingDivergedException ? TrainingDivergedException.EXIT_CODE : 1;
    }

    static String describe(Throwable e) {
        if (e instanceof NoSuchFileException n) {
            return n.getFile() + ": no such file or directory";
        }
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            return describe(u.getCause());
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.toString() : message;
    }
}
