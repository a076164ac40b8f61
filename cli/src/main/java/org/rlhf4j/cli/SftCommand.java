package org.rlhf4j.cli;

import java.util.concurrent.Callable;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.datasets.ChatTemplateExport;
import org.rlhf4j.sft.SftConfig;
import org.rlhf4j.sft.SftTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j sft}: supervised fine-tuning with the loss on assistant tokens. */
@Command(name = "sft", mixinStandardHelpOptions = true,
        description = "Supervised fine-tuning on ChatML conversations (loss on assistant tokens only). "
                + "Resumes from the newest checkpoint in output_dir.",
        footer = {"", "Examples:",
            "  rlhf4j sft --config configs/demo/sft.yaml",
            "  rlhf4j sft --config configs/demo/sft.yaml --set train.max_steps=50 --set output_dir=runs/sft-try"})
final class SftCommand implements Callable<Integer> {

    @Mixin
    StageConfigOptions options;

    @Override
    public Integer call() throws Exception {
        SftConfig config = ConfigLoader.load(options.config, options.overrides, SftConfig.class);
        RunSummary summary = new SftTrainer(config, SftTrainer.Objective.SFT).run();
        ChatTemplateExport.write(summary.finalModel(), config.data());
        return TrainingReport.print(summary, config, "loss", "eval_loss");
    }
}
