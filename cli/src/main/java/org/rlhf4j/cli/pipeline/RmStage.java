package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.datasets.ChatTemplateExport;
import org.rlhf4j.reward.RewardConfig;
import org.rlhf4j.reward.RewardTrainer;

/**
 * {@code kind: rm}: one reward model trained by {@link RewardTrainer} with the stage's
 * {@code rlhf4j rm} config keys; {@code output_dir} is set to the stage directory. Outputs:
 * {@code final} (a {@code *ForSequenceClassification} directory) and {@code metrics}.
 */
final class RmStage implements StageRunner {

    @Override
    public String kind() {
        return "rm";
    }

    @Override
    public Map<String, Path> outputs(Path stageDir) {
        return TrainingStage.trainingOutputs(stageDir);
    }

    @Override
    public void run(ObjectNode config, Path stageDir, String source) throws Exception {
        config.put("output_dir", stageDir.toString());
        RewardConfig bound = ConfigLoader.bind(config, RewardConfig.class, source);
        RunSummary summary = new RewardTrainer(bound).run();
        ChatTemplateExport.write(summary.finalModel(), bound.data());
        System.out.println(summary.headline("loss", "accuracy", "eval_accuracy"));
    }
}
