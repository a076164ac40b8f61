package org.rlhf4j.core.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes files and directories so that their final name only ever holds complete content: the
 * content goes to a hidden sibling first and is renamed into place. A crash can leave a
 * {@code .NAME.tmp-*} sibling behind, never a half-written {@code NAME}.
 */
public final class AtomicFiles {

    /** {@code .NAME.tmp-*} or {@code .NAME.old-*}, as {@link #sibling} names them. */
    private static final Pattern LEFTOVER = Pattern.compile("\\.(.+)\\.(tmp|old)-[^.]+");

    private AtomicFiles() {}

    /** Writes UTF-8 text to {@code target} through a temporary sibling and a rename. */
    public static void writeString(Path target, String text) throws IOException {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes bytes to {@code target} through a temporary sibling and a rename. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, temp -> Files.write(temp, bytes));
    }

    /**
     * Lets {@code writer} fill a temporary sibling of {@code target}, flushes it to disk and renames
     * it over {@code target}; if the writer throws, the temporary file is deleted and
     * {@code target} is left as it was.
     */
    public static void write(Path target, IoConsumer<Path> writer) throws IOException {
        Path temp = sibling(target, "tmp");
        try {
            writer.accept(temp);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            move(temp, target);
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(temp, e);
            throw e;
        }
    }

    /**
     * A fresh, empty directory next to {@code target} (same file system, so it can be renamed onto
     * it), named {@code .NAME.tmp-UUID}.
     */
    public static Path createStagingDirectory(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        return Files.createDirectory(sibling(target.toAbsolutePath(), "tmp"));
    }

    /**
     * Puts the finished directory {@code staged} under the name {@code target}. An existing
     * {@code target} is first renamed aside, then {@code staged} is renamed in, then the old
     * directory is deleted; if the second rename fails the old directory is put back.
     */
    public static void replaceDirectory(Path staged, Path target) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            move(staged, target);
            return;
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(target + " exists and is not a directory; refusing to replace it");
        }
        Path old = sibling(target.toAbsolutePath(), "old");
        move(target, old);
        try {
            move(staged, target);
        } catch (IOException | RuntimeException e) {
            try {
                move(old, target);
            } catch (IOException restore) {
                e.addSuppressed(restore);
            }
            throw e;
        }
        deleteRecursively(old);
    }

    /** Deletes a file or a directory tree; a missing path is not an error. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Deletes the {@code .NAME.tmp-*} siblings that writes interrupted by a crash left in
     * {@code dir}, and {@code .NAME.old-*} ones whose {@code NAME} exists again; the caller must
     * know that no write into {@code dir} is under way. A missing {@code dir} is not an error.
     */
    public static void removeLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                Matcher m = LEFTOVER.matcher(entry.getFileName().toString());
                // an .old copy is the only one when the crash came between the two renames
                if (m.matches() && (m.group(2).equals("tmp") || Files.exists(dir.resolve(m.group(1))))) {
                    leftovers.add(entry);
                }
            }
        }
        for (Path leftover : leftovers) {
            deleteRecursively(leftover);
        }
    }

    /** Deletes a path after a failure, recording any problem on the original exception. */
    public static void deleteQuietly(Path path, Throwable failure) {
        try {
            deleteRecursively(path);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** A hidden, unique sibling name such as {@code .model.safetensors.tmp-1b2c...}. */
    private static Path sibling(Path target, String kind) {
        return target.resolveSibling("." + target.getFileName() + "." + kind + "-" + UUID.randomUUID());
    }

    /** An atomic rename (falling back to a plain one only where the file system cannot do atomic). */
    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
