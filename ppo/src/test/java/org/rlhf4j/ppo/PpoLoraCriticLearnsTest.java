package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.lora.PeftAdapterFiles;
import org.rlhf4j.testing.LearningScenario;

/**
 * End to end: PPO with the critic as LoRA adapters on a reward model's base learns the letter task
 * ({@link PpoLoraCriticLearning}, seed 0) and exports the critic as a PEFT adapter in {@code final/critic}.
 */
class PpoLoraCriticLearnsTest {

    @TempDir
    Path dir;

    @Test
    void meanRewardRisesWithBoundedKl() throws Exception {
        Map<String, Double> figures = PpoLoraCriticLearning.STARTS_WITH_A_LORA_CRITIC.run(dir, 0);
        System.err.println("ppo lora critic starts-with-a: " + figures);
        assertEquals(24.0, figures.get("iterations"));
        LearningScenario.assertMeets(PpoLoraCriticLearning.STARTS_WITH_A_LORA_CRITIC, figures);
        assertTrue(Files.isRegularFile(dir.resolve("run/final/critic").resolve(PeftAdapterFiles.WEIGHTS_FILE)));
    }
}
