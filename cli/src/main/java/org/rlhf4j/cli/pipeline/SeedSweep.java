package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.io.AtomicFiles;

/**
 * A pipeline run once per seed, and its eval tables summarised over the seeds: one seed is one
 * draw, and a conclusion about a method should hold across draws.
 *
 * <p>Seed {@code k} runs in {@code OUT/seed-k} with every stage that has a {@code seed} key set to
 * its own seed plus {@code k} (the data, the initial weights, the data order and the sampling all
 * move), so seed 0 is exactly the plain run. For every eval stage, {@code OUT/seeds.md} and
 * {@code OUT/seeds.json} give each model's metrics over the seeds and how they compare with the
 * baseline row (the eval's reference model, e.g. SFT): see {@link SeedSummary}.
 */
public final class SeedSweep {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final PipelineRunner runner;

    public SeedSweep(PipelineRunner runner) {
        this.runner = runner;
    }

    /** What a sweep wrote. */
    public record Result(List<Path> runs, Path markdown, Path json) {}

    /** Runs {@code seeds} seeds of {@code pipeline} under {@code out} and writes the summary. */
    public Result run(PipelineConfig pipeline, Path out, boolean force, List<String> overrides, int seeds)
            throws Exception {
        if (seeds < 1) {
            throw new UserException("--seeds must be at least 1, got " + seeds);
        }
        List<Path> runs = new ArrayList<>();
        for (int k = 0; k < seeds; k++) {
            Path dir = out.resolve("seed-" + k);
            List<String> all = new ArrayList<>(overrides);
            all.addAll(seedOverrides(pipeline, k));
            System.out.printf("%n=== seed %d of %d: %s%n", k + 1, seeds, dir);
            runner.run(pipeline, dir, force, all);
            runs.add(dir);
        }
        ObjectNode summary = JSON.createObjectNode();
        StringBuilder md = new StringBuilder("# Results over " + seeds + " seeds\n\n");
        for (PipelineConfig.Stage stage : pipeline.stages()) {
            if (!stage.kind().equals("eval")) {
                continue;
            }
            List<JsonNode> results = new ArrayList<>();
            for (Path run : runs) {
                results.add(EvalStage.readResults(run.resolve(stage.name())));
            }
            summary.set(stage.name(), SeedSummary.summarise(results));
            md.append(SeedSummary.markdown(stage.name(), summary.get(stage.name()), seeds));
        }
        Files.createDirectories(out);
        Path json = out.resolve("seeds.json");
        Path markdown = out.resolve("seeds.md");
        AtomicFiles.writeString(json, JSON.writeValueAsString(summary) + "\n");
        AtomicFiles.writeString(markdown, md.toString());
        return new Result(runs, markdown, json);
    }

    /** {@code STAGE.seed=<its seed + k>} for every stage whose config has a {@code seed} key. */
    static List<String> seedOverrides(PipelineConfig pipeline, int k) {
        List<String> out = new ArrayList<>();
        for (PipelineConfig.Stage stage : pipeline.stages()) {
            JsonNode seed = stage.tree().get("seed");
            if (seed != null && seed.canConvertToLong()) {
                out.add(stage.name() + ".seed=" + (seed.asLong() + k));
            }
        }
        return out;
    }

    /** For tests: reads {@code seeds.json}. */
    static JsonNode read(Path json) throws IOException {
        return JSON.readTree(json.toFile());
    }
}
