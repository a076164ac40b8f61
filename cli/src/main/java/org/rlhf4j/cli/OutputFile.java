package org.rlhf4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.rlhf4j.core.config.UserException;

/** Checks an {@code --out FILE} before a command spends minutes producing what goes into it. */
final class OutputFile {

    private OutputFile() {}

    /**
     * Refuses {@code out} (given as {@code flag}) when its directory does not exist or it is a
     * directory itself; null (standard output) passes.
     */
    static void requireWritable(String flag, Path out) {
        if (out == null) {
            return;
        }
        if (Files.isDirectory(out)) {
            throw new UserException(flag + " " + out + ": is a directory; expected a file name");
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UserException(flag + " " + out + ": the directory " + parent + " does not exist; create it"
                    + " first (mkdir -p " + parent + ")");
        }
    }
}
