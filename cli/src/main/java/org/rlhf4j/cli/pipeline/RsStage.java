package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.ppo.rs.RejectionSampler;
import org.rlhf4j.ppo.rs.RsConfig;

/**
 * {@code kind: rs}: rejection sampling ({@link RejectionSampler}) with the stage's {@code rlhf4j rs}
 * config keys; {@code output_dir} is set to the stage directory. Outputs: {@code final} (the SFT
 * file {@code final/sft.jsonl} itself, so a later stage's {@code data.train: ${rs.final}} reads
 * it), {@code samples} ({@code samples.jsonl}), {@code pairs} ({@code pairs.jsonl}, written with
 * {@code rs.pairs: true}) and {@code summary} ({@code summary.json}). Complete when
 * {@code final/sft.jsonl} exists.
 */
final class RsStage implements StageRunner {

    @Override
    public String kind() {
        return "rs";
    }

    @Override
    public Map<String, Path> outputs(Path stageDir) {
        Map<String, Path> outputs = new LinkedHashMap<>();
        outputs.put("final", stageDir.resolve(RejectionSampler.FINAL_DIR).resolve(RejectionSampler.SFT_FILE));
        outputs.put("samples", stageDir.resolve(RejectionSampler.SAMPLES_FILE));
        outputs.put("pairs", stageDir.resolve(RejectionSampler.PAIRS_FILE));
        outputs.put("summary", stageDir.resolve(RejectionSampler.SUMMARY_FILE));
        return outputs;
    }

    @Override
    public boolean isComplete(Path stageDir) {
        return Files.isRegularFile(stageDir.resolve(RejectionSampler.FINAL_DIR).resolve(RejectionSampler.SFT_FILE));
    }

    @Override
    public void run(ObjectNode config, Path stageDir, String source) throws Exception {
        config.put("output_dir", stageDir.toString());
        RejectionSampler.Summary s = new RejectionSampler(ConfigLoader.bind(config, RsConfig.class, source)).run();
        System.out.println(s.describe());
    }
}
