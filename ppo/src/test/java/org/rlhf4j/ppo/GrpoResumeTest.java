package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.training.MetricsLog;

/**
 * A critic-free run with dynamic sampling, killed after iteration 3 and resumed from its checkpoint
 * at 2, ends where the uninterrupted run ends: extra generation rounds draw further prompt batches
 * (the saved sampler position moves by more than one batch, across epoch ends) and their own row seeds.
 */
class GrpoResumeTest {

    @TempDir
    Path dir;

    @Test
    void dynamicSamplingResumesExactly() throws Exception {
        Path sft = PpoFixtures.letterPolicy(dir, 16, 20);
        Path prompts = PpoFixtures.prompts(dir.resolve("prompts.jsonl"));
        Path straight = dir.resolve("straight");
        new PpoTrainer(config(sft, prompts, straight)).run();
        Path interrupted = dir.resolve("interrupted");
        assertThrows(IllegalStateException.class, () -> new PpoTrainer(config(sft, prompts, interrupted))
                .observe((iteration, timings, line) -> {
                    if (iteration == 3) {
                        throw new IllegalStateException("killed");
                    }
                }).run());
        assertEquals(2, new PpoTrainer(config(sft, prompts, interrupted)).run().resumedFromStep());
        assertEquals(-1L, Files.mismatch(straight.resolve("final/model.safetensors"),
                interrupted.resolve("final/model.safetensors")), "the same policy, bit for bit");
        List<JsonNode> expected = MetricsLog.read(straight.resolve(MetricsLog.FILE_NAME));
        List<JsonNode> actual = MetricsLog.read(interrupted.resolve(MetricsLog.FILE_NAME));
        assertEquals(5, actual.size());
        double rounds = 0;
        for (int i = 0; i < expected.size(); i++) {
            for (String key : List.of("reward", "kl", "loss/policy", "dynamic_sampling/rounds",
                    "dynamic_sampling/sampled_reward", "clip_ratio/high_mean")) {
                assertEquals(expected.get(i).get(key), actual.get(i).get(key), key + " at line " + i);
            }
            rounds += expected.get(i).get("dynamic_sampling/rounds").asDouble();
        }
        assertTrue(rounds > 5, "some iteration refilled its batch: " + rounds + " rounds in 5 iterations");
        assertFalse(Files.exists(interrupted.resolve("checkpoints").resolve("step-000005").resolve("critic")));
        // another group size gives the saved prompt position another meaning
        UserException e = assertThrows(UserException.class,
                () -> new PpoTrainer(config(sft, prompts, interrupted, 2)).run());
        assertTrue(e.getMessage().contains("ppo.group_size was 4, the config now gives 2"), e.getMessage());
    }

    /** Five iterations, checkpoints at 2 and 4; GRPO with dynamic sampling, clip-higher, a k3 KL loss term. */
    private static PpoConfig config(Path sft, Path prompts, Path out) {
        return config(sft, prompts, out, 4);
    }

    private static PpoConfig config(Path sft, Path prompts, Path out, int groupSize) {
        PpoConfig base = PpoFixtures.config(sft, prompts, out, 5, 2);
        PpoOptions ppo = new PpoOptions(null, null, 5e-3, 64, 4, 1.0, null, null, 2, 4, 0.05, KlEstimator.K3, null,
                null, null, null, null, null, null, null, null, null, null, null, 2, 2, AdvantageEstimator.GRPO,
                groupSize, null, null, KlPlacement.LOSS, null, 0.28, true, null, null, 2);
        return new PpoConfig(base.model(), base.outputDir(), base.seed(), base.device(), base.dtype(),
                base.saveDtype(), base.data(), base.train(), ppo, base.rewards());
    }
}
