package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.datasets.ChatTemplateExport;
import org.rlhf4j.ppo.PpoConfig;
import org.rlhf4j.ppo.PpoTrainer;

/**
 * {@code kind: ppo}: {@link PpoTrainer} with the stage's {@code rlhf4j ppo} config keys (reward
 * model paths are usually {@code ${rm_stage.final}}); {@code output_dir} is set to the stage
 * directory. Outputs: {@code final} (the policy), {@code metrics} and {@code samples}
 * ({@code samples.jsonl}).
 */
final class PpoStage implements StageRunner {

    @Override
    public String kind() {
        return "ppo";
    }

    @Override
    public Map<String, Path> outputs(Path stageDir) {
        Map<String, Path> outputs = TrainingStage.trainingOutputs(stageDir);
        outputs.put("samples", stageDir.resolve(PpoTrainer.SAMPLES_FILE));
        return outputs;
    }

    @Override
    public void run(ObjectNode config, Path stageDir, String source) throws Exception {
        config.put("output_dir", stageDir.toString());
        PpoConfig bound = ConfigLoader.bind(config, PpoConfig.class, source);
        RunSummary summary = new PpoTrainer(bound).run();
        ChatTemplateExport.write(summary.finalModel(), bound.data());
        System.out.println(summary.headline("objective/scores", "objective/kl"));
    }
}
