package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunSummary;

/**
 * PPO with a LoRA policy: the reference is the policy with its adapters off, which gives the metrics a
 * separately loaded reference copy gives, bit for bit, without the copy.
 */
class PpoLoraTest {

    private static final LoraConfig LORA = new LoraConfig(4, 8.0, null, LoraConfig.KNOWN_TARGETS, null, null);

    @TempDir
    static Path shared;
    static Path sft;
    static Path prompts;

    @BeforeAll
    static void policy() throws Exception {
        sft = PpoFixtures.letterPolicy(shared, 16, 20);
        prompts = PpoFixtures.prompts(shared.resolve("prompts.jsonl"));
    }

    private static PpoConfig config(Path out, String referenceModel) {
        PpoConfig base = PpoFixtures.config(sft, prompts, out, 2, 0);
        return new PpoConfig(base.model(), base.outputDir(), base.seed(), base.device(), base.dtype(),
                base.saveDtype(), base.data(), base.train(), PpoResumeTest.options(referenceModel), base.rewards(), LORA);
    }

    @Test
    void adaptersOffIsTheReferenceAndEqualsASeparateCopy() throws Exception {
        assertTrue(config(shared.resolve("x"), null).referenceIsAdaptersOff());
        assertFalse(config(shared.resolve("x"), sft.toString()).referenceIsAdaptersOff());
        RunSummary off = new PpoTrainer(config(shared.resolve("off"), null)).run();
        RunSummary copy = new PpoTrainer(config(shared.resolve("copy"), sft.toString())).run();
        assertEquals(2, off.step());
        assertTrue(Files.isRegularFile(shared.resolve("off/final/adapter_config.json")));
        List<JsonNode> a = MetricsLog.read(shared.resolve("off").resolve(MetricsLog.FILE_NAME));
        List<JsonNode> b = MetricsLog.read(shared.resolve("copy").resolve(MetricsLog.FILE_NAME));
        assertEquals(0.0, a.get(0).get("objective/kl").asDouble(), 1e-7, "B = 0: the policy starts as its reference");
        assertTrue(Math.abs(a.get(1).get("objective/kl").asDouble()) > 0, "the adapters moved the policy");
        assertEquals(b.size(), a.size());
        for (int i = 0; i < a.size(); i++) {
            for (Iterator<String> keys = a.get(i).fieldNames(); keys.hasNext();) {
                String key = keys.next();
                if (!key.startsWith("time/") && !key.startsWith("memory/") && !key.contains("per_second")) {
                    assertEquals(b.get(i).get(key), a.get(i).get(key), key + " at line " + i);
                }
            }
        }
    }
}
