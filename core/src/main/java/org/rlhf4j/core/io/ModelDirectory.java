package org.rlhf4j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.WeightLayout;

/**
 * Loads and saves Hugging Face model directories: {@code config.json}, {@code model.safetensors}
 * (or shards and {@code model.safetensors.index.json}), {@code generation_config.json}, plus
 * whatever else the caller adds (tokenizer files).
 *
 * <p>Loading checks the weights against {@link WeightLayout#expectedShapes} before reading any
 * tensor data. Saving builds the whole directory under a hidden sibling name and renames it into
 * place, so the final name never holds a half-written model.
 */
public final class ModelDirectory {

    /** The model config's file name. */
    public static final String CONFIG_FILE = "config.json";
    private static final ObjectMapper VERSIONED = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Buffers transformers saved in older versions; they are recomputed from the config. */
    private static final Pattern ROTARY_INV_FREQ =
            Pattern.compile("model\\.layers\\.\\d+\\.self_attn\\.rotary_emb\\.inv_freq");
    private static final int MAX_REPORTED_PROBLEMS = 10;

    private ModelDirectory() {}

    /**
     * Reads a model directory with floating weights converted to {@code computeDtype} (FLOAT32, or
     * FLOAT16 where it is known to work). Errors name the directory or file, the tensor and what
     * was expected.
     */
    public static Checkpoint load(Path dir, NDManager manager, DataType computeDtype) throws IOException {
        SafetensorsReader.requireComputeType(computeDtype);
        requireModelDirectory(dir);
        LlamaConfig config = LlamaConfig.read(dir.resolve(CONFIG_FILE));
        Path generationFile = dir.resolve(GenerationConfig.FILE_NAME);
        GenerationConfig generation = Files.isRegularFile(generationFile)
                ? GenerationConfig.read(generationFile) : GenerationConfig.fromModelConfig(config);
        if (!ShardedCheckpoint.isPresent(dir)) {
            throw noSafetensors(dir);
        }
        LinkedHashMap<String, SafetensorsHeader> located = ShardedCheckpoint.locate(dir);
        List<String> names = checkAgainstConfig(dir, config, located);
        LinkedHashMap<String, NDArray> weights = ShardedCheckpoint.read(located, names, manager, computeDtype);
        return new Checkpoint(config, weights, generation);
    }

    /** Saves with transformers' default shard size (5 GB). */
    public static void save(Path dir, LlamaConfig config, Map<String, NDArray> weights, SaveDtype dtype,
            GenerationConfig generation, IoConsumer<Path> extraFiles) throws IOException {
        save(dir, config, weights, dtype, generation, extraFiles, ShardedCheckpoint.DEFAULT_MAX_SHARD_BYTES);
    }

    /**
     * Writes a complete model directory at {@code dir}, replacing any existing one only once the
     * new one is complete.
     *
     * @param config the model config; saved with {@code torch_dtype} set to {@code dtype} (and
     *     {@code num_labels: 1} for a sequence classifier that has none)
     * @param weights exactly the tensors {@link WeightLayout#expectedShapes} names, with those
     *     shapes; written in that order
     * @param generation saved as {@code generation_config.json}; null derives one from {@code config}
     * @param extraFiles writes further files (tokenizer) into the staging directory it is given;
     *     if it throws, nothing is renamed and an existing {@code dir} is left untouched
     * @param maxShardBytes above this many bytes of weights the checkpoint is sharded
     */
    public static void save(Path dir, LlamaConfig config, Map<String, NDArray> weights, SaveDtype dtype,
            GenerationConfig generation, IoConsumer<Path> extraFiles, long maxShardBytes) throws IOException {
        LlamaConfig saved = config.withTorchDtype(dtype.torchName());
        if (saved.architecture().hasScalarHead() && saved.numLabels() == null) {
            saved = saved.withArchitecture(saved.architecture(), 1);
        }
        LinkedHashMap<String, NDArray> ordered = inLayoutOrder(saved, weights);
        GenerationConfig gen = generation != null ? generation : GenerationConfig.fromModelConfig(saved);
        Path staged = AtomicFiles.createStagingDirectory(dir);
        try {
            // Plain writes are enough inside the staging directory: it is renamed only when complete.
            Files.writeString(staged.resolve(CONFIG_FILE), withVersion(saved.toJson()));
            ShardedCheckpoint.write(staged, ordered, dtype, maxShardBytes);
            Files.writeString(staged.resolve(GenerationConfig.FILE_NAME), gen.toJson());
            if (extraFiles != null) {
                extraFiles.accept(staged);
            }
            AtomicFiles.replaceDirectory(staged, dir);
        } catch (IOException | RuntimeException | Error e) {
            AtomicFiles.deleteQuietly(staged, e);
            throw e;
        }
    }

    /** {@code config.json} text with {@code rlhf4j_version} added, as transformers adds {@code transformers_version}. */
    private static String withVersion(String configJson) throws IOException {
        ObjectNode node = (ObjectNode) VERSIONED.readTree(configJson);
        node.put("rlhf4j_version", Rlhf4jVersion.get());
        return VERSIONED.writeValueAsString(node);
    }

    /**
     * Checks every tensor against the config and returns the names to load, in layout order.
     * {@code lm_head.weight} of a tied model and per-layer {@code rotary_emb.inv_freq} buffers are
     * skipped; anything else unexpected is an error, as is a missing tensor or a wrong shape.
     */
    static List<String> checkAgainstConfig(Path dir, LlamaConfig config, Map<String, SafetensorsHeader> located)
            throws IOException {
        Map<String, long[]> expected = WeightLayout.expectedShapes(config);
        String source = Files.isRegularFile(dir.resolve(ShardedCheckpoint.INDEX_FILE))
                ? "the shards of " + dir.resolve(ShardedCheckpoint.INDEX_FILE)
                : dir.resolve(ShardedCheckpoint.SINGLE_FILE).toString();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            SafetensorsHeader header = located.get(e.getKey());
            if (header == null) {
                problems.add("tensor '" + e.getKey() + "' (expected shape " + Arrays.toString(e.getValue())
                        + ") is missing from " + source);
                continue;
            }
            TensorInfo info = header.tensor(e.getKey());
            if (!Arrays.equals(info.shape(), e.getValue())) {
                problems.add(header.file() + ": tensor '" + e.getKey() + "' has shape " + info.shapeString()
                        + ", expected " + Arrays.toString(e.getValue()));
            } else if (!info.dtype().isFloating()) {
                problems.add(header.file() + ": tensor '" + e.getKey() + "' has dtype " + info.dtype()
                        + ", expected F32, BF16 or F16");
            }
        }
        for (Map.Entry<String, SafetensorsHeader> e : located.entrySet()) {
            if (!expected.containsKey(e.getKey()) && !isRedundant(e.getKey(), config)) {
                problems.add(e.getValue().file() + ": unexpected tensor '" + e.getKey() + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new IOException(dir + ": the weights do not match " + CONFIG_FILE + " ("
                    + describe(config) + "):\n  " + report(problems));
        }
        return new ArrayList<>(expected.keySet());
    }

    /** Tensors transformers commonly writes that carry nothing this toolkit needs. */
    private static boolean isRedundant(String name, LlamaConfig config) {
        return (name.equals(WeightLayout.LM_HEAD) && config.tieWordEmbeddings())
                || ROTARY_INV_FREQ.matcher(name).matches();
    }

    private static LinkedHashMap<String, NDArray> inLayoutOrder(LlamaConfig config, Map<String, NDArray> weights) {
        Map<String, long[]> expected = WeightLayout.expectedShapes(config);
        List<String> problems = new ArrayList<>();
        LinkedHashMap<String, NDArray> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            NDArray array = weights.get(e.getKey());
            if (array == null) {
                problems.add("tensor '" + e.getKey() + "' (shape " + Arrays.toString(e.getValue()) + ") is missing");
            } else if (!Arrays.equals(array.getShape().getShape(), e.getValue())) {
                problems.add("tensor '" + e.getKey() + "' has shape " + array.getShape() + ", expected "
                        + Arrays.toString(e.getValue()));
            } else {
                ordered.put(e.getKey(), array);
            }
        }
        for (String name : weights.keySet()) {
            if (!expected.containsKey(name)) {
                problems.add("unexpected tensor '" + name + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot save: the weights do not match the config ("
                    + describe(config) + "):\n  " + report(problems));
        }
        return ordered;
    }

    private static void requireModelDirectory(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            throw new IOException(dir + ": model directory does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": is a file, expected a Hugging Face model directory");
        }
        if (isEmpty(dir)) {
            throw new IOException(dir + ": model directory is empty; expected " + CONFIG_FILE + " and "
                    + ShardedCheckpoint.SINGLE_FILE);
        }
        if (!Files.isRegularFile(dir.resolve(CONFIG_FILE))) {
            throw new IOException(dir + ": no " + CONFIG_FILE + "; a Hugging Face model directory needs one "
                    + "(it holds: " + String.join(", ", listNames(dir)) + ")");
        }
    }

    /** The error for a directory with no safetensors weights; pickle files are never opened. */
    private static IOException noSafetensors(Path dir) throws IOException {
        List<String> names = listNames(dir);
        List<String> pickles = names.stream().filter(n -> n.endsWith(".bin") || n.endsWith(".pt")
                || n.endsWith(".pth")).collect(Collectors.toList());
        if (!pickles.isEmpty()) {
            return new IOException(dir + ": holds PyTorch pickle weights (" + String.join(", ", pickles)
                    + ") but no " + ShardedCheckpoint.SINGLE_FILE + "; rlhf4j reads safetensors only and never "
                    + "unpickles (pickle can run arbitrary code). Convert once with Python: "
                    + "python -c \"from transformers import AutoModelForCausalLM as M; "
                    + "M.from_pretrained('" + dir + "').save_pretrained('" + dir + "-safetensors', "
                    + "safe_serialization=True)\" (AutoModelForSequenceClassification for reward models)");
        }
        List<String> shards = names.stream().filter(n -> n.endsWith(".safetensors")).collect(Collectors.toList());
        if (!shards.isEmpty()) {
            return new IOException(dir + ": has " + String.join(", ", shards) + " but neither "
                    + ShardedCheckpoint.SINGLE_FILE + " nor " + ShardedCheckpoint.INDEX_FILE);
        }
        return new IOException(dir + ": no model weights; expected " + ShardedCheckpoint.SINGLE_FILE + " or "
                + ShardedCheckpoint.INDEX_FILE);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static List<String> listNames(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static String describe(LlamaConfig c) {
        return c.architecture().hfName() + ", " + c.numHiddenLayers() + " layers, hidden_size " + c.hiddenSize()
                + ", vocab_size " + c.vocabSize() + ", tie_word_embeddings " + c.tieWordEmbeddings();
    }

    private static String report(List<String> problems) {
        String shown = String.join("\n  ", problems.subList(0, Math.min(problems.size(), MAX_REPORTED_PROBLEMS)));
        return problems.size() > MAX_REPORTED_PROBLEMS
                ? shown + "\n  ... and " + (problems.size() - MAX_REPORTED_PROBLEMS) + " more" : shown;
    }
}
