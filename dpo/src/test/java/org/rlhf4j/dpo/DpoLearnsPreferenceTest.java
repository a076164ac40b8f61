package org.rlhf4j.dpo;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.testing.LearningScenario;

/**
 * End to end: a tiny Llama warmed up to answer rudely is trained by DPO on pairs that prefer the
 * polite answer; on held-out words accuracy and margin rise and greedy answers turn polite
 * ({@link DpoLearning}, seed 0).
 */
class DpoLearnsPreferenceTest {

    @TempDir
    Path dir;

    @Test
    void accuracyAndMarginRiseAndGreedyAnswersTurnPolite() throws Exception {
        Map<String, Double> figures = DpoLearning.POLITENESS.run(dir, 0);
        System.err.println("dpo politeness: " + figures);
        LearningScenario.assertMeets(DpoLearning.POLITENESS, figures);
    }
}
