package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.dpo.DpoConfig;
import org.rlhf4j.ppo.PpoConfig;
import org.rlhf4j.ppo.rs.RsConfig;
import org.rlhf4j.reward.RewardConfig;
import org.rlhf4j.sft.SftConfig;

/**
 * Every stage writes its config after defaults and overrides as {@code config.resolved.yaml}; a
 * user re-runs a stage from that file, so it must bind back to the same config: no derived values
 * written as keys, no internal sentinels.
 */
class ResolvedConfigRoundTripTest {

    private static final Map<String, Class<?>> SHIPPED = Map.ofEntries(
            Map.entry("demo/sft.yaml", SftConfig.class),
            Map.entry("examples/sft-lora.yaml", SftConfig.class),
            Map.entry("examples/ppo-lora-critic.yaml", PpoConfig.class),
            Map.entry("demo/rm-helpful.yaml", RewardConfig.class),
            Map.entry("demo/rm-safety.yaml", RewardConfig.class),
            Map.entry("demo/rm-conditional.yaml", RewardConfig.class),
            Map.entry("demo/dpo.yaml", DpoConfig.class),
            Map.entry("demo/simpo.yaml", DpoConfig.class),
            Map.entry("demo/orpo.yaml", DpoConfig.class),
            Map.entry("demo/kto.yaml", DpoConfig.class),
            Map.entry("demo/ppo.yaml", PpoConfig.class),
            Map.entry("demo/grpo.yaml", PpoConfig.class),
            Map.entry("demo/rs.yaml", RsConfig.class));

    @TempDir
    Path dir;

    @Test
    void everyShippedStageConfigLoadsBackFromItsResolvedYaml() throws Exception {
        for (Map.Entry<String, Class<?>> shipped : SHIPPED.entrySet()) {
            Path file = Path.of("../configs").resolve(shipped.getKey());
            Object config = ConfigLoader.load(file, List.of(), shipped.getValue());
            String yaml = ConfigLoader.toYaml(config);
            Path resolved = Files.writeString(dir.resolve(file.getFileName()), yaml);
            assertEquals(config, ConfigLoader.load(resolved, List.of(), shipped.getValue()), file + ":\n" + yaml);
        }
    }
}
