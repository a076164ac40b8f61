package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.datasets.ChatTemplateExport;
import org.rlhf4j.dpo.DpoConfig;
import org.rlhf4j.dpo.DpoTrainer;

/**
 * {@code kind: dpo}: {@link DpoTrainer} with the stage's {@code rlhf4j dpo} config keys;
 * {@code output_dir} is set to the stage directory. {@code data.train} and {@code data.eval} may
 * also be lists of preference files (e.g. the helpfulness and the safety pairs), which are
 * concatenated in order into {@code pairs-train.jsonl} / {@code pairs-eval.jsonl} in the stage
 * directory. Outputs: {@code final} (the policy) and {@code metrics}.
 */
final class DpoStage implements StageRunner {

    @Override
    public String kind() {
        return "dpo";
    }

    @Override
    public Map<String, Path> outputs(Path stageDir) {
        return TrainingStage.trainingOutputs(stageDir);
    }

    @Override
    public void run(ObjectNode config, Path stageDir, String source) throws Exception {
        config.put("output_dir", stageDir.toString());
        if (config.get("data") instanceof ObjectNode data) {
            for (String split : new String[] {"train", "eval"}) {
                if (data.get(split) != null && data.get(split).isArray()) {
                    data.put(split, concatenate(data.get(split), stageDir.resolve("pairs-" + split + ".jsonl"), split)
                            .toString());
                }
            }
        }
        DpoConfig bound = ConfigLoader.bind(config, DpoConfig.class, source);
        RunSummary summary = DpoTrainer.runStage(bound); // KTO's trainer for loss_type kto
        ChatTemplateExport.write(summary.finalModel(), bound.data());
        System.out.println(summary.headline(bound.dpo().type().paired() ? new String[] {"loss", "eval_rewards/accuracies"}
                : new String[] {"loss", "eval_rewards/margins"}));
    }

    /** Writes the lines of every file in {@code files}, in order, to {@code target}. */
    private static Path concatenate(JsonNode files, Path target, String split) throws IOException {
        List<String> lines = new ArrayList<>();
        for (JsonNode file : files) {
            Path path = Path.of(file.asText());
            if (!Files.isRegularFile(path)) {
                throw new ConfigException("data." + split + ": no file " + path);
            }
            Files.readAllLines(path).stream().filter(line -> !line.isBlank()).forEach(lines::add);
        }
        Files.createDirectories(target.getParent());
        AtomicFiles.writeString(target, String.join("\n", lines) + "\n");
        return target;
    }
}
