package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.lora.LoraAdapters;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.lora.PeftAdapterFiles;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.TokenLogps;
import org.rlhf4j.core.optim.AdamW;
import org.rlhf4j.core.optim.AdamWConfig;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.RunSummary;

/**
 * The LoRA critic ({@code ppo.critic_lora}) on the policy's frozen base: one base in memory, two adapter
 * sets that never leak into each other's forward, the base untouched by training either; a run
 * killed and resumed equals the uninterrupted one bit for bit, adapters, value head and dropout
 * masks included; and its checkpoint and final critic are PEFT {@code SEQ_CLS} adapters.
 */
class LoraCriticTest {

    static final LoraConfig POLICY_LORA = new LoraConfig(4, 8.0, null, LoraConfig.KNOWN_TARGETS, null, null);
    static final LoraConfig CRITIC_LORA = new LoraConfig(4, 8.0, 0.1, List.of("q_proj", "v_proj", "up_proj"),
            null, null);
    private static final long[][] IDS = {{3, 17, 42, 99, 5, 7}, {8, 9, 10, 11, 12, 13}};

    @TempDir
    static Path shared;
    static Path sft;
    static Path prompts;

    @BeforeAll
    static void policy() throws Exception {
        sft = PpoFixtures.letterPolicy(shared, 16, 20);
        prompts = PpoFixtures.prompts(shared.resolve("prompts.jsonl"));
    }

    static PpoConfig config(Path out, int iterations, int saveEvery) {
        PpoConfig base = PpoFixtures.config(sft, prompts, out, iterations, saveEvery);
        return new PpoConfig(base.model(), base.outputDir(), base.seed(), base.device(), base.dtype(),
                base.saveDtype(), base.data(), base.train(),
                PpoResumeTest.options(null).withLoraCritic(CRITIC_LORA, null), base.rewards(), POLICY_LORA);
    }

    @Test
    void configNamesWhatIsMissingOrContradictory() {
        PpoConfig base = PpoFixtures.config(sft, prompts, shared.resolve("x"), 1, 0);
        ConfigException noPolicyLora = assertThrows(ConfigException.class, () -> new PpoConfig(base.model(),
                base.outputDir(), base.seed(), base.device(), base.dtype(), base.saveDtype(), base.data(), base.train(),
                base.ppo().withLoraCritic(CRITIC_LORA, CriticBase.POLICY), base.rewards(), null));
        assertTrue(noPolicyLora.getMessage().contains("ppo.critic_base: policy needs a lora: section"),
                noPolicyLora.getMessage());
        PpoOptions withCriticModel = new PpoOptions(null, sft.toString(), null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        ConfigException both = assertThrows(ConfigException.class,
                () -> withCriticModel.withLoraCritic(CRITIC_LORA, null));
        assertTrue(both.getMessage().contains("ppo.critic_model and ppo.critic_lora"), both.getMessage());
        assertEquals(CriticBase.POLICY, config(shared.resolve("x"), 1, 0).ppo().criticBase());
        assertThrows(ConfigException.class, () -> CriticBase.fromName("value_model"));
    }

    @Test
    void adapterSetsDoNotLeakAndTheBaseStaysBitIdentical() throws Exception {
        PpoConfig config = config(shared.resolve("unit"), 1, 0);
        try (PretrainedModel policy = PretrainedModel.load(sft)) {
            LoraAdapters policyAdapters = LoraAdapters.create(POLICY_LORA, policy.baseWeights(), policy.manager(), 3);
            randomiseB(policyAdapters, policy.manager()); // B = 0 would make the policy equal its base
            policy.attachAdapters(policyAdapters, sft.toString());
            Map<String, float[]> base = floats(policy.baseWeights().asMap());
            try (PretrainedModel critic = LoraCritic.open(config, policy, null, null)) {
                String q = "model.layers.0.self_attn.q_proj.weight";
                assertSame(policy.baseWeights().get(q), critic.baseWeights().get(q), "one base in memory, shared");
                assertEquals("LlamaForSequenceClassification", critic.config().architecture().hfName());

                float[] policyBefore = policyLogps(policy.model(), policy.manager());
                float[] valuesBefore = values(critic.model(), critic.manager());
                assertArrayEquals(new float[valuesBefore.length], valuesBefore, 0f, "the value head starts at 0");

                // train the critic's adapters and head: the policy's forward does not move
                try (Learner learner = Learner.open(critic, config.train(),
                        config.train().learningRateSchedule(3), null, LoraCritic.seed(config), 0)) {
                    for (int step = 0; step < 3; step++) {
                        try (NDManager scope = critic.manager().newSubManager();
                                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray v = criticValues(critic.model(), scope); // (B, T)
                            gc.backward(v.sub(1.0f).square().mean());
                        }
                        learner.apply(step, 1.0);
                    }
                }
                float[] valuesTrained = values(critic.model(), critic.manager());
                assertFalse(Arrays.equals(valuesBefore, valuesTrained), "the critic learned");
                assertArrayEquals(policyBefore, policyLogps(policy.model(), policy.manager()), 0f,
                        "the critic's adapters never enter the policy's forward");

                // train the policy's adapters: the critic's forward does not move
                Map<String, NDArray> trainable = policyAdapters.parameters();
                trainable.values().forEach(a -> a.setRequiresGradient(true));
                try (AdamW adam = new AdamW(trainable, AdamWConfig.withWeightDecay(0), policy.manager())) {
                    for (int step = 0; step < 3; step++) {
                        try (NDManager scope = policy.manager().newSubManager()) {
                            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                                gc.backward(policyLogpsArray(policy.model(), scope).mean().neg());
                            }
                            adam.step(1e-2);
                        }
                    }
                }
                assertFalse(Arrays.equals(policyBefore, policyLogps(policy.model(), policy.manager())),
                        "the policy learned");
                assertArrayEquals(valuesTrained, values(critic.model(), critic.manager()), 0f,
                        "the policy's adapters never enter the critic's forward");
            }
            Map<String, float[]> after = floats(policy.baseWeights().asMap());
            assertEquals(base.keySet(), after.keySet());
            base.forEach((name, values) -> assertArrayEquals(values, after.get(name), 0f, name + " was written"));
        }
    }

    @Test
    void killedAndResumedRunEqualsTheUninterruptedOneAndSavesPeftCritics() throws Exception {
        Path straight = shared.resolve("straight");
        RunSummary a = new PpoTrainer(config(straight, 5, 2)).run();
        assertEquals(5, a.step());
        Path interrupted = shared.resolve("interrupted");
        assertThrows(IllegalStateException.class, () -> new PpoTrainer(config(interrupted, 5, 2))
                .observe((iteration, timings, line) -> {
                    if (iteration == 3) {
                        throw new IllegalStateException("killed");
                    }
                }).run());
        RunSummary resumed = new PpoTrainer(config(interrupted, 5, 2)).run();
        assertEquals(2, resumed.resumedFromStep());
        assertEquals(a.lastTrain("objective/kl"), resumed.lastTrain("objective/kl"), 0.0);
        assertEquals(a.lastTrain("val/mean"), resumed.lastTrain("val/mean"), 0.0);
        for (String file : List.of("final/" + PeftAdapterFiles.WEIGHTS_FILE,
                "final/critic/" + PeftAdapterFiles.WEIGHTS_FILE,
                "checkpoints/" + CheckpointStore.name(4) + "/critic/" + CheckpointStore.OPTIMIZER_FILE)) {
            PpoResumeTest.assertSameTensors(straight.resolve(file), interrupted.resolve(file));
        }

        // the critic in PEFT's layout: SEQ_CLS, the value head under modules_to_save, only adapter tensors
        Path critic = straight.resolve("final").resolve(PpoTrainer.CRITIC_DIR);
        JsonNode header = new ObjectMapper().readTree(critic.resolve(PeftAdapterFiles.CONFIG_FILE).toFile());
        assertEquals("SEQ_CLS", header.get("task_type").asText());
        assertEquals("[\"score\"]", header.get("modules_to_save").toString());
        assertEquals("[\"q_proj\",\"v_proj\",\"up_proj\"]", header.get("target_modules").toString());
        assertEquals(sft.toAbsolutePath().normalize().toString(), header.get("base_model_name_or_path").asText());
        Map<String, ?> tensors = SafetensorsReader.readFloats(critic.resolve(PeftAdapterFiles.WEIGHTS_FILE));
        assertTrue(tensors.containsKey("base_model.model.score.weight"), tensors.keySet().toString());
        assertTrue(tensors.containsKey("base_model.model.model.layers.1.mlp.up_proj.lora_B.weight"));
        assertEquals(1 + 2 * 3 * 2, tensors.size(), "A and B of 3 projections in 2 layers, and the head");
        assertTrue(Files.isRegularFile(straight.resolve("final").resolve(PeftAdapterFiles.CONFIG_FILE)));
        // the critic adapter loads as a value model on its base, as `rlhf4j score --model` would
        try (PretrainedModel loaded = PretrainedModel.load(critic)) {
            assertTrue(loaded.model().hasScoreHead());
            assertEquals(1 + 2 * 3 * 2, loaded.adapters().parameters().size());
        }
    }

    private static void randomiseB(LoraAdapters adapters, NDManager manager) {
        for (var adapter : adapters.adapters()) {
            NDArray b = adapter.b();
            try (NDManager scope = manager.newSubManager()) {
                b.set(scope.randomNormal(0f, 0.05f, b.getShape(), b.getDataType()).toByteBuffer());
            }
        }
    }

    private static NDArray policyLogpsArray(LlamaModel model, NDManager scope) {
        NDArray ids = scope.create(IDS); // (B, T)
        NDArray logits = model.logits(model.hidden(ids, null)); // (B, T, V)
        return TokenLogps.of(logits.get(new NDIndex(":, :-1, :")), ids.get(new NDIndex(":, 1:"))); // (B, T-1)
    }

    private static float[] policyLogps(LlamaModel model, NDManager parent) {
        try (NDManager scope = parent.newSubManager()) {
            return policyLogpsArray(model, scope).toFloatArray();
        }
    }

    private static NDArray criticValues(LlamaModel model, NDManager scope) {
        NDArray ids = scope.create(IDS); // (B, T)
        return model.scores(model.hidden(ids, null)); // (B, T)
    }

    private static float[] values(LlamaModel model, NDManager parent) {
        try (NDManager scope = parent.newSubManager()) {
            return criticValues(model, scope).toFloatArray();
        }
    }

    private static Map<String, float[]> floats(Map<String, NDArray> arrays) {
        Map<String, float[]> out = new LinkedHashMap<>();
        arrays.forEach((name, array) -> out.put(name, array.toFloatArray()));
        return out;
    }
}
