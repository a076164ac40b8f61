package org.rlhf4j.core.training;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock file {@code OUTPUT_DIR/run.lock} that keeps a second run out of an output directory
 * while one trains there: it records the holder's pid, host and start time. A lock left by a
 * process that no longer runs on this host (killed with {@code kill -9}, a crashed JVM) is stale
 * and taken over with a note; a live one, or one from another host, refuses the run naming the
 * holder. Closing releases it.
 */
public final class RunLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);

    /** The lock file's name inside the output directory. */
    public static final String FILE_NAME = "run.lock";

    private static final String HOST = host(); // looked up once: the lookup can be slow

    private final Path file;
    private final long pid;

    private RunLock(Path file, long pid) {
        this.file = file;
        this.pid = pid;
    }

    /**
     * Takes the lock of {@code outputDir} (creating the directory).
     *
     * @throws IOException naming the holder's pid and host when another live run holds it
     */
    public static RunLock acquire(Path outputDir) throws IOException {
        if (Files.exists(outputDir) && !Files.isDirectory(outputDir)) {
            throw new IOException(outputDir + " (output_dir) is a file, not a directory; give a directory path");
        }
        Files.createDirectories(outputDir);
        Path file = outputDir.resolve(FILE_NAME);
        long pid = ProcessHandle.current().pid();
        Properties mine = new Properties();
        mine.setProperty("pid", Long.toString(pid));
        mine.setProperty("host", HOST);
        mine.setProperty("started", Instant.now().toString());
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Files.writeString(file, text(mine), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                return new RunLock(file, pid);
            } catch (FileAlreadyExistsException held) {
                Properties holder = read(file);
                if (holder == null) {
                    continue; // released between the two calls
                }
                String stale = staleReason(holder);
                if (stale == null) {
                    throw new IOException(outputDir + " (output_dir) is in use by process " + holder.getProperty("pid")
                            + " on " + holder.getProperty("host") + " since " + holder.getProperty("started")
                            + " (lock file " + file + "); wait for that run to end or use another output_dir;"
                            + " delete the lock file only if that process is gone");
                }
                LOG.warn("taking over the stale lock {} of process {} on {} ({})", file,
                        holder.getProperty("pid"), holder.getProperty("host"), stale);
                Files.deleteIfExists(file);
            }
        }
        throw new IOException(outputDir + " (output_dir): another run took the lock " + file + " at the same time");
    }

    /** Why the holder is gone, or null when it may still run (or runs on another host). */
    private static String staleReason(Properties holder) {
        if (!HOST.equals(holder.getProperty("host"))) {
            return null; // its processes cannot be seen from here
        }
        long pid;
        try {
            pid = Long.parseLong(holder.getProperty("pid", ""));
        } catch (NumberFormatException e) {
            return "the lock file names no pid";
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return "no longer running";
        }
        // a pid reused by a process started after the lock was written is not the holder
        Optional<Instant> processStart = process.get().info().startInstant();
        String started = holder.getProperty("started");
        if (processStart.isPresent() && started != null) {
            try {
                if (processStart.get().isAfter(Instant.parse(started).plusSeconds(1))) {
                    return "pid reused by a later process";
                }
            } catch (java.time.format.DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    /** The lock file's properties, or null when it no longer exists. */
    private static Properties read(Path file) throws IOException {
        Properties p = new Properties();
        try {
            p.load(new java.io.StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return null;
        }
        return p;
    }

    private static String text(Properties p) {
        return "pid=" + p.getProperty("pid") + "\nhost=" + p.getProperty("host") + "\nstarted="
                + p.getProperty("started") + "\n";
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env != null ? env : "unknown-host";
        }
    }

    /** Deletes the lock file if it is still this process's. */
    @Override
    public void close() throws IOException {
        Properties holder = read(file);
        if (holder != null && Long.toString(pid).equals(holder.getProperty("pid"))) {
            Files.deleteIfExists(file);
        }
    }
}
