package org.rlhf4j.datasets.format;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.rlhf4j.core.config.UserException;

/**
 * The files a {@code data.train} or {@code data.eval} value names: one file, a directory of shards
 * (its data files in name order), or several of these joined by {@code File.pathSeparator}
 * ({@code :}), which is how a YAML list of paths is kept.
 */
public final class DataFiles {

    /** The separator of several paths in one value (a YAML list is joined with it). */
    public static final String SEPARATOR = File.pathSeparator;
    private static final List<String> SUFFIXES = List.of(".jsonl", ".json", ".txt", ".jsonl.gz", ".json.gz", ".txt.gz");

    private DataFiles() {}

    /**
     * The files of {@code value}, directories expanded.
     *
     * @throws IllegalArgumentException naming {@code key} for a directory with no data files
     */
    public static List<Path> expand(String value, String key) {
        List<Path> out = new ArrayList<>();
        for (String part : value.split(SEPARATOR)) {
            if (part.isBlank()) {
                continue;
            }
            Path path = Path.of(part.strip());
            if (!Files.isDirectory(path)) {
                out.add(path);
                continue;
            }
            List<Path> shards = shards(path);
            if (shards.isEmpty()) {
                throw new UserException(key + ": " + path + " is a directory with no data files (names ending"
                        + " in " + String.join(", ", SUFFIXES) + "); expected a data file or a directory of shards");
            }
            out.addAll(shards);
        }
        return out;
    }

    /** The data files directly in {@code dir}, in name order; hidden files are left out. */
    private static List<Path> shards(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> SUFFIXES.stream().anyMatch(s -> p.getFileName().toString().toLowerCase(Locale.ROOT)
                            .endsWith(s)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UserException(dir + ": cannot list the directory (" + e.getMessage() + ")", e);
        }
    }

    /** Whether {@code file} is plain text ({@code .txt}, {@code .txt.gz}) rather than JSON. */
    public static boolean isPlainText(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".txt") || name.endsWith(".txt.gz");
    }

    /** Opens {@code file}, decompressing it when its name ends in {@code .gz}. */
    public static InputStream open(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory; expected a data file (JSONL, a JSON array, or .txt for"
                    + " pretraining)");
        }
        InputStream in = Files.newInputStream(file);
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz")) {
            try {
                return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
            } catch (IOException e) {
                in.close();
                throw new IOException(file + ": not a gzip file (" + e.getMessage() + "); expected gzipped JSONL or"
                        + " JSON because the name ends in .gz", e);
            }
        }
        return new BufferedInputStream(in, 1 << 16);
    }
}
