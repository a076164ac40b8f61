package org.rlhf4j.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.io.FloatTensor;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.testing.TinyModels;

/**
 * SFT with {@code lora:}: it learns with the base frozen, writes a PEFT adapter that loads back and
 * merges into a plain model with the same log-probs, and resumes bit for bit.
 */
class SftLoraTest {

    private static final LoraConfig LORA = new LoraConfig(8, 16.0, 0.05, LoraConfig.KNOWN_TARGETS, null, null);
    private static final float HEAD_SCALE = 25f;
    private static final long[][] PROBE = {{60, 100, 100, 32, 51, 32, 52, 10}};

    @TempDir
    static Path shared;

    static Path model;
    static TrainingData data;

    @BeforeAll
    static void fixtures() throws Exception {
        // A random head (std 0.02) cannot express a peaked distribution whatever the hidden states, and
        // LoRA leaves it frozen; scaled up it can, as a pretrained one does.
        Path random = TinyModels.llama(shared.resolve("random"), 64, 2, 5);
        model = shared.resolve("model");
        try (PretrainedModel base = PretrainedModel.load(random)) {
            NDArray head = base.weights().get("lm_head.weight");
            head.muli(base.manager().create(HEAD_SCALE));
            base.save(model, SaveDtype.FLOAT32);
        }
        List<TrainingSequence> all = SftFixtures.tokenized(SftFixtures.additions(28), 64);
        data = TrainingData.of(all.subList(0, 24), all.subList(24, 28));
    }

    static SftConfig config(Path out, TrainConfig train) {
        return new SftConfig(model.toString(), out.toString(), 0L, "cpu", "float32", "float32",
                new DataConfig("in-memory", null, null, null, null, null, null), train, null, LORA);
    }

    @Test
    void learnsWithTheBaseFrozenAndExportsAPeftAdapterThatMergesExactly() throws Exception {
        Path out = shared.resolve("learn");
        Map<String, FloatTensor> baseOnDisk = SafetensorsReader.readFloats(model.resolve("model.safetensors"));
        Map<String, float[]> baseAfter = new LinkedHashMap<>();
        float[][] trainedLogps = new float[1][];
        List<Integer> liveArrays = new java.util.ArrayList<>();
        TrainConfig train = SftFixtures.train(120, 8, 1, 1e-2, "cosine", 5, 0, 60, null);
        RunSummary summary = new SftTrainer(config(out, train), (t, n) -> data).afterEachStep(policy -> {
            if (baseAfter.isEmpty()) { // after the first step: the base records no gradient
                policy.baseWeights().asMap().values().forEach(w -> assertFalse(w.hasGradient(), w.getName()));
            }
            policy.baseWeights().asMap().forEach((name, w) -> baseAfter.put(name, w.toFloatArray()));
            trainedLogps[0] = logps(policy);
            liveArrays.add(policy.manager().getManagedArrays().size());
        }).run();
        assertEquals(120, summary.step());
        assertEquals(liveArrays.get(0), liveArrays.get(119), "live arrays stay flat (the adapters' included)");

        List<JsonNode> metrics = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME));
        double first = metrics.get(0).get("loss").asDouble();
        double last = metrics.get(metrics.size() - 1).get("loss").asDouble();
        System.err.printf("sft lora: loss %.4f -> %.4f%n", first, last);
        assertTrue(last < 0.5 * first, "LoRA learns: loss " + first + " -> " + last);

        assertEquals(baseOnDisk.keySet(), baseAfter.keySet());
        baseOnDisk.forEach((name, t) -> assertArrayEquals(t.values(), baseAfter.get(name), 0f, name + " is untouched"));

        Path adapter = out.resolve("final");
        for (String file : List.of("adapter_config.json", "adapter_model.safetensors", "tokenizer.json")) {
            assertTrue(Files.isRegularFile(adapter.resolve(file)), file);
        }
        assertFalse(Files.exists(adapter.resolve("model.safetensors")), "final/ holds the adapter only");
        // the optimizer state covers the adapters only
        Map<String, FloatTensor> optimizer = SafetensorsReader.readFloats(
                out.resolve("checkpoints/step-000120/optimizer.safetensors"));
        assertEquals(3 * 2 * 7 * 2, optimizer.size());
        optimizer.keySet().forEach(k -> assertTrue(k.contains(".lora_A.weight") || k.contains(".lora_B.weight"), k));

        float[] reloaded;
        try (PretrainedModel loaded = PretrainedModel.load(adapter)) {
            assertTrue(loaded.adapters() != null, "an adapter directory loads with its base");
            reloaded = logps(loaded);
            loaded.saveMerged(out.resolve("merged"), SaveDtype.FLOAT32);
        }
        assertArrayEquals(trainedLogps[0], reloaded, 0f, "the saved adapter reproduces the trained model");
        try (PretrainedModel merged = PretrainedModel.load(out.resolve("merged"))) {
            assertTrue(merged.adapters() == null);
            float[] mergedLogps = logps(merged);
            for (int i = 0; i < reloaded.length; i++) {
                assertEquals(reloaded[i], mergedLogps[i], 1e-5, "merged log-prob " + i);
            }
        }

        // a stage whose model is an adapter directory trains base + adapter as one model (here at lr 0)
        SftConfig fromAdapter = new SftConfig(adapter.toString(), out.resolve("full").toString(), 0L, "cpu",
                "float32", "float32", new DataConfig("in-memory", null, null, null, null, null, null),
                SftFixtures.train(1, 8, 1, 0.0, "constant", 0, 0, 0, null), null);
        new SftTrainer(fromAdapter, (t, n) -> data).run();
        try (PretrainedModel full = PretrainedModel.load(out.resolve("full/final"))) {
            assertTrue(full.adapters() == null && Files.isRegularFile(out.resolve("full/final/model.safetensors")));
            float[] fullLogps = logps(full);
            for (int i = 0; i < reloaded.length; i++) {
                assertEquals(reloaded[i], fullLogps[i], 1e-5, "log-prob " + i + " after training from the adapter");
            }
        }

        // lora.adapter: a run continues from the saved adapter (at lr 0 it keeps it bit for bit)
        LoraConfig continued = new LoraConfig(null, null, null, null, null, adapter.toString());
        SftConfig again = new SftConfig(model.toString(), out.resolve("again").toString(), 0L, "cpu", "float32",
                "float32", new DataConfig("in-memory", null, null, null, null, null, null),
                SftFixtures.train(1, 8, 1, 0.0, "constant", 0, 0, 0, null), null, continued);
        new SftTrainer(again, (t, n) -> data).run();
        Map<String, FloatTensor> given = SafetensorsReader.readFloats(adapter.resolve("adapter_model.safetensors"));
        Map<String, FloatTensor> kept = SafetensorsReader.readFloats(
                out.resolve("again/final/adapter_model.safetensors"));
        assertEquals(given.keySet(), kept.keySet());
        given.forEach((name, t) -> assertArrayEquals(t.values(), kept.get(name).values(), 0f, name));
    }

    @Test
    void learnsWithTheFrozenBaseHeldInFloat16() throws Exception {
        // lora.base_dtype: float16: the projections and embeddings compute in float16, the rest in float32
        LoraConfig half = new LoraConfig(8, 16.0, 0.05, LoraConfig.KNOWN_TARGETS, null, null, "float16");
        Path out = shared.resolve("half");
        long[] bytes = new long[1];
        TrainConfig train = SftFixtures.train(120, 8, 1, 1e-2, "cosine", 5, 0, 0, null);
        new SftTrainer(new SftConfig(model.toString(), out.toString(), 0L, "cpu", "float32", "float32",
                new DataConfig("in-memory", null, null, null, null, null, null), train, null, half), (t, n) -> data)
                .afterEachStep(policy -> {
                    bytes[0] = policy.baseWeights().byteSize();
                    assertEquals(ai.djl.ndarray.types.DataType.FLOAT16,
                            policy.baseWeights().get("model.layers.0.self_attn.q_proj.weight").getDataType());
                }).run();
        long float32Bytes;
        try (PretrainedModel base = PretrainedModel.load(model)) {
            float32Bytes = base.baseWeights().byteSize();
        }
        assertTrue(bytes[0] < 0.51 * float32Bytes, "the base's bytes halve (norms stay float32): "
                + bytes[0] + " of " + float32Bytes);
        List<JsonNode> metrics = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME));
        double first = metrics.get(0).get("loss").asDouble();
        double last = metrics.get(metrics.size() - 1).get("loss").asDouble();
        System.err.printf("sft lora, float16 base: loss %.4f -> %.4f%n", first, last);
        assertTrue(last < 0.5 * first, "LoRA on a float16 base learns: loss " + first + " -> " + last);
    }

    @Test
    void interruptedAndResumedLoraRunEqualsTheUninterruptedOneBitForBit() throws Exception {
        // 24 rows / batch 4, 2 micro-batches a step, dropout on: masks must be drawn again the same
        TrainConfig train = SftFixtures.train(8, 4, 2, 3e-3, "cosine", 2, 4, 4, null);
        Path straight = shared.resolve("straight");
        new SftTrainer(config(straight, train), (t, n) -> data).run();
        Path interrupted = shared.resolve("interrupted");
        assertEquals(6, new SftTrainer(config(interrupted, train), (t, n) -> data).stopAfter(6).run().step());
        org.rlhf4j.core.io.AtomicFiles.deleteRecursively(interrupted.resolve("checkpoints/step-000006"));
        RunSummary resumed = new SftTrainer(config(interrupted, train), (t, n) -> data).run();
        assertEquals(4, resumed.resumedFromStep());
        Map<String, FloatTensor> expected = SafetensorsReader.readFloats(
                straight.resolve("final/adapter_model.safetensors"));
        Map<String, FloatTensor> actual = SafetensorsReader.readFloats(
                interrupted.resolve("final/adapter_model.safetensors"));
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name).values(), actual.get(name).values(), 0f, name); // bit for bit
        }
    }

    @Test
    void theLoraSectionBindsFromYamlWithOverrides() throws Exception {
        Path file = shared.resolve("sft-lora.yaml");
        Files.writeString(file, """
                model: m
                output_dir: o
                data: {train: t.jsonl}
                train: {max_steps: 1}
                lora:
                  r: 16
                  alpha: 32
                  target_modules: [q_proj, k_proj, v_proj, o_proj]
                """);
        SftConfig config = ConfigLoader.load(file, List.of("lora.dropout=0.1"), SftConfig.class);
        assertEquals(16, config.lora().r());
        assertEquals(2.0, config.lora().scale());
        assertEquals(0.1, config.lora().dropout());
        assertEquals(List.of("q_proj", "k_proj", "v_proj", "o_proj"), config.lora().targetModules());
        assertTrue(ConfigLoader.load(file, List.of(), SftConfig.class).lora() != null);
        assertEquals("float32", config.lora().baseDtype());
        assertEquals("float16", ConfigLoader.load(file, List.of("lora.base_dtype=float16"), SftConfig.class)
                .lora().baseDtype());
        Files.writeString(file, "model: m\noutput_dir: o\ndata: {train: t.jsonl}\ntrain: {max_steps: 1}\n");
        assertEquals(null, ConfigLoader.load(file, List.of(), SftConfig.class).lora());
    }

    /** Next-token log-probs of a fixed probe sequence. */
    private static float[] logps(PretrainedModel policy) {
        try (NDManager scope = policy.manager().newSubManager()) {
            NDArray ids = scope.create(PROBE);
            return policy.model().logits(policy.model().hidden(ids, null)).logSoftmax(-1).toFloatArray();
        }
    }
}
