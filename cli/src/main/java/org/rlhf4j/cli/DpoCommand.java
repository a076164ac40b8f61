package org.rlhf4j.cli;

import java.util.concurrent.Callable;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.datasets.ChatTemplateExport;
import org.rlhf4j.dpo.DpoConfig;
import org.rlhf4j.dpo.DpoTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j dpo}: direct preference optimisation against a frozen reference. */
@Command(name = "dpo", mixinStandardHelpOptions = true,
        description = "Direct preference optimisation (DPO, IPO, hinge, robust; optional RPO term) of a model on "
                + "preference pairs against a frozen reference. Resumes from the newest checkpoint in output_dir.",
        footer = {"", "Examples:",
            "  rlhf4j dpo --config configs/demo/dpo.yaml",
            "  rlhf4j dpo --config configs/demo/dpo.yaml --set dpo.loss_type=ipo --set output_dir=runs/ipo-try"})
final class DpoCommand implements Callable<Integer> {

    @Mixin
    StageConfigOptions options;

    @Override
    public Integer call() throws Exception {
        DpoConfig config = ConfigLoader.load(options.config, options.overrides, DpoConfig.class);
        RunSummary summary = new DpoTrainer(config).run();
        ChatTemplateExport.write(summary.finalModel(), config.data());
        return TrainingReport.print(summary, config, "loss", "eval_loss", "eval_rewards/accuracies",
                "eval_rewards/margins");
    }
}
