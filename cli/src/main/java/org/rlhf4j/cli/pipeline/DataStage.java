package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.datasets.demo.DemoFiles;
import org.rlhf4j.datasets.demo.DemoTask;
import org.rlhf4j.datasets.demo.DemoTaskConfig;

/**
 * {@code kind: data}: writes the demo task's data sets ({@link DemoTaskConfig} keys). Outputs by
 * file: {@code sft_train}, {@code sft_eval}, {@code pref_helpful_train}, {@code pref_helpful_eval},
 * {@code pref_safety_train}, {@code pref_safety_eval}, {@code ppo_prompts}, {@code eval_prompts},
 * {@code pretrain}. Complete when its {@code manifest.json} exists.
 */
final class DataStage implements StageRunner {

    @Override
    public String kind() {
        return "data";
    }

    @Override
    public Map<String, Path> outputs(Path stageDir) {
        return new LinkedHashMap<>(DemoFiles.in(stageDir).byName());
    }

    @Override
    public boolean isComplete(Path stageDir) {
        return Files.isRegularFile(DemoFiles.in(stageDir).manifest());
    }

    @Override
    public void run(ObjectNode config, Path stageDir, String source) throws Exception {
        DemoFiles files = DemoTask.write(stageDir, ConfigLoader.bind(config, DemoTaskConfig.class, source));
        System.out.printf("wrote the demo data sets to %s%n", files.dir());
    }
}
