package org.rlhf4j.cli;

import java.util.concurrent.Callable;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.ppo.rs.RejectionSampler;
import org.rlhf4j.ppo.rs.RsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j rs}: rejection sampling, best-of-N responses by reward sources written as SFT data. */
@Command(name = "rs", mixinStandardHelpOptions = true,
        description = "Rejection sampling: samples rs.num_samples responses per prompt, scores them with the"
                + " reward sources of the rewards: section (the ppo schema: reward models, rules, your own"
                + " RewardFunction classes, conditions, safety gate) and keeps the best per prompt as SFT data"
                + " in OUTPUT_DIR/final/sft.jsonl; every candidate goes to samples.jsonl, the numbers to"
                + " summary.json.",
        footer = {"", "Examples:",
            "  rlhf4j rs --config configs/demo/rs.yaml",
            "  rlhf4j rs --config configs/demo/rs.yaml --set rs.num_samples=8 --set rs.min_score=0.5",
            "  rlhf4j sft --config configs/demo/sft.yaml --set data.train=runs/rs-demo/final/sft.jsonl"})
final class RsCommand implements Callable<Integer> {

    @Mixin
    StageConfigOptions options;

    @Override
    public Integer call() throws Exception {
        RsConfig config = ConfigLoader.load(options.config, options.overrides, RsConfig.class);
        RejectionSampler.Summary summary = new RejectionSampler(config).run();
        System.out.println(summary.describe());
        System.out.printf("sft data: %s%n", summary.sftFile());
        System.out.printf("samples:  %s%n", config.outputPath().resolve(RejectionSampler.SAMPLES_FILE));
        if (config.rs().pairs()) {
            System.out.printf("pairs:    %s%n", config.outputPath().resolve(RejectionSampler.PAIRS_FILE));
        }
        System.out.printf("summary:  %s%n", config.outputPath().resolve(RejectionSampler.SUMMARY_FILE));
        return 0;
    }
}
