package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.datasets.ChatTemplateExport;
import org.rlhf4j.sft.SftConfig;
import org.rlhf4j.sft.SftTrainer;

/**
 * {@code kind: pretrain} and {@code kind: sft}: {@link SftTrainer} with the stage's
 * {@code rlhf4j sft} config keys; {@code output_dir} is set to the stage directory. Outputs:
 * {@code final} (the model) and {@code metrics} ({@code metrics.jsonl}).
 */
abstract class TrainingStage implements StageRunner {

    private final String kind;
    private final SftTrainer.Objective objective;

    TrainingStage(String kind, SftTrainer.Objective objective) {
        this.kind = kind;
        this.objective = objective;
    }

    /** The outputs every training stage has: {@code final} and {@code metrics}. */
    static Map<String, Path> trainingOutputs(Path stageDir) {
        Map<String, Path> outputs = new LinkedHashMap<>();
        outputs.put("final", stageDir.resolve("final"));
        outputs.put("metrics", stageDir.resolve(MetricsLog.FILE_NAME));
        return outputs;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public Map<String, Path> outputs(Path stageDir) {
        return trainingOutputs(stageDir);
    }

    @Override
    public void run(ObjectNode config, Path stageDir, String source) throws Exception {
        config.put("output_dir", stageDir.toString());
        SftConfig bound = ConfigLoader.bind(config, SftConfig.class, source);
        RunSummary summary = new SftTrainer(bound, objective).run();
        ChatTemplateExport.write(summary.finalModel(), bound.data());
        System.out.println(summary.headline("loss", "eval_loss"));
    }

    /** {@code kind: pretrain}: every token in the loss. */
    static final class Pretrain extends TrainingStage {
        Pretrain() {
            super("pretrain", SftTrainer.Objective.PRETRAIN);
        }
    }

    /** {@code kind: sft}: loss on assistant tokens. */
    static final class Sft extends TrainingStage {
        Sft() {
            super("sft", SftTrainer.Objective.SFT);
        }
    }
}
