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
        assertEquals(new PpoOptions.Kl(0.1, KlEstimator.K1, null, 10000, KlPlacement.REWARD), ppo.kl());
        assertEquals(new PpoOptions.Advantage(AdvantageEstimator.GAE, 1.0, 1.0, 1, true, false, 3), ppo.advantage());
        assertEquals(new PpoOptions.Update(2, 16, 0.2, 0.2, 0.1, 0.0, null, 0.2, 0.2, LossAggregation.TOKEN_MEAN, 56, null),
                demo.update());
        assertEquals(new PpoOptions.Shaping(1.0, RewardNorm.NONE, null, null, 1.0, 56), ppo.shaping());
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
    void resolvedConfigLoadsBackAsTheSameConfig() throws Exception {
        for (Path file : List.of(DEMO, RULE_DEMO, Path.of("../configs/demo/grpo.yaml"))) {
            PpoConfig config = ConfigLoader.load(file, List.of(), PpoConfig.class);
            String yaml = ConfigLoader.toYaml(config);
            Path resolved = java.nio.file.Files.createTempFile("resolved", ".yaml");
            try {
                java.nio.file.Files.writeString(resolved, yaml);
                assertEquals(config, ConfigLoader.load(resolved, List.of(), PpoConfig.class), file + "\n" + yaml);
            } finally {
                java.nio.file.Files.delete(resolved);
            }
        }
    }

    @Test
    void badEnumValuesNameTheKeyAndTheChoices() {
        assertMessage(RULE_DEMO, "ppo.reward_norm=whiten", "ppo.reward_norm must be one of none, running, got 'whiten'");
        assertMessage(RULE_DEMO, "ppo.kl_estimator=k4", "ppo.kl_estimator must be one of k1, k2, k3, got 'k4'");
        assertMessage(DEMO, "rewards.combine=max", "rewards.combine must be one of sum, safety_gate, got 'max'");
    }

    /** {@code overrides}: one {@code --set} value, or several joined by {@code " --set "}. */
    private static void assertMessage(Path file, String overrides, String expected) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(file, List.of(overrides.split(" --set ")), PpoConfig.class));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void groupKeysBindWithTheirDefaults() {
        PpoConfig grpo = ConfigLoader.load(RULE_DEMO, List.of("ppo.advantage=grpo", "ppo.clip_high=0.28",
                "ppo.kl_in=loss", "ppo.kl_estimator=k3", "ppo.loss_agg=seq_mean_token_sum_norm",
                "ppo.overlong_buffer=4", "ppo.dynamic_sampling=true"), PpoConfig.class);
        PpoOptions ppo = grpo.ppo();
        assertEquals(new PpoOptions.Advantage(AdvantageEstimator.GRPO, 1.0, 0.95, 4, true, true, 3), ppo.advantage());
        assertEquals(4, grpo.promptsPerBatch(), "batch 16 responses in groups of 4");
        assertEquals(new PpoOptions.Update(4, 8, 0.2, 0.2, 0.1, 0.0, null, 0.2, 0.28,
                LossAggregation.SEQ_MEAN_TOKEN_SUM_NORM, 8, KlEstimator.K3), grpo.update());
        assertEquals(0.0, ppo.kl().rewardCoef(0.05), "the KL is in the loss, not the rewards");
        assertEquals(new PpoOptions.Shaping(1.0, RewardNorm.NONE, null, 4, 1.0, 8), ppo.shaping());
        String yaml = ConfigLoader.toYaml(grpo);
        assertTrue(yaml.contains("advantage: grpo") && yaml.contains("group_size: 4") && yaml.contains("kl_in: loss"),
                yaml);
    }

    @Test
    void badGroupKeysAreNamed() {
        assertMessage(RULE_DEMO, "ppo.advantage=rloo --set ppo.group_size=1", "ppo.group_size must be >= 2 with"
                + " ppo.advantage: rloo");
        assertMessage(RULE_DEMO, "ppo.advantage=ppo2", "ppo.advantage must be one of gae, grpo, rloo,"
                + " reinforce_baseline, got 'ppo2'");
        assertMessage(RULE_DEMO, "ppo.advantage=grpo --set ppo.group_size=3",
                "train.batch_size 16 (responses per rollout batch) must be a multiple of ppo.group_size 3");
        assertMessage(RULE_DEMO, "ppo.dynamic_sampling=true", "ppo.dynamic_sampling needs groups");
        assertMessage(RULE_DEMO, "ppo.overlong_buffer=9", "ppo.overlong_buffer must be in [1, ppo.max_new_tokens = 8]");
        assertMessage(RULE_DEMO, "ppo.clip_low=1.0", "ppo.clip_low must be < 1");
        assertMessage(RULE_DEMO, "ppo.loss_agg=sum", "ppo.loss_agg must be one of token_mean, seq_mean_token_mean,"
                + " seq_mean_token_sum_norm, got 'sum'");
        assertMessage(RULE_DEMO, "ppo.kl_in=both", "ppo.kl_in must be one of reward, loss, got 'both'");
    }

    @Test
    void ptxKeys() {
        assertEquals(new PpoOptions.Ptx(0.0, null), ConfigLoader.load(RULE_DEMO, List.of(), PpoConfig.class).ppo().ptx(),
                "off by default");
        PpoOptions.Ptx ptx = ConfigLoader.load(RULE_DEMO, List.of("ppo.ptx_coef=0.5", "ppo.ptx_data=text.txt"),
                PpoConfig.class).ppo().ptx();
        assertEquals(new PpoOptions.Ptx(0.5, "text.txt"), ptx);
        assertTrue(ptx.enabled());
        assertMessage(RULE_DEMO, "ppo.ptx_coef=0.5", "ppo.ptx_coef 0.5 needs ppo.ptx_data");
        assertMessage(RULE_DEMO, "ppo.ptx_coef=-1", "ppo.ptx_coef");
    }
}
