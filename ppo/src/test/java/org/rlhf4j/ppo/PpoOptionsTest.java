package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.ConfigLoader;

/** The flat {@code ppo:} keys of the demo configs bind to the grouped options and enums, and bad enum values are named. */
class PpoOptionsTest {

    private static final Path DEMO = Path.of("../configs/demo/ppo.yaml");
    private static final Path RULE_DEMO = Path.of("../configs/demo/ppo-rule.yaml");

    @Test
    void demoConfigsBindToTheGroups() {
        PpoConfig demo = ConfigLoader.load(DEMO, List.of(), PpoConfig.class);
        PpoOptions ppo = demo.ppo();
        assertEquals(new PpoOptions.Generation(256, 56, 1.0, 0, 1.0), ppo.generation());
        assertEquals(new PpoOptions.Kl(0.1, KlEstimator.K1, null, 10000), ppo.kl());
        assertEquals(new PpoOptions.Advantage(1.0, 1.0), ppo.advantage());
        assertEquals(new PpoOptions.Update(2, 16, 0.2, 0.2, 0.1, 0.0, null), demo.update());
        assertEquals(new PpoOptions.Shaping(1.0, RewardNorm.NONE, null), ppo.shaping());
        assertEquals(new PpoOptions.Samples(10, 4), ppo.samples());
        assertEquals(RewardsConfig.Combine.SAFETY_GATE, demo.rewards().combine());
        PpoConfig rule = ConfigLoader.load(RULE_DEMO, List.of("ppo.reward_norm=running", "ppo.kl_estimator=k3"),
                PpoConfig.class);
        assertEquals(RewardNorm.RUNNING, rule.ppo().shaping().norm());
        assertEquals(KlEstimator.K3, rule.ppo().kl().estimator());
        assertEquals(RewardsConfig.Combine.SUM, rule.rewards().combine());
    }

    @Test
    void samplesAreDueAtTheFirstEveryNthAndTheLastIteration() {
        PpoOptions.Samples every5 = new PpoOptions.Samples(5, 4);
        assertEquals(List.of(1, 5, 10, 12), java.util.stream.IntStream.rangeClosed(1, 12)
                .filter(done -> every5.dueAt(done, 12)).boxed().toList());
        assertTrue(java.util.stream.IntStream.rangeClosed(1, 12).noneMatch(done -> new PpoOptions.Samples(0, 4)
                .dueAt(done, 12)), "sample_every 0 never writes");
    }

    @Test
    void resolvedConfigWritesTheKeysAsTheyWereWritten() {
        String yaml = ConfigLoader.toYaml(ConfigLoader.load(RULE_DEMO,
                List.of("ppo.reward_norm=running", "ppo.kl_estimator=k3"), PpoConfig.class));
        assertTrue(yaml.contains("reward_norm: running") && yaml.contains("kl_estimator: k3")
                && yaml.contains("combine: sum"), yaml);
    }

    @Test
    void badEnumValuesNameTheKeyAndTheChoices() {
        assertMessage(RULE_DEMO, "ppo.reward_norm=whiten", "ppo.reward_norm must be one of none, running, got 'whiten'");
        assertMessage(RULE_DEMO, "ppo.kl_estimator=k2", "ppo.kl_estimator must be one of k1, k3, got 'k2'");
        assertMessage(DEMO, "rewards.combine=max", "rewards.combine must be one of sum, safety_gate, got 'max'");
    }

    private static void assertMessage(Path file, String override, String expected) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(file, List.of(override), PpoConfig.class));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
