package org.rlhf4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlamaConfigTest {

    private static final String BASE = "\"hidden_size\": 32, \"intermediate_size\": 64, \"num_hidden_layers\": 2,"
            + " \"num_attention_heads\": 4, \"vocab_size\": 50";

    @Test
    void defaultsFollowTransformers() {
        LlamaConfig c = LlamaConfig.parse("{" + BASE + "}");
        assertEquals(4, c.numKeyValueHeads());
        assertEquals(8, c.headDim());
        assertEquals(1, c.groupSize());
        assertEquals(Architecture.LLAMA_FOR_CAUSAL_LM, c.architecture());
        assertEquals(10000.0, c.ropeTheta());
        assertEquals(false, c.qkvBias());
        assertEquals(Integer.MAX_VALUE, c.effectiveSlidingWindow());
    }

    @Test
    void qwen2HasQkvBiasButNoOutputBias() {
        LlamaConfig c = LlamaConfig.parse("{\"model_type\": \"qwen2\", " + BASE + ", \"num_key_value_heads\": 2}");
        assertTrue(c.qkvBias());
        assertEquals(false, c.outputProjectionBias());
        assertEquals(Architecture.QWEN2_FOR_CAUSAL_LM, c.architecture());
        assertEquals(2, c.groupSize());
    }

    @Test
    void eosMayBeOneIdOrAList() {
        assertEquals(List.of(7), LlamaConfig.parse("{" + BASE + ", \"eos_token_id\": 7}").eosTokenId());
        assertEquals(List.of(7, 9), LlamaConfig.parse("{" + BASE + ", \"eos_token_id\": [7, 9]}").eosTokenId());
    }

    @Test
    void numLabelsComesFromId2LabelAndDtypeAliasIsRead() {
        LlamaConfig c = LlamaConfig.parse("{\"architectures\": [\"LlamaForSequenceClassification\"], " + BASE
                + ", \"id2label\": {\"0\": \"LABEL_0\"}, \"dtype\": \"bfloat16\"}");
        assertEquals(1, c.numLabels());
        assertEquals("bfloat16", c.torchDtype());
        assertTrue(c.architecture().hasScalarHead());
    }

    @Test
    void rejectsWhatCannotRun() {
        assertMessage("{" + BASE + ", \"hidden_act\": \"gelu\"}", "hidden_act 'gelu'");
        assertMessage("{" + BASE + ", \"num_key_value_heads\": 3}", "multiple of num_key_value_heads");
        assertMessage("{\"model_type\": \"gpt2\", " + BASE + "}", "model_type 'gpt2'");
        assertMessage("{\"architectures\": [\"GPT2LMHeadModel\"], " + BASE + "}", "architecture 'GPT2LMHeadModel'");
        assertMessage("{" + BASE + ", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 2}}", "'yarn'");
        assertMessage("{" + BASE + ", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 2}}", "needs factor");
        assertMessage("{" + BASE + ", \"torch_dtype\": \"int8\"}", "torch_dtype 'int8'");
    }

    private static void assertMessage(String json, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LlamaConfig.parse(json));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void roundTripsThroughJson() {
        LlamaConfig c = LlamaConfig.parse("{" + BASE + ", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8,"
                + " \"low_freq_factor\": 1, \"high_freq_factor\": 4, \"original_max_position_embeddings\": 8192}}");
        assertEquals(c, LlamaConfig.parse(c.toJson()));
        assertTrue(c.toJson().contains("\"rope_type\" : \"llama3\""), c.toJson());
    }

    @Test
    void everyGoldenConfigParses() throws IOException {
        Path golden = Path.of("src/test/resources/golden");
        try (var dirs = Files.list(golden)) {
            List<Path> cases = dirs.filter(Files::isDirectory).toList();
            assertTrue(cases.size() >= 10, "golden cases: " + cases);
            for (Path dir : cases) {
                LlamaConfig c = LlamaConfig.read(dir.resolve("config.json"));
                assertTrue(WeightLayout.expectedShapes(c).containsKey(WeightLayout.EMBED), dir.toString());
            }
        }
    }

    @Test
    void readErrorNamesTheFile(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{" + BASE + ", \"hidden_act\": \"relu\"}");
        IOException e = assertThrows(IOException.class, () -> LlamaConfig.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("relu"), e.getMessage());
    }
}
