package org.rlhf4j.cli;

import java.util.concurrent.Callable;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.sft.SftConfig;
import org.rlhf4j.sft.SftTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j pretrain}: the SFT loop on plain text with every token in the loss. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Causal-LM training on plain text ({\"text\": ...} JSONL or a .txt file, one document a line), "
                + "every token in the loss. Same config keys as sft; the sft: section is ignored.",
        footer = {"", "Example:", "  rlhf4j pretrain --config my-pretrain.yaml --set train.lr=3e-4"})
final class PretrainCommand implements Callable<Integer> {

    @Mixin
    StageConfigOptions options;

    @Override
    public Integer call() throws Exception {
        SftConfig config = ConfigLoader.load(options.config, options.overrides, SftConfig.class);
        return TrainingReport.print(new SftTrainer(config, SftTrainer.Objective.PRETRAIN).run(), config, "loss",
                "eval_loss");
    }
}
