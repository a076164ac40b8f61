package org.rlhf4j.core.training;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14, item 2: one run per output directory; a dead run's lock does not block the next. */
class RunLockTest {

    @TempDir
    Path dir;

    @Test
    void aSecondRunIsRefusedNamingTheHolder() throws Exception {
        try (RunLock first = RunLock.acquire(dir)) {
            IOException e = assertThrows(IOException.class, () -> RunLock.acquire(dir));
            assertTrue(e.getMessage().contains("in use by process " + ProcessHandle.current().pid()), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve(RunLock.FILE_NAME)), "released on close");
        RunLock.acquire(dir).close(); // free again
    }

    @Test
    void aStaleLockOfADeadProcessIsTakenOver() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(dir.resolve(RunLock.FILE_NAME), "pid=" + gone.pid() + "\nhost="
                + InetAddress.getLocalHost().getHostName() + "\nstarted=2026-01-01T00:00:00Z\n");
        try (RunLock taken = RunLock.acquire(dir)) {
            assertTrue(Files.readString(dir.resolve(RunLock.FILE_NAME))
                    .contains("pid=" + ProcessHandle.current().pid()));
        }
    }

    @Test
    void anOutputDirThatIsAFileIsNamed() throws Exception {
        Path file = Files.writeString(dir.resolve("out"), "x");
        IOException e = assertThrows(IOException.class, () -> RunLock.acquire(file));
        assertTrue(e.getMessage().contains(file + " (output_dir) is a file"), e.getMessage());
    }
}
