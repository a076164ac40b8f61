package org.rlhf4j.dpo;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.testing.LearningScenario;

/**
 * End to end: a tiny Llama warmed up to answer rudely is trained by DPO, SimPO, ORPO or KTO on
 * pairs (for KTO, the same pairs unpaired) that prefer the polite answer; on held-out words the
 * margin rises and greedy answers turn polite ({@link DpoLearning}, seed 0).
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

    @ParameterizedTest
    @EnumSource(value = DpoLearning.class, names = {"SIMPO", "ORPO", "KTO"})
    void theOfflineVariantsLearnTheSamePreference(DpoLearning scenario) throws Exception {
        Map<String, Double> figures = scenario.run(dir, 0);
        System.err.println(scenario + " politeness: " + figures);
        LearningScenario.assertMeets(scenario, figures);
    }
}
