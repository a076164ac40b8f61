package org.rlhf4j.dpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.lora.LoraAdapter;
import org.rlhf4j.core.lora.LoraAdapters;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.testing.TinyModels;

/** {@code dpo.reference: adapters_off}: the policy with its adapters off is the base, with no second copy. */
class DpoLoraTest {

    private static final LoraConfig LORA = new LoraConfig(4, 8.0, null, LoraConfig.KNOWN_TARGETS, null, null);

    @TempDir
    static Path dir;

    static Path modelDir;
    static List<DpoPair> pairs;

    @BeforeAll
    static void fixtures() throws Exception {
        modelDir = TinyModels.llama(dir.resolve("model"), 32, 2, 3);
        pairs = new ArrayList<>();
        var tokenized = DpoFixtures.pairs(5, 0);
        for (int i = 0; i < tokenized.size(); i++) {
            pairs.add(DpoPair.of(tokenized.get(i), i, 128, 64));
        }
    }

    @Test
    void adaptersOffGivesTheReferenceLogpsOfASeparatelyLoadedBase() throws Exception {
        ReferenceLogps base;
        try (FrozenReference separate = new FrozenReference(PretrainedModel.load(modelDir))) {
            base = separate.logps(pairs);
        }
        try (PretrainedModel policy = PretrainedModel.load(modelDir)) {
            LoraAdapters adapters = LoraAdapters.create(LORA, policy.baseWeights(), policy.manager(), 1);
            for (LoraAdapter adapter : adapters.adapters()) { // trained-looking adapters
                adapter.b().set(policy.manager().randomNormal(0f, 0.1f, adapter.b().getShape(),
                        adapter.b().getDataType()).toFloatArray());
            }
            policy.attachAdapters(adapters, modelDir.toString());
            ReferenceLogps adapted = FrozenReference.score(policy, pairs);
            assertFalse(java.util.Arrays.equals(base.chosen(), adapted.chosen()), "the adapters change the policy");
            try (AdaptersOffReference reference = new AdaptersOffReference(policy)) {
                ReferenceLogps off = reference.logps(pairs);
                assertArrayEquals(base.chosen(), off.chosen(), 0f);
                assertArrayEquals(base.rejected(), off.rejected(), 0f);
            }
            assertArrayEquals(adapted.chosen(), FrozenReference.score(policy, pairs).chosen(), 0f,
                    "the adapters are on again afterwards");
        }
    }

    @Test
    void aLoraDpoRunAgainstItsOwnBaseLearnsThePreference() throws Exception {
        Path out = dir.resolve("run");
        DpoConfig config = new DpoConfig(modelDir.toString(), out.toString(), 0L, "cpu", "float32", "float32",
                new DataConfig("in-memory", null, null, null, null, false, null), DpoFixtures.train(20, 4, 1, 1e-2, 0, 0),
                DpoFixtures.options("sigmoid", 0.1, DpoOptions.ADAPTERS_OFF), LORA);
        RunSummary summary = new DpoTrainer(config,
                tokenizer -> PreferenceData.of(DpoFixtures.pairs(8, 0), List.of())).run();
        assertEquals(20, summary.step());
        List<JsonNode> metrics = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME));
        double first = metrics.get(0).get("loss").asDouble();
        double last = metrics.get(metrics.size() - 1).get("loss").asDouble();
        System.err.printf("dpo lora adapters_off: loss %.4f -> %.4f%n", first, last);
        assertEquals(Math.log(2), first, 1e-4, "the first step's policy is its own reference (B = 0)");
        assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);
        assertTrue(Files.isRegularFile(out.resolve("final/adapter_config.json")));
        assertFalse(Files.exists(out.resolve(ReferenceCache.FILE_NAME)), "no reference pass, no cache");
    }

    @Test
    void adaptersOffNeedsALoraSection() {
        DataConfig data = new DataConfig("in-memory", null, null, null, null, false, null);
        ConfigException e = assertThrows(ConfigException.class, () -> new DpoConfig("m", "o", 0L, "cpu", "float32",
                "float32", data, DpoFixtures.train(1, 1, 1, 1e-3, 0, 0),
                DpoFixtures.options("sigmoid", 0.1, DpoOptions.ADAPTERS_OFF)));
        assertTrue(e.getMessage().contains("dpo.reference: adapters_off needs a lora: section"), e.getMessage());
        LoraConfig saving = new LoraConfig(null, null, null, null, List.of("lm_head"), null);
        e = assertThrows(ConfigException.class, () -> new DpoConfig("m", "o", 0L, "cpu", "float32", "float32", data,
                DpoFixtures.train(1, 1, 1, 1e-3, 0, 0), DpoFixtures.options("sigmoid", 0.1, DpoOptions.ADAPTERS_OFF),
                saving));
        assertTrue(e.getMessage().contains("lora.modules_to_save"), e.getMessage());
    }
}
