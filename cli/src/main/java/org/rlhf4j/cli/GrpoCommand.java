package org.rlhf4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.ppo.AdvantageEstimator;
import org.rlhf4j.ppo.PpoConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j grpo}: the PPO stage with GRPO's defaults, critic-free group advantages. */
@Command(name = "grpo", mixinStandardHelpOptions = true,
        description = "GRPO on prompts: the ppo stage with ppo.advantage: grpo unless the config names another"
                + " critic-free estimator (rloo, reinforce_baseline), ppo.group_size responses per prompt (4 unless"
                + " set) and no critic. Every ppo: key applies. Resumes from the newest checkpoint in output_dir.",
        footer = {"", "Examples:",
            "  rlhf4j grpo --config configs/demo/grpo.yaml",
            "  rlhf4j grpo --config configs/demo/grpo.yaml --set ppo.scale_rewards=false",
            "  rlhf4j grpo --config configs/demo/grpo.yaml --set ppo.advantage=rloo"})
final class GrpoCommand implements Callable<Integer> {

    @Mixin
    StageConfigOptions options;

    @Override
    public Integer call() throws Exception {
        ObjectNode tree = ConfigLoader.readTree(options.config, options.overrides);
        return PpoCommand.run(ConfigLoader.bind(withGrpoDefaults(tree), PpoConfig.class, options.config.toString()));
    }

    /** {@code tree} with {@code ppo.advantage: grpo} where it names no estimator; {@code gae} is refused. */
    static ObjectNode withGrpoDefaults(ObjectNode tree) {
        JsonNode ppo = tree.get("ppo");
        JsonNode advantage = ppo != null && ppo.isObject() ? ppo.get("advantage") : null;
        if (advantage == null || advantage.isNull()) {
            ConfigLoader.applyOverride(tree, "ppo.advantage=" + AdvantageEstimator.GRPO.configName());
        } else if (advantage.isTextual() && AdvantageEstimator.fromName(advantage.asText()).needsCritic()) {
            throw new ConfigException("ppo.advantage: " + advantage.asText() + " needs a critic: run it with"
                    + " `rlhf4j ppo`; `rlhf4j grpo` takes grpo, rloo or reinforce_baseline");
        }
        return tree;
    }
}
