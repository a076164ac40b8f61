package org.rlhf4j.dpo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.io.ModelDirectory;
import org.rlhf4j.core.training.RunDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The precomputed reference log-probs of a run, {@code OUTPUT_DIR/reference_logps.json}: one
 * float per response of every train and eval pair, under a key that changes whenever what
 * they were computed from changes: the reference model's weight files and {@code config.json}
 * (SHA-256 of their bytes), the compute dtype, and the tokenized pairs after fitting (their
 * order, prompt and response ids). A resumed run or a rerun on unchanged data and reference
 * finds the key and skips the reference pass; anything else recomputes and overwrites.
 */
public final class ReferenceCache {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceCache.class);

    /** The cache file's name inside the output directory. */
    public static final String FILE_NAME = "reference_logps.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceCache() {}

    /** The cache key of {@code pairs} scored by the model in {@code referenceDir} in {@code dtype}. */
    public static String key(Path referenceDir, String dtype, List<DpoPair> pairs) throws IOException {
        MessageDigest digest = sha256();
        for (Path file : modelFiles(referenceDir)) {
            digest.update((file.getFileName() + "=" + RunDirectory.sha256(file) + ";").getBytes(StandardCharsets.UTF_8));
        }
        digest.update(("dtype=" + dtype + ";pairs=" + pairs.size() + ";").getBytes(StandardCharsets.UTF_8));
        for (DpoPair p : pairs) {
            update(digest, p.index());
            for (int[] ids : new int[][] {p.prompt(), p.chosen(), p.rejected()}) {
                update(digest, ids.length);
                for (int id : ids) {
                    update(digest, id);
                }
            }
            boolean[][] masks = {p.chosenScored(), p.rejectedScored()};
            for (int side = 0; side < 2; side++) {
                boolean[] scored = masks[side];
                if (scored != null) { // which tokens count changes the log-probs; one-turn keys stay as they were
                    update(digest, -2 * scored.length - side);
                    for (boolean b : scored) {
                        update(digest, b ? 1 : 0);
                    }
                }
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The table stored in {@code file} under {@code key}, or empty when absent, unreadable or stale. */
    public static Optional<ReferenceLogps> read(Path file, String key) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (!key.equals(root.path("key").asText())) {
                return Optional.empty();
            }
            return Optional.of(new ReferenceLogps(floats(root.get("chosen")), floats(root.get("rejected"))));
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring unreadable reference cache {} ({})", file, e.getMessage());
            return Optional.empty();
        }
    }

    /** Writes {@code table} under {@code key} atomically; {@code referenceDir} is recorded for people. */
    public static void write(Path file, String key, Path referenceDir, ReferenceLogps table) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("key", key);
        root.put("reference", referenceDir.toString());
        root.put("pairs", table.chosen().length);
        ArrayNode chosen = root.putArray("chosen");
        ArrayNode rejected = root.putArray("rejected");
        for (int i = 0; i < table.chosen().length; i++) {
            chosen.add(table.chosen()[i]);
            rejected.add(table.rejected()[i]);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFiles.writeString(file, JSON.writeValueAsString(root) + "\n");
    }

    /** {@code config.json} and every {@code *.safetensors} file of a model directory, sorted by name. */
    static List<Path> modelFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(dir.resolve(ModelDirectory.CONFIG_FILE));
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().forEach(files::add);
        }
        if (files.size() == 1) {
            throw new IOException(dir + ": no .safetensors weights to key the reference cache by");
        }
        return files;
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    private static void update(MessageDigest digest, int value) {
        digest.update(ByteBuffer.allocate(4).putInt(value).array());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
