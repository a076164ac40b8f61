package org.rlhf4j.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.io.IoConsumer;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.io.SafetensorsWriter;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.model.ModelWeights;

/**
 * LoRA adapters on disk in PEFT's format, the directory {@code PeftModel.save_pretrained} writes
 * and {@code PeftModel.from_pretrained} reads: {@code adapter_config.json} ({@code peft_type: LORA},
 * {@code r}, {@code lora_alpha}, {@code target_modules}, ...) and {@code adapter_model.safetensors}
 * with {@code base_model.model.<module>.lora_A.weight} (r, in), {@code ...lora_B.weight} (out, r)
 * and, for {@code modules_to_save}, {@code base_model.model.<tensor>} (e.g.
 * {@code base_model.model.score.weight}), all float32.
 *
 * <p>Reading accepts what PEFT writes for a Llama with plain LoRA and refuses, naming the key,
 * what rlhf4j does not compute the same way (rsLoRA, DoRA, trained biases, per-layer patterns,
 * regex targets, transposed weights).
 */
public final class PeftAdapterFiles {

    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    /** PEFT's task types for a causal LM and for a sequence classifier (reward/value model). */
    public static final String CAUSAL_LM = "CAUSAL_LM";
    public static final String SEQ_CLS = "SEQ_CLS";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PeftAdapterFiles() {}

    /**
     * What {@code adapter_config.json} says.
     *
     * @param config r, alpha, dropout, targets and saved modules as a {@link LoraConfig}
     * @param baseModel {@code base_model_name_or_path}, or null
     * @param taskType {@code CAUSAL_LM}, {@code SEQ_CLS}, or null when absent
     */
    public record Header(LoraConfig config, String baseModel, String taskType) {}

    /** Whether {@code dir} holds an adapter rather than (or besides) a model. */
    public static boolean isAdapterDirectory(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG_FILE));
    }

    /**
     * Writes the adapter directory {@code dir} ({@link #CONFIG_FILE}, {@link #WEIGHTS_FILE} and what
     * {@code extraFiles} adds, e.g. the tokenizer), replacing an existing one only once complete.
     */
    public static void save(Path dir, LoraAdapters adapters, String baseModel, boolean sequenceClassifier,
            IoConsumer<Path> extraFiles) throws IOException {
        Path staged = AtomicFiles.createStagingDirectory(dir);
        try {
            writeInto(staged, adapters, baseModel, sequenceClassifier);
            extraFiles.accept(staged);
            AtomicFiles.replaceDirectory(staged, dir);
        } catch (IOException | RuntimeException | Error e) {
            AtomicFiles.deleteQuietly(staged, e);
            throw e;
        }
    }

    /** Writes {@link #CONFIG_FILE} and {@link #WEIGHTS_FILE} into {@code dir} (a staging directory). */
    public static void writeInto(Path dir, LoraAdapters adapters, String baseModel, boolean sequenceClassifier)
            throws IOException {
        Files.writeString(dir.resolve(CONFIG_FILE), configJson(adapters.config(), baseModel, sequenceClassifier));
        SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), adapters.parameters(), SaveDtype.FLOAT32);
    }

    /** The {@code adapter_config.json} PEFT writes for this config (keys of PEFT's {@code LoraConfig}). */
    public static String configJson(LoraConfig config, String baseModel, boolean sequenceClassifier)
            throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("alpha_pattern");
        root.putNull("auto_mapping");
        root.put("base_model_name_or_path", baseModel);
        root.put("bias", "none");
        root.put("fan_in_fan_out", false);
        root.put("inference_mode", true);
        root.put("init_lora_weights", true);
        root.putNull("layers_pattern");
        root.putNull("layers_to_transform");
        if (config.alpha() == Math.rint(config.alpha())) {
            root.put("lora_alpha", config.alpha().longValue()); // PEFT declares an int
        } else {
            root.put("lora_alpha", config.alpha());
        }
        root.put("lora_dropout", config.dropout());
        if (config.modulesToSave().isEmpty()) {
            root.putNull("modules_to_save");
        } else {
            ArrayNode saved = root.putArray("modules_to_save");
            config.modulesToSave().forEach(saved::add);
        }
        root.put("peft_type", "LORA");
        root.put("r", config.r());
        root.putObject("rank_pattern");
        root.putNull("revision");
        ArrayNode targets = root.putArray("target_modules");
        config.targetModules().forEach(targets::add);
        root.put("task_type", sequenceClassifier ? SEQ_CLS : CAUSAL_LM);
        root.put("use_dora", false);
        root.put("use_rslora", false);
        return JSON.writeValueAsString(root) + "\n";
    }

    /**
     * Reads and checks {@code dir/adapter_config.json}.
     *
     * @throws IOException naming the file and the key when the adapter is not plain LoRA on a
     *     Llama's projections
     */
    public static Header readConfig(Path dir) throws IOException {
        Path file = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + ": no " + CONFIG_FILE + "; expected a PEFT LoRA adapter directory");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        String where = file + ": ";
        String peftType = text(root, "peft_type");
        if (!"LORA".equals(peftType)) {
            throw new IOException(where + "peft_type is " + peftType + "; rlhf4j reads LORA adapters only");
        }
        refuseTrue(root, "use_rslora", where, "rsLoRA scales by alpha/sqrt(r); rlhf4j scales by alpha/r");
        refuseTrue(root, "use_dora", where, "DoRA adapters are not supported");
        refuseTrue(root, "fan_in_fan_out", where, "rlhf4j expects weights stored (out, in) as Llama's are");
        String bias = text(root, "bias");
        if (bias != null && !bias.equals("none")) {
            throw new IOException(where + "bias is '" + bias + "'; only bias: none is supported (no trained biases)");
        }
        for (String key : List.of("layers_to_transform", "layers_pattern")) {
            JsonNode v = root.get(key);
            if (v != null && !v.isNull() && !(v.isArray() && v.isEmpty())) {
                throw new IOException(where + key + " is set (" + v + "); rlhf4j adapts every layer");
            }
        }
        for (String key : List.of("rank_pattern", "alpha_pattern")) {
            JsonNode v = root.get(key);
            if (v != null && !v.isNull() && !v.isEmpty()) {
                throw new IOException(where + key + " is set (" + v + "); rlhf4j uses one r and one lora_alpha");
            }
        }
        String taskType = text(root, "task_type");
        if (taskType != null && !taskType.equals(CAUSAL_LM) && !taskType.equals(SEQ_CLS)) {
            throw new IOException(where + "task_type is " + taskType + "; expected " + CAUSAL_LM + " or " + SEQ_CLS);
        }
        List<String> targets = targets(root.get("target_modules"), where);
        List<String> saved = new ArrayList<>();
        JsonNode savedNode = root.get("modules_to_save");
        if (savedNode != null && savedNode.isArray()) {
            savedNode.forEach(n -> saved.add(n.asText()));
        }
        if (SEQ_CLS.equals(taskType) && !saved.contains("score")) {
            saved.add("score"); // PEFT adds the classifier head to modules_to_save for SEQ_CLS itself
        }
        JsonNode r = root.get("r");
        JsonNode alpha = root.get("lora_alpha");
        JsonNode dropout = root.get("lora_dropout");
        if (r == null || !r.canConvertToInt()) {
            throw new IOException(where + "r must be a positive integer, got " + r);
        }
        try {
            LoraConfig config = new LoraConfig(r.asInt(), alpha == null ? 8.0 : alpha.asDouble(),
                    dropout == null ? 0.0 : dropout.asDouble(), targets, saved, null);
            return new Header(config, text(root, "base_model_name_or_path"), taskType);
        } catch (ConfigException e) {
            throw new IOException(where + e.getMessage().replace("lora.alpha", "lora_alpha")
                    .replace("lora.dropout", "lora_dropout").replace("lora.r", "r"), e);
        }
    }

    /**
     * Loads the adapter in {@code dir} for {@code base}, into a manager of its own under {@code parent}.
     *
     * @throws IOException naming the file and the tensor or key that does not fit
     */
    public static LoraAdapters load(Path dir, ModelWeights base, NDManager parent) throws IOException {
        Header header = readConfig(dir);
        Path file = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + ": no " + WEIGHTS_FILE + (Files.exists(dir.resolve("adapter_model.bin"))
                    ? " (only adapter_model.bin, a pickle rlhf4j never opens; re-save with safe_serialization=True)"
                    : ""));
        }
        try (NDManager scope = parent.newSubManager()) {
            Map<String, NDArray> tensors = SafetensorsReader.read(file, scope, DataType.FLOAT32);
            return LoraAdapters.of(header.config(), base, tensors, parent);
        } catch (UserException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static List<String> targets(JsonNode node, String where) throws IOException {
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            throw new IOException(where + "target_modules is missing; expected a list among "
                    + LoraConfig.KNOWN_TARGETS);
        }
        if (node.isTextual()) {
            String text = node.asText();
            if (text.equals("all-linear")) {
                return LoraConfig.KNOWN_TARGETS; // every linear layer but the output head, in a Llama these seven
            }
            if (!LoraConfig.KNOWN_TARGETS.contains(text)) {
                throw new IOException(where + "target_modules is the pattern '" + text
                        + "'; rlhf4j reads a list of module names among " + LoraConfig.KNOWN_TARGETS);
            }
            return List.of(text);
        }
        for (JsonNode n : node) {
            String name = n.asText();
            if (!LoraConfig.KNOWN_TARGETS.contains(name)) {
                throw new IOException(where + "target_modules names '" + name + "'; rlhf4j adapts only "
                        + LoraConfig.KNOWN_TARGETS);
            }
            out.add(name);
        }
        return out;
    }

    private static void refuseTrue(JsonNode root, String key, String where, String why) throws IOException {
        JsonNode v = root.get(key);
        if (v != null && v.asBoolean(false)) {
            throw new IOException(where + key + " is true; " + why);
        }
    }

    private static String text(JsonNode root, String key) {
        JsonNode v = root.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
