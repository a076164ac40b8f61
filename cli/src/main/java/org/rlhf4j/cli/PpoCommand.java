package org.rlhf4j.cli;

import java.util.concurrent.Callable;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.datasets.ChatTemplateExport;
import org.rlhf4j.ppo.PpoConfig;
import org.rlhf4j.ppo.PpoTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j ppo}: PPO of a policy against reward sources, with a critic and a frozen reference. */
@Command(name = "ppo", mixinStandardHelpOptions = true,
        description = "PPO on prompts: actor, critic, reference and reward sources (reward models, rules or your"
                + " own RewardFunction classes) on one rollout engine. Resumes from the newest checkpoint in"
                + " output_dir.",
        footer = {"", "Examples:",
            "  rlhf4j ppo --config configs/demo/ppo-rule.yaml",
            "  rlhf4j ppo --config configs/demo/ppo.yaml --set train.max_steps=20 --set ppo.kl_coef=0.1",
            "  java -cp 'rlhf4j.jar:my-rewards.jar' org.rlhf4j.cli.Main ppo --config my-ppo.yaml"})
final class PpoCommand implements Callable<Integer> {

    @Mixin
    StageConfigOptions options;

    @Override
    public Integer call() throws Exception {
        return run(ConfigLoader.load(options.config, options.overrides, PpoConfig.class));
    }

    /** Runs the PPO stage of {@code config} and prints where its outputs went (also {@code rlhf4j grpo}). */
    static int run(PpoConfig config) throws Exception {
        RunSummary summary = new PpoTrainer(config).run();
        ChatTemplateExport.write(summary.finalModel(), config.data());
        TrainingReport.print(summary, config, "objective/scores", "objective/kl");
        System.out.printf("samples: %s%n", config.outputPath().resolve(PpoTrainer.SAMPLES_FILE));
        return 0;
    }
}
