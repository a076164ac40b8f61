package org.rlhf4j.sft;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.testing.LearningScenario;

/** End to end: a tiny random Llama learns single-digit addition from 30 ChatML conversations ({@link SftLearning}). */
class SftLearnsAdditionTest {

    @TempDir
    Path dir;

    @Test
    void lossFallsAndGreedyAnswersBecomeRight() throws Exception {
        Map<String, Double> figures = SftLearning.ADDITION.run(dir, 0);
        System.err.println("sft addition: " + figures);
        LearningScenario.assertMeets(SftLearning.ADDITION, figures);
    }
}
