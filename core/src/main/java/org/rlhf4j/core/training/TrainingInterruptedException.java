package org.rlhf4j.core.training;

import org.rlhf4j.core.config.UserException;

/**
 * A run stopped by SIGTERM or SIGINT after saving a checkpoint; rerunning the same command
 * resumes from it. The CLI prints the message as one line and exits with {@link #exitCode()}.
 */
public final class TrainingInterruptedException extends UserException {

    private final int exitCode;

    TrainingInterruptedException(String signal, int exitCode, int step, java.nio.file.Path checkpoint) {
        super("stopped by SIG" + signal + ": saved step " + step + " (" + checkpoint
                + "), rerun the same command to resume");
        this.exitCode = exitCode;
    }

    /** 143 after SIGTERM, 130 after SIGINT (128 + the signal's number, as a shell reports it). */
    public int exitCode() {
        return exitCode;
    }
}
