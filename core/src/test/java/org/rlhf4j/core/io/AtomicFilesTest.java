package org.rlhf4j.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files appear under their name complete or not at all. */
class AtomicFilesTest {

    @TempDir
    Path dir;

    private List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void replacesContentAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("config.json");
        AtomicFiles.writeString(file, "first");
        AtomicFiles.writeString(file, "second");
        assertEquals("second", Files.readString(file));
        assertEquals(List.of("config.json"), entries());
    }

    @Test
    void failedWriteKeepsTheOldFile() throws IOException {
        Path file = dir.resolve("config.json");
        AtomicFiles.writeString(file, "old");
        assertThrows(IOException.class, () -> AtomicFiles.write(file, temp -> {
            Files.writeString(temp, "half of the new");
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(file));
        assertEquals(List.of("config.json"), entries());
    }

    @Test
    void replaceDirectoryRefusesToReplaceAFile() throws IOException {
        Path target = Files.writeString(dir.resolve("model"), "not a directory");
        Path staged = AtomicFiles.createStagingDirectory(target);
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.replaceDirectory(staged, target));
        assertEquals(target + " exists and is not a directory; refusing to replace it", e.getMessage());
        assertEquals("not a directory", Files.readString(target));
    }
}
