package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.pretrained.InitConfig;
import org.rlhf4j.core.pretrained.ModelInitializer;

/** {@code kind: init}: a new random model ({@code rlhf4j init} config keys) written to {@code final/}. */
final class InitStage implements StageRunner {

    @Override
    public String kind() {
        return "init";
    }

    @Override
    public Map<String, Path> outputs(Path stageDir) {
        return Map.of("final", stageDir.resolve("final"));
    }

    @Override
    public void run(ObjectNode config, Path stageDir, String source) throws Exception {
        ModelInitializer.Result result = ModelInitializer.create(ConfigLoader.bind(config, InitConfig.class, source),
                stageDir.resolve("final"), source);
        System.out.printf("wrote %s: %,d parameters%n", stageDir.resolve("final"), result.parameterCount());
    }
}
