package org.rlhf4j.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.datasets.RewardConditions;
import org.rlhf4j.testing.LearningScenario;

/**
 * End to end: a tiny reward model learns to prefer the correct sum over a wrong one and reaches
 * high accuracy on held-out pairs, without and with conditions ({@link RewardLearning}, seed 0);
 * the exported {@code final/} gives the same held-out accuracy when loaded again.
 */
class RewardLearnsTest {

    @TempDir
    Path dir;

    @Test
    void learnsToPreferTheCorrectSum() throws Exception {
        Map<String, Double> figures = RewardLearning.SUMS.run(dir, 0);
        System.err.println("sums: " + figures);
        LearningScenario.assertMeets(RewardLearning.SUMS, figures);
        List<JsonNode> lines = MetricsLog.read(dir.resolve("rm").resolve(MetricsLog.FILE_NAME));
        JsonNode first = lines.get(0);
        assertTrue(first.has("accuracy/degree/slightly_better") && first.has("rewards/chosen") && first.has("margin"),
                first.toString());
        assertTrue(lines.stream().anyMatch(n -> n.has("eval_accuracy/degree/significantly_better")));
    }

    @Test
    void conditionalModelLearnsBothPreferences() throws Exception {
        Map<String, Double> figures = RewardLearning.CONDITIONAL.run(dir, 0);
        System.err.println("conditional: " + figures);
        LearningScenario.assertMeets(RewardLearning.CONDITIONAL, figures);
        assertEquals(RewardLearning.CONDITIONS, RewardConditions.read(dir.resolve("rm").resolve("final")).table());
    }
}
