package org.rlhf4j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.WeightLayout;

/** Saving and loading whole Hugging Face model directories, and every way loading can fail. */
class ModelDirectoryTest {

    private static final String SHAPE = "\"hidden_size\": 32, \"intermediate_size\": 64, \"num_hidden_layers\": 2,"
            + " \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"vocab_size\": 50,"
            + " \"bos_token_id\": 1, \"eos_token_id\": 2";
    private static final LlamaConfig TIED = LlamaConfig.parse(
            "{\"architectures\": [\"LlamaForCausalLM\"], " + SHAPE + ", \"tie_word_embeddings\": true}");
    private static final LlamaConfig UNTIED = LlamaConfig.parse(
            "{\"architectures\": [\"LlamaForCausalLM\"], " + SHAPE + ", \"tie_word_embeddings\": false}");
    private static final LlamaConfig REWARD = LlamaConfig.parse(
            "{\"architectures\": [\"LlamaForSequenceClassification\"], " + SHAPE
                    + ", \"num_labels\": 1, \"pad_token_id\": 0}");
    private static final LlamaConfig QWEN2 = LlamaConfig.parse(
            "{\"architectures\": [\"Qwen2ForCausalLM\"], \"model_type\": \"qwen2\", " + SHAPE + "}");

    private static NDManager manager;

    @TempDir
    Path root;

    @BeforeAll
    static void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void closeManager() {
        manager.close();
    }

    private static LlamaConfig config(String name) {
        return switch (name) {
            case "tied" -> TIED;
            case "untied" -> UNTIED;
            case "reward" -> REWARD;
            default -> QWEN2;
        };
    }

    /** Random weights of exactly the layout's names and shapes. */
    private static LinkedHashMap<String, NDArray> randomWeights(LlamaConfig config, long seed) {
        manager.getEngine().setRandomSeed((int) seed);
        LinkedHashMap<String, NDArray> weights = new LinkedHashMap<>();
        WeightLayout.expectedShapes(config).forEach((name, shape) ->
                weights.put(name, manager.randomNormal(0, 0.02f, new Shape(shape), DataType.FLOAT32)));
        return weights;
    }

    private static void assertSameWeights(Map<String, NDArray> expected, Map<String, NDArray> actual) {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()));
        for (String name : expected.keySet()) {
            assertEquals(expected.get(name).getShape(), actual.get(name).getShape(), name);
            assertArrayEquals(expected.get(name).toFloatArray(), actual.get(name).toFloatArray(), name);
        }
    }

    /** Everything in {@code root}: after a save there must be nothing but the model directories. */
    private List<String> rootEntries() throws IOException {
        try (Stream<Path> entries = Files.list(root)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tied", "untied", "reward", "qwen2"})
    void float32RoundTripIsExact(String kind) throws IOException {
        LlamaConfig config = config(kind);
        Path dir = root.resolve("model");
        LinkedHashMap<String, NDArray> weights = randomWeights(config, 1);
        GenerationConfig generation = new GenerationConfig(1, List.of(2, 3), 0, true, 0.7, 0.9, 50, 64);
        ModelDirectory.save(dir, config, weights, SaveDtype.FLOAT32, generation,
                staged -> Files.writeString(staged.resolve("tokenizer.json"), "{}"));

        assertEquals(List.of("model"), rootEntries());
        assertTrue(Files.isRegularFile(dir.resolve("tokenizer.json")));
        try (Checkpoint loaded = ModelDirectory.load(dir, manager, DataType.FLOAT32)) {
            assertEquals(config.withTorchDtype("float32"), loaded.config());
            assertEquals(generation, loaded.generation());
            assertSameWeights(weights, loaded.weights());
            // an LM head only when untied; a reward model has score.weight instead
            assertEquals(!config.tieWordEmbeddings() && !config.architecture().hasScalarHead(),
                    loaded.weights().containsKey(WeightLayout.LM_HEAD));
            assertEquals(config.architecture().hasScalarHead(), loaded.weights().containsKey(WeightLayout.SCORE));
        }
    }

    @Test
    void bfloat16SaveRecordsTheDtypeAndRoundsTheWeights() throws IOException {
        Path dir = root.resolve("bf16");
        LinkedHashMap<String, NDArray> weights = randomWeights(UNTIED, 2);
        ModelDirectory.save(dir, UNTIED, weights, SaveDtype.BFLOAT16, null, IoConsumer.none());

        assertTrue(Files.readString(dir.resolve("config.json")).contains("\"torch_dtype\" : \"bfloat16\""));
        try (Checkpoint loaded = ModelDirectory.load(dir, manager, DataType.FLOAT32)) {
            assertEquals("bfloat16", loaded.config().torchDtype());
            assertEquals(GenerationConfig.fromModelConfig(UNTIED), loaded.generation()); // null was saved as derived
            for (String name : weights.keySet()) {
                float[] original = weights.get(name).toFloatArray();
                float[] back = loaded.weights().get(name).toFloatArray();
                for (int i = 0; i < original.length; i++) {
                    assertEquals(BFloat16.toFloat(BFloat16.fromFloat(original[i])), back[i], name);
                }
            }
        }
    }

    @Test
    void shardedSaveRoundTrip() throws IOException {
        Path dir = root.resolve("sharded");
        LinkedHashMap<String, NDArray> weights = randomWeights(TIED, 3);
        ModelDirectory.save(dir, TIED, weights, SaveDtype.FLOAT32, null, IoConsumer.none(), 16_384);
        assertTrue(Files.exists(dir.resolve(ShardedCheckpoint.INDEX_FILE)));
        assertFalse(Files.exists(dir.resolve(ShardedCheckpoint.SINGLE_FILE)));
        try (Checkpoint loaded = ModelDirectory.load(dir, manager, DataType.FLOAT32)) {
            assertSameWeights(weights, loaded.weights());
        }
    }

    /** Saves a valid tied model, then rewrites its weights file with {@code edit} applied. */
    private Path savedThenEdited(java.util.function.Consumer<LinkedHashMap<String, NDArray>> edit) throws IOException {
        Path dir = root.resolve("edited");
        ModelDirectory.save(dir, TIED, randomWeights(TIED, 4), SaveDtype.FLOAT32, null, IoConsumer.none());
        Path file = dir.resolve(ShardedCheckpoint.SINGLE_FILE);
        LinkedHashMap<String, NDArray> tensors = SafetensorsReader.read(file, manager, DataType.FLOAT32);
        edit.accept(tensors);
        SafetensorsWriter.write(file, tensors, SaveDtype.FLOAT32);
        return dir;
    }

    @Test
    void missingTensorNamesTheTensorFileAndShape() throws IOException {
        Path dir = savedThenEdited(t -> t.remove("model.layers.1.mlp.up_proj.weight"));
        IOException e = assertThrows(IOException.class, () -> ModelDirectory.load(dir, manager, DataType.FLOAT32));
        assertMentions(e, "'model.layers.1.mlp.up_proj.weight'", "[64, 32]", "missing",
                dir.resolve("model.safetensors").toString());
    }

    @Test
    void wrongShapeNamesTheTensorFileAndShapes() throws IOException {
        Path dir = savedThenEdited(t -> t.put(WeightLayout.FINAL_NORM, manager.ones(new Shape(31))));
        IOException e = assertThrows(IOException.class, () -> ModelDirectory.load(dir, manager, DataType.FLOAT32));
        assertMentions(e, "'model.norm.weight'", "has shape [31]", "expected [32]",
                dir.resolve("model.safetensors").toString());
    }

    @Test
    void redundantTensorsAreDroppedAndOthersRejected() throws IOException {
        Path dir = savedThenEdited(t -> {
            t.put(WeightLayout.LM_HEAD, manager.zeros(new Shape(50, 32))); // tied: transformers may still write it
            t.put("model.layers.0.self_attn.rotary_emb.inv_freq", manager.zeros(new Shape(4)));
        });
        try (Checkpoint loaded = ModelDirectory.load(dir, manager, DataType.FLOAT32)) {
            assertEquals(new ArrayList<>(WeightLayout.expectedShapes(TIED).keySet()),
                    new ArrayList<>(loaded.weights().keySet()));
        }
        Path other = savedThenEdited(t -> t.put("model.layers.0.mlp.extra.weight", manager.zeros(new Shape(2))));
        IOException e = assertThrows(IOException.class, () -> ModelDirectory.load(other, manager, DataType.FLOAT32));
        assertMentions(e, "unexpected tensor 'model.layers.0.mlp.extra.weight'");
    }

    @Test
    void pickleOnlyDirectoryAsksForConversion() throws IOException {
        Path dir = Files.createDirectory(root.resolve("pickle"));
        Files.writeString(dir.resolve("config.json"), TIED.toJson());
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 0x02}); // a pickle protocol header
        IOException e = assertThrows(IOException.class, () -> ModelDirectory.load(dir, manager, DataType.FLOAT32));
        assertMentions(e, dir.toString(), "pytorch_model.bin", "never unpickles", "safe_serialization=True");
    }

    @Test
    void missingEmptyOrConfiglessDirectories() throws IOException {
        Path missing = root.resolve("nowhere");
        assertMentions(assertThrows(IOException.class, () -> ModelDirectory.load(missing, manager, DataType.FLOAT32)),
                missing.toString(), "does not exist");
        Path empty = Files.createDirectory(root.resolve("empty"));
        assertMentions(assertThrows(IOException.class, () -> ModelDirectory.load(empty, manager, DataType.FLOAT32)),
                empty.toString(), "empty");
        Path noConfig = Files.createDirectory(root.resolve("noconfig"));
        Files.writeString(noConfig.resolve("tokenizer.json"), "{}");
        assertMentions(assertThrows(IOException.class, () -> ModelDirectory.load(noConfig, manager, DataType.FLOAT32)),
                noConfig.toString(), "no config.json", "tokenizer.json");
        Path noWeights = Files.createDirectory(root.resolve("noweights"));
        Files.writeString(noWeights.resolve("config.json"), TIED.toJson());
        assertMentions(assertThrows(IOException.class, () -> ModelDirectory.load(noWeights, manager, DataType.FLOAT32)),
                noWeights.toString(), "model.safetensors");
    }

    @Test
    void failedSaveLeavesNothingUnderTheFinalName() throws IOException {
        Path dir = root.resolve("model");
        IOException e = assertThrows(IOException.class, () -> ModelDirectory.save(dir, TIED, randomWeights(TIED, 5),
                SaveDtype.FLOAT32, null, staged -> {
                    throw new IOException("tokenizer export failed");
                }));
        assertEquals("tokenizer export failed", e.getMessage());
        assertEquals(List.of(), rootEntries()); // no final directory and no staging leftovers
    }

    @Test
    void failedSaveKeepsTheExistingDirectory() throws IOException {
        Path dir = root.resolve("model");
        LinkedHashMap<String, NDArray> first = randomWeights(UNTIED, 6);
        ModelDirectory.save(dir, UNTIED, first, SaveDtype.FLOAT32, null, IoConsumer.none());
        assertThrows(IllegalStateException.class, () -> ModelDirectory.save(dir, UNTIED, randomWeights(UNTIED, 7),
                SaveDtype.BFLOAT16, null, staged -> {
                    throw new IllegalStateException("crash while writing extra files");
                }));
        assertEquals(List.of("model"), rootEntries());
        try (Checkpoint loaded = ModelDirectory.load(dir, manager, DataType.FLOAT32)) {
            assertEquals("float32", loaded.config().torchDtype());
            assertSameWeights(first, loaded.weights());
        }
    }

    @Test
    void saveReplacesAnExistingDirectoryCompletely() throws IOException {
        Path dir = root.resolve("model");
        ModelDirectory.save(dir, TIED, randomWeights(TIED, 8), SaveDtype.FLOAT32, null,
                staged -> Files.writeString(staged.resolve("stale.txt"), "old"));
        LinkedHashMap<String, NDArray> second = randomWeights(TIED, 9);
        ModelDirectory.save(dir, TIED, second, SaveDtype.FLOAT32, null, IoConsumer.none());
        assertEquals(List.of("model"), rootEntries());
        assertFalse(Files.exists(dir.resolve("stale.txt")));
        try (Checkpoint loaded = ModelDirectory.load(dir, manager, DataType.FLOAT32)) {
            assertSameWeights(second, loaded.weights());
        }
    }

    @Test
    void saveRejectsWeightsThatDoNotMatchTheConfig() {
        LinkedHashMap<String, NDArray> weights = randomWeights(TIED, 10);
        weights.remove(WeightLayout.EMBED);
        weights.put(WeightLayout.LM_HEAD, manager.zeros(new Shape(50, 32))); // tied: must not be saved
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelDirectory.save(
                root.resolve("model"), TIED, weights, SaveDtype.FLOAT32, null, IoConsumer.none()));
        assertMentions(e, "'model.embed_tokens.weight'", "[50, 32]", "unexpected tensor 'lm_head.weight'");
        assertFalse(Files.exists(root.resolve("model")));
    }

    @Test
    void generationConfigIgnoresUnknownKeysAndAcceptsOneEosId() throws IOException {
        Path dir = root.resolve("model");
        ModelDirectory.save(dir, TIED, randomWeights(TIED, 11), SaveDtype.FLOAT32, null, staged ->
                Files.writeString(staged.resolve(GenerationConfig.FILE_NAME), "{\"_from_model_config\": true,"
                        + " \"transformers_version\": \"4.44.0\", \"repetition_penalty\": 1.1,"
                        + " \"eos_token_id\": 7, \"top_p\": 0.8, \"do_sample\": true}"));
        try (Checkpoint loaded = ModelDirectory.load(dir, manager, DataType.FLOAT32)) {
            GenerationConfig g = loaded.generation();
            assertEquals(List.of(7), g.eosTokenId());
            assertEquals(0.8, g.topP());
            assertEquals(true, g.doSample());
            assertNull(g.temperature());
        }
        // a single eos id is written back as a plain number, as transformers does
        assertTrue(new GenerationConfig(null, List.of(7), null, null, null, null, null, null).toJson()
                .contains("\"eos_token_id\" : 7"));
        assertThrows(IllegalArgumentException.class,
                () -> new GenerationConfig(null, null, null, null, null, 1.5, null, null));
    }

    @Test
    void loadsAsFloat16() throws IOException {
        Path dir = root.resolve("model");
        ModelDirectory.save(dir, TIED, randomWeights(TIED, 12), SaveDtype.FLOAT16, null, IoConsumer.none());
        try (Checkpoint loaded = ModelDirectory.load(dir, manager, DataType.FLOAT16)) {
            loaded.weights().values().forEach(w -> assertEquals(DataType.FLOAT16, w.getDataType()));
        }
    }
}
