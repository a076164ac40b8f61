package org.rlhf4j.cli;

import java.util.concurrent.Callable;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.datasets.ChatTemplateExport;
import org.rlhf4j.dpo.DpoConfig;
import org.rlhf4j.dpo.DpoTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rlhf4j dpo}: direct preference optimisation and its offline variants. */
@Command(name = "dpo", mixinStandardHelpOptions = true,
        description = "Direct preference optimisation (DPO, IPO, hinge, robust; optional RPO term) of a model on "
                + "preference pairs against a frozen reference; reference-free SimPO and ORPO; KTO on unpaired "
                + "labelled completions (dpo.loss_type). Resumes from the newest checkpoint in output_dir.",
        footer = {"", "Examples:",
            "  rlhf4j dpo --config configs/demo/dpo.yaml",
            "  rlhf4j dpo --config configs/demo/dpo.yaml --set dpo.loss_type=ipo --set output_dir=runs/ipo-try",
            "  rlhf4j dpo --config configs/demo/dpo.yaml --set dpo.loss_type=simpo --set output_dir=runs/simpo-try"})
final class DpoCommand implements Callable<Integer> {

    @Mixin
    StageConfigOptions options;

    @Override
    public Integer call() throws Exception {
        return run(ConfigLoader.load(options.config, options.overrides, DpoConfig.class));
    }

    /** Runs the stage of a bound config (also for the {@code kto}, {@code orpo}, {@code simpo} aliases). */
    static int run(DpoConfig config) throws Exception {
        RunSummary summary = DpoTrainer.runStage(config);
        ChatTemplateExport.write(summary.finalModel(), config.data());
        return TrainingReport.print(summary, config, DpoTrainer.headlineFigures(config.dpo()));
    }
}
