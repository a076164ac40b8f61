package org.rlhf4j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.config.UserException;

/**
 * The weights of a Hugging Face model directory: one {@code model.safetensors}, or shards named
 * {@code model-00001-of-00003.safetensors} listed in {@code model.safetensors.index.json}.
 */
public final class ShardedCheckpoint {

    /** The single-file weights name. */
    public static final String SINGLE_FILE = "model.safetensors";
    /** The shard index name. */
    public static final String INDEX_FILE = "model.safetensors.index.json";
    /** transformers' default {@code max_shard_size} ("5GB", decimal). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    private ShardedCheckpoint() {}

    /** Whether {@code dir} holds safetensors weights in either layout. */
    public static boolean isPresent(Path dir) {
        return Files.isRegularFile(dir.resolve(INDEX_FILE)) || Files.isRegularFile(dir.resolve(SINGLE_FILE));
    }

    /**
     * The header of the file that holds each tensor, in index (or file) order. The index wins
     * over a single file when both exist, as in transformers. Validates that every file the index
     * names exists, holds the tensors the index assigns to it, and holds no tensor the index does
     * not list.
     */
    public static LinkedHashMap<String, SafetensorsHeader> locate(Path dir) throws IOException {
        Path indexFile = dir.resolve(INDEX_FILE);
        LinkedHashMap<String, SafetensorsHeader> located = new LinkedHashMap<>();
        if (!Files.isRegularFile(indexFile)) {
            Path single = dir.resolve(SINGLE_FILE);
            if (!Files.isRegularFile(single)) {
                throw new IOException(dir + ": no " + SINGLE_FILE + " or " + INDEX_FILE);
            }
            SafetensorsHeader header = SafetensorsReader.header(single);
            header.tensors().keySet().forEach(name -> located.put(name, header));
            return located;
        }
        ShardIndex index = ShardIndex.read(indexFile);
        Map<String, SafetensorsHeader> headers = new LinkedHashMap<>();
        for (String shard : index.weightMap().values()) {
            if (!headers.containsKey(shard)) {
                Path file = dir.resolve(shard);
                if (!Files.isRegularFile(file)) {
                    throw new IOException(indexFile + ": shard '" + shard + "' does not exist (it should hold "
                            + tensorsIn(index, shard) + ")");
                }
                headers.put(shard, SafetensorsReader.header(file));
            }
        }
        for (Map.Entry<String, String> e : index.weightMap().entrySet()) {
            SafetensorsHeader header = headers.get(e.getValue());
            if (!header.tensors().containsKey(e.getKey())) {
                throw new IOException(indexFile + " lists tensor '" + e.getKey() + "' in " + header.file()
                        + ", but that file does not hold it");
            }
            located.put(e.getKey(), header);
        }
        for (SafetensorsHeader header : headers.values()) {
            for (String name : header.tensors().keySet()) {
                if (!header.file().getFileName().toString().equals(index.weightMap().get(name))) {
                    throw new IOException(header.file() + ": holds tensor '" + name + "', which " + indexFile
                            + " assigns to " + (index.weightMap().containsKey(name)
                                    ? "'" + index.weightMap().get(name) + "'" : "no file"));
                }
            }
        }
        return located;
    }

    /** Reads all weights of {@code dir} (single file or shards), floating ones as {@code target}. */
    public static LinkedHashMap<String, NDArray> read(Path dir, NDManager manager, DataType target)
            throws IOException {
        LinkedHashMap<String, SafetensorsHeader> located = locate(dir);
        return read(located, located.keySet(), manager, target);
    }

    /** Reads the named tensors from wherever {@link #locate} found them, in the order given. */
    public static LinkedHashMap<String, NDArray> read(Map<String, SafetensorsHeader> located,
            Collection<String> names, NDManager manager, DataType target) throws IOException {
        SafetensorsReader.requireComputeType(target);
        // One read per file keeps one channel open at a time; the result keeps the caller's order.
        Map<Path, SafetensorsHeader> headers = new LinkedHashMap<>();
        Map<Path, List<String>> byFile = new LinkedHashMap<>();
        for (String name : names) {
            SafetensorsHeader header = located.get(name);
            if (header == null) {
                throw new UserException("tensor '" + name + "' is in none of the checkpoint's files");
            }
            headers.put(header.file(), header);
            byFile.computeIfAbsent(header.file(), f -> new ArrayList<>()).add(name);
        }
        Map<String, NDArray> loaded = new LinkedHashMap<>();
        try {
            for (Map.Entry<Path, List<String>> e : byFile.entrySet()) {
                loaded.putAll(SafetensorsReader.read(headers.get(e.getKey()), e.getValue(), manager, target));
            }
        } catch (IOException | RuntimeException | Error e) {
            loaded.values().forEach(NDArray::close);
            throw e;
        }
        LinkedHashMap<String, NDArray> ordered = new LinkedHashMap<>();
        names.forEach(name -> ordered.put(name, loaded.get(name)));
        return ordered;
    }

    /**
     * Writes {@code tensors} into {@code dir} as {@code dtype}: one {@code model.safetensors} when
     * they fit in {@code maxShardBytes}, else shards filled greedily in map order (a tensor larger
     * than the limit gets a shard of its own, as in transformers) plus the index.
     *
     * @return the files written, index last
     */
    public static List<Path> write(Path dir, Map<String, NDArray> tensors, SaveDtype dtype, long maxShardBytes)
            throws IOException {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("max shard size must be positive, got " + maxShardBytes);
        }
        List<LinkedHashMap<String, NDArray>> shards = new ArrayList<>();
        LinkedHashMap<String, NDArray> current = new LinkedHashMap<>();
        long currentBytes = 0;
        long totalBytes = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            long bytes = SafetensorsWriter.byteSize(e.getValue().getShape().getShape(), dtype);
            if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new LinkedHashMap<>();
                currentBytes = 0;
            }
            current.put(e.getKey(), e.getValue());
            currentBytes += bytes;
            totalBytes += bytes;
        }
        shards.add(current);

        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        if (shards.size() == 1) {
            Path file = dir.resolve(SINGLE_FILE);
            SafetensorsWriter.write(file, shards.get(0), dtype);
            written.add(file);
            return written;
        }
        LinkedHashMap<String, String> weightMap = new LinkedHashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Path file = dir.resolve(name);
            SafetensorsWriter.write(file, shards.get(i), dtype);
            shards.get(i).keySet().forEach(tensor -> weightMap.put(tensor, name));
            written.add(file);
        }
        Path indexFile = dir.resolve(INDEX_FILE);
        AtomicFiles.writeString(indexFile, ShardIndex.of(totalBytes, weightMap).toJson());
        written.add(indexFile);
        return written;
    }

    private static String tensorsIn(ShardIndex index, String shard) {
        List<String> names = new ArrayList<>();
        index.weightMap().forEach((tensor, file) -> {
            if (file.equals(shard)) {
                names.add("'" + tensor + "'");
            }
        });
        return names.size() <= 3 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 3)) + " and " + (names.size() - 3) + " more";
    }
}
