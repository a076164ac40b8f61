package org.rlhf4j.cli;

import java.util.concurrent.Callable;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.datasets.ChatTemplateExport;
import org.rlhf4j.reward.RewardConfig;
import org.rlhf4j.reward.RewardTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j rm}: trains one reward model on preference pairs. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Trains a reward model on preference pairs (margin ranking or focal loss, optional conditions). "
                + "Resumes from the newest checkpoint in output_dir; final/ is a *ForSequenceClassification directory.",
        footer = {"", "Examples:",
            "  rlhf4j rm --config configs/demo/rm-helpful.yaml",
            "  rlhf4j rm --config configs/demo/rm-conditional.yaml --set rm.loss=focal --set output_dir=runs/rm-focal",
            "  rlhf4j score --model runs/rm-helpful/final --input configs/demo/data/rm-helpful-eval.jsonl"})
final class RmCommand implements Callable<Integer> {

    @Mixin
    StageConfigOptions options;

    @Override
    public Integer call() throws Exception {
        RewardConfig config = ConfigLoader.load(options.config, options.overrides, RewardConfig.class);
        RunSummary summary = new RewardTrainer(config).run();
        ChatTemplateExport.write(summary.finalModel(), config.data());
        return TrainingReport.print(summary, config, "loss", "accuracy", "eval_loss", "eval_accuracy");
    }
}
