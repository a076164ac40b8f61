package org.rlhf4j.datasets.io;

import java.nio.file.Path;

/**
 * One line of a data file, decoded, or the reason it could not be.
 *
 * @param file the file it comes from
 * @param number 1-based line number
 * @param text the decoded line without its line terminator, or null if it is not valid UTF-8
 * @param decodeError what is wrong with the line's bytes, or null if it decoded
 */
public record TextLine(Path file, int number, String text, String decodeError) {

    /** {@code FILE:LINE}, the prefix of every message about this line. */
    public String where() {
        return file + ":" + number;
    }

    public boolean decoded() {
        return decodeError == null;
    }
}
