package org.rlhf4j.core.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.IoConsumer;
import org.rlhf4j.core.io.SafetensorsHeader;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.io.TensorInfo;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.ModelWeights;

/** PEFT's adapter directory: names, shapes and config keys written out by hand, round trip, refusals. */
class PeftAdapterFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aCausalLmAdapterHasPeftsNamesShapesAndConfigKeys() throws IOException {
        LoraConfig lora = new LoraConfig(4, 8.0, 0.05, List.of("q_proj", "k_proj", "down_proj"), null, null);
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights base = ModelWeights.random(LoraAdaptersTest.CONFIG, m, 3);
            try (LoraAdapters adapters = LoraAdapters.create(lora, base, m, 1)) {
                PeftAdapterFiles.save(dir.resolve("a"), adapters, "/models/base", false, IoConsumer.none());
            }
        }
        // D 32, 4 heads of 8, 2 KV heads (k_proj out 16), F 64: PEFT's lora_A is (r, in), lora_B (out, r)
        Map<String, List<Long>> expected = new LinkedHashMap<>();
        for (int i = 0; i < 2; i++) {
            String p = "base_model.model.model.layers." + i + ".";
            expected.put(p + "self_attn.q_proj.lora_A.weight", List.of(4L, 32L));
            expected.put(p + "self_attn.q_proj.lora_B.weight", List.of(32L, 4L));
            expected.put(p + "self_attn.k_proj.lora_A.weight", List.of(4L, 32L));
            expected.put(p + "self_attn.k_proj.lora_B.weight", List.of(16L, 4L));
            expected.put(p + "mlp.down_proj.lora_A.weight", List.of(4L, 64L));
            expected.put(p + "mlp.down_proj.lora_B.weight", List.of(32L, 4L));
        }
        assertEquals(expected, shapes(dir.resolve("a/adapter_model.safetensors")));

        JsonNode config = JSON.readTree(dir.resolve("a/adapter_config.json").toFile());
        assertEquals("LORA", config.get("peft_type").asText());
        assertEquals("CAUSAL_LM", config.get("task_type").asText());
        assertEquals(4, config.get("r").asInt());
        assertTrue(config.get("lora_alpha").isIntegralNumber(), "PEFT declares lora_alpha an int");
        assertEquals(8, config.get("lora_alpha").asInt());
        assertEquals(0.05, config.get("lora_dropout").asDouble());
        assertEquals("[\"q_proj\",\"k_proj\",\"down_proj\"]", config.get("target_modules").toString());
        assertEquals("none", config.get("bias").asText());
        assertEquals("/models/base", config.get("base_model_name_or_path").asText());
        assertEquals(false, config.get("fan_in_fan_out").asBoolean());
        assertEquals(false, config.get("use_rslora").asBoolean());
        assertEquals(false, config.get("use_dora").asBoolean());
        assertEquals(true, config.get("inference_mode").asBoolean());
        assertTrue(config.get("modules_to_save").isNull());
        assertEquals(new TreeSet<>(List.of("alpha_pattern", "auto_mapping", "base_model_name_or_path", "bias",
                "fan_in_fan_out", "inference_mode", "init_lora_weights", "layers_pattern", "layers_to_transform",
                "lora_alpha", "lora_dropout", "modules_to_save", "peft_type", "r", "rank_pattern", "revision",
                "target_modules", "task_type", "use_dora", "use_rslora")), fieldNames(config));
    }

    @Test
    void aRewardModelAdapterSavesItsScoreHeadUnderPeftsName() throws IOException {
        LlamaConfig classifier = LlamaConfig.parse("{\"architectures\":[\"LlamaForSequenceClassification\"],"
                + "\"num_labels\":1,\"hidden_size\":32,\"intermediate_size\":64,\"num_hidden_layers\":1,"
                + "\"num_attention_heads\":4,\"vocab_size\":50}");
        LoraConfig lora = new LoraConfig(2, 4.0, null, List.of("v_proj"), List.of("score"), null);
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights base = ModelWeights.random(classifier, m, 3);
            try (LoraAdapters adapters = LoraAdapters.create(lora, base, m, 1)) {
                PeftAdapterFiles.save(dir.resolve("rm"), adapters, "/models/rm", true, IoConsumer.none());
            }
        }
        Map<String, List<Long>> expected = new LinkedHashMap<>();
        expected.put("base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight", List.of(2L, 32L));
        expected.put("base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight", List.of(32L, 2L));
        // PEFT saves a ModulesToSaveWrapper's copy without "modules_to_save.default"
        expected.put("base_model.model.score.weight", List.of(1L, 32L));
        assertEquals(expected, shapes(dir.resolve("rm/adapter_model.safetensors")));
        JsonNode config = JSON.readTree(dir.resolve("rm/adapter_config.json").toFile());
        assertEquals("SEQ_CLS", config.get("task_type").asText());
        assertEquals("[\"score\"]", config.get("modules_to_save").toString());
    }

    @Test
    void anAdapterWrittenAndReadBackReproducesTheLogits() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights base = ModelWeights.random(LoraAdaptersTest.CONFIG, m, 3);
            float[] before;
            try (LoraAdapters adapters = LoraAdapters.create(LoraAdaptersTest.ALL, base, m, 1)) {
                LoraAdaptersTest.randomiseB(adapters, m);
                before = LoraAdaptersTest.logits(new LlamaModel(base, adapters), m);
                PeftAdapterFiles.save(dir.resolve("a"), adapters, "base", false, IoConsumer.none());
            }
            try (LoraAdapters loaded = PeftAdapterFiles.load(dir.resolve("a"), base, m)) {
                assertEquals(LoraAdaptersTest.ALL.targetModules(), loaded.config().targetModules());
                assertEquals(8.0, loaded.config().alpha());
                assertArrayEquals(before, LoraAdaptersTest.logits(new LlamaModel(base, loaded), m));
            }
        }
    }

    @Test
    void unsupportedAdaptersAreRefusedNamingTheKey() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights base = ModelWeights.random(LoraAdaptersTest.CONFIG, m, 3);
            try (LoraAdapters adapters = LoraAdapters.create(LoraAdaptersTest.ALL, base, m, 1)) {
                PeftAdapterFiles.save(dir.resolve("good"), adapters, "base", false, IoConsumer.none());
            }
            assertRefused("use_rslora", true, "use_rslora is true", base, m);
            assertRefused("use_dora", true, "use_dora is true", base, m);
            assertRefused("bias", "lora_only", "bias is 'lora_only'", base, m);
            assertRefused("fan_in_fan_out", true, "fan_in_fan_out is true", base, m);
            assertRefused("peft_type", "IA3", "peft_type is IA3", base, m);
            assertRefused("target_modules", List.of("q_proj", "lm_head"), "target_modules names 'lm_head'", base, m);
            assertRefused("target_modules", ".*proj", "target_modules is the pattern", base, m);
            assertRefused("layers_to_transform", List.of(0), "layers_to_transform is set", base, m);
            assertRefused("r", 8, "has shape", base, m); // the file's tensors are rank 4
        }
    }

    private void assertRefused(String key, Object value, String message, ModelWeights base, NDManager m)
            throws IOException {
        Path bad = dir.resolve("bad-" + key + "-" + value.hashCode());
        Files.createDirectories(bad);
        Files.copy(dir.resolve("good/adapter_model.safetensors"), bad.resolve("adapter_model.safetensors"));
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("good/adapter_config.json").toFile());
        config.set(key, JSON.valueToTree(value));
        Files.writeString(bad.resolve("adapter_config.json"), config.toString());
        IOException e = assertThrows(IOException.class, () -> PeftAdapterFiles.load(bad, base, m).close());
        assertTrue(e.getMessage().contains(message) && e.getMessage().contains("adapter_"),
                key + ": " + e.getMessage());
    }

    private static Map<String, List<Long>> shapes(Path file) throws IOException {
        SafetensorsHeader header = SafetensorsReader.header(file);
        Map<String, List<Long>> out = new LinkedHashMap<>();
        for (TensorInfo info : header.tensors().values()) {
            assertEquals("F32", info.dtype().toString(), info.name());
            out.put(info.name(), java.util.Arrays.stream(info.shape()).boxed().toList());
        }
        return out;
    }

    private static TreeSet<String> fieldNames(JsonNode node) {
        TreeSet<String> out = new TreeSet<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
