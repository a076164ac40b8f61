package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.testing.LearningScenario;

/**
 * End to end: a tiny policy that answers a, b, c or d equally learns, from a user RewardFunction
 * named in the config, to answer "a", while the KL to the reference stays bounded
 * ({@link PpoLearning}, seed 0); the run writes its samples, checkpoints with the critic and a
 * final policy of the source architecture.
 */
class PpoLearnsTest {

    @TempDir
    Path dir;

    @Test
    void meanRewardRisesWithBoundedKl() throws Exception {
        Map<String, Double> figures = PpoLearning.STARTS_WITH_A.run(dir, 0);
        System.err.println("ppo starts-with-a: " + figures);
        assertEquals(24.0, figures.get("iterations"));
        LearningScenario.assertMeets(PpoLearning.STARTS_WITH_A, figures);
        Path out = dir.resolve("run");
        for (JsonNode l : MetricsLog.read(out.resolve(MetricsLog.FILE_NAME))) {
            assertTrue(l.has("objective/scores/starts_a") && l.has("time/generation_fraction"), l.toString());
        }
        List<JsonNode> samples = MetricsLog.read(out.resolve(PpoTrainer.SAMPLES_FILE));
        assertTrue(samples.size() >= 8 && samples.get(0).has("scores"), samples.toString());
        assertTrue(Files.isDirectory(out.resolve("checkpoints").resolve(CheckpointStore.name(24))
                .resolve(PpoTrainer.CRITIC_DIR)));
        try (PretrainedModel trained = PretrainedModel.load(out.resolve("final"))) {
            assertEquals("LlamaForCausalLM", trained.config().architecture().hfName());
        }
    }
}
