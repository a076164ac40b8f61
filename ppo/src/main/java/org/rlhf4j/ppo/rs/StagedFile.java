package org.rlhf4j.ppo.rs;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A text file written line by line under a temporary name next to its target and renamed onto it
 * by {@link #commit}, so a reader never sees half of it; closing without committing deletes the
 * temporary file.
 */
final class StagedFile implements AutoCloseable {

    private final Path target;
    private final Path temp;
    private final BufferedWriter writer;
    private boolean committed;

    StagedFile(Path target) throws IOException {
        this.target = target;
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        this.temp = Files.createTempFile(parent, "." + target.getFileName() + ".", ".tmp");
        this.writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8);
    }

    /** Appends {@code line} and a newline. */
    void line(String line) throws IOException {
        writer.write(line);
        writer.write('\n');
    }

    /** Flushes to disk and renames the file onto its target. */
    void commit() throws IOException {
        writer.close();
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        committed = true;
    }

    @Override
    public void close() throws IOException {
        if (!committed) {
            writer.close();
            Files.deleteIfExists(temp);
        }
    }
}
