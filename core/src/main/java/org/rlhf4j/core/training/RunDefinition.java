package org.rlhf4j.core.training;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.io.ModelDirectory;

/**
 * What defines a run, recorded in every checkpoint ({@code run_definition.json}) and compared on
 * resume: the resolved config without the keys that are {@link #SAFE_TO_CHANGE safe to change},
 * the SHA-256 of each data file, and the starting model (its path, the SHA-256 of its
 * {@code config.json} and the sizes of its weight files; hashing the weights themselves would
 * cost minutes on large models).
 *
 * @param values dotted key (e.g. {@code train.batch_size}, {@code data file 1 sha256}) to its
 *     value as text
 */
public record RunDefinition(Map<String, String> values) {

    /** The file name inside a checkpoint directory. */
    public static final String FILE_NAME = "run_definition.json";

    /**
     * Config keys a resume may change: cadence, length and schedule (noted on resume), where the
     * outputs and the device are, the switches of this check and the divergence guard, and the memory
     * switches (they change no result beyond float rounding). The
     * data files and the starting model are compared by content instead of by path.
     */
    public static final Set<String> SAFE_TO_CHANGE = Set.of("train.max_steps", "train.epochs", "train.log_every",
            "train.eval_every", "train.save_every", "train.save_total_limit", "train.lr", "train.schedule",
            "train.warmup_steps", "train.max_nonfinite_steps", "train.max_loss_spike", "train.force_resume",
            "train.gradient_checkpointing", "train.logits_chunk_tokens", "output_dir", "device", "model",
            "data.train", "data.eval");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public RunDefinition {
        values = Map.copyOf(values);
    }

    /** The definition of a run of {@code config} over {@code dataFiles}, hashing each once. */
    public static RunDefinition of(StageConfig config, List<Path> dataFiles) throws IOException {
        Map<String, String> values = new TreeMap<>();
        flatten("", ConfigLoader.toTree(config), values);
        values.keySet().removeIf(key -> SAFE_TO_CHANGE.contains(key) || SAFE_TO_CHANGE.stream()
                .anyMatch(safe -> key.startsWith(safe + ".")));
        for (int i = 0; i < dataFiles.size(); i++) {
            Path file = dataFiles.get(i);
            values.put("data file " + (i + 1) + " sha256",
                    Files.isRegularFile(file) ? RunDirectory.sha256(file) : "missing (" + file + ")");
        }
        Path model = config.modelPath().toAbsolutePath().normalize();
        values.put("starting model path", model.toString());
        Path modelConfig = model.resolve(ModelDirectory.CONFIG_FILE);
        values.put("starting model config.json sha256",
                Files.isRegularFile(modelConfig) ? RunDirectory.sha256(modelConfig) : "missing");
        values.put("starting model weight bytes", Long.toString(weightBytes(model)));
        return new RunDefinition(values);
    }

    /** Writes {@link #FILE_NAME} into {@code dir}. */
    public void write(Path dir) throws IOException {
        Files.writeString(dir.resolve(FILE_NAME), JSON.writeValueAsString(new TreeMap<>(values)) + "\n");
    }

    /** The definition {@code checkpoint} recorded; empty for a checkpoint written before the record existed. */
    public static Optional<RunDefinition> read(Path checkpoint) throws IOException {
        Path file = checkpoint.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RunDefinition(JSON.readValue(file.toFile(), new TypeReference<Map<String, String>>() {})));
        } catch (IOException e) {
            throw new IOException(file + ": not a valid run definition: " + e.getMessage(), e);
        }
    }

    /** Each item that differs from {@code saved}, as {@code key: saved -> now}, in key order. */
    public List<String> differences(RunDefinition saved) {
        Set<String> keys = new TreeSet<>(values.keySet());
        keys.addAll(saved.values.keySet());
        List<String> out = new ArrayList<>();
        for (String key : keys) {
            String was = saved.values.getOrDefault(key, "(absent)");
            String now = values.getOrDefault(key, "(absent)");
            if (!was.equals(now)) {
                out.add(key + ": " + was + " -> " + now);
            }
        }
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            out.put(prefix, node.isTextual() ? node.asText() : node.toString());
        }
    }

    private static long weightBytes(Path model) throws IOException {
        if (!Files.isDirectory(model)) {
            return 0;
        }
        long total = 0;
        try (Stream<Path> files = Files.list(model)) {
            for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".safetensors"))::iterator) {
                total += Files.size(f);
            }
        }
        return total;
    }
}
