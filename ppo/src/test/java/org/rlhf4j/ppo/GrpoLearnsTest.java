package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.testing.LearningScenario;

/**
 * End to end, critic-free: on the letter task each {@link GrpoLearning} variant (seed 0) learns to
 * answer "a" with bounded KL, logs TRL's GRPO metric names and no value metrics, and neither trains
 * nor checkpoints a critic.
 */
class GrpoLearnsTest {

    private static final List<String> GRPO_KEYS = List.of("reward", "reward_std", "frac_reward_zero_std", "kl",
            "clip_ratio/low_mean", "clip_ratio/high_mean", "clip_ratio/region_mean", "completions/mean_length",
            "completions/clipped_ratio", "entropy");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(GrpoLearning.class)
    void learnsWithoutACritic(GrpoLearning scenario) throws Exception {
        Map<String, Double> figures = scenario.run(dir, 0);
        System.err.println(scenario + ": " + figures);
        assertEquals(24.0, figures.get("iterations"));
        LearningScenario.assertMeets(scenario, figures);
        Path out = dir.resolve("run");
        for (JsonNode l : MetricsLog.read(out.resolve(MetricsLog.FILE_NAME))) {
            for (String key : GRPO_KEYS) {
                assertTrue(l.has(key), key + " in " + l);
            }
            assertFalse(l.has("loss/value") || l.has("val/mean") || l.has("grad_norm/critic"), l.toString());
            assertEquals(l.get("objective/scores").asDouble(), l.get("reward").asDouble(), 0);
        }
        Path checkpoint = out.resolve("checkpoints").resolve(CheckpointStore.name(24));
        assertTrue(Files.isDirectory(checkpoint));
        assertFalse(Files.exists(checkpoint.resolve(PpoTrainer.CRITIC_DIR)), "no critic is saved");
        assertTrue(Files.isDirectory(out.resolve("final")));
    }
}
