package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.io.AtomicFiles;

/**
 * A pipeline run once per seed, and its eval tables summarised over the seeds: one seed is one
 * draw, and a conclusion about a method should hold across draws.
 *
 * <p>Seed {@code k} runs in {@code OUT/seed-k} with every stage that has a {@code seed} key set to
 * its own seed plus {@code k} (the data, the initial weights, the data order and the sampling all
 * move), so seed 0 is exactly the plain run. For every eval stage, {@code OUT/seeds.md} and
 * {@code OUT/seeds.json} give each model's metrics per seed with their mean, standard deviation and
 * range, and, for each model, in how many seeds it beat the baseline row (the eval's reference
 * model, e.g. SFT) and in how many with non-overlapping 95% intervals.
 */
public final class SeedSweep {

    /** Metrics compared with the baseline and the direction that counts as better. */
    private static final Map<String, Boolean> HIGHER_IS_BETTER = orderedMetrics();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final PipelineRunner runner;

    public SeedSweep(PipelineRunner runner) {
        this.runner = runner;
    }

    private static Map<String, Boolean> orderedMetrics() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        m.put("accuracy", true);
        m.put("refusal", true);
        m.put("over_refusal", false);
        m.put("mean_length", null);
        m.put("kl", null);
        return m;
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
            summary.set(stage.name(), summarise(results));
            md.append(markdown(stage.name(), summary.get(stage.name()), seeds));
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

    /**
     * One eval stage over the seeds: per row and metric the values, mean, sd, min and max; per row
     * and compared metric the seeds where it beat the baseline row, plainly and with disjoint
     * intervals. The baseline is the row whose model is the eval's reference (none: no comparison).
     */
    static ObjectNode summarise(List<JsonNode> results) {
        ObjectNode out = JSON.createObjectNode();
        String baseline = baselineRow(results.get(0));
        out.put("seeds", results.size());
        if (baseline != null) {
            out.put("baseline", baseline);
        }
        ObjectNode rows = out.putObject("rows");
        results.get(0).get("rows").fieldNames().forEachRemaining(label -> {
            ObjectNode row = rows.putObject(label);
            for (Map.Entry<String, Boolean> metric : HIGHER_IS_BETTER.entrySet()) {
                DescriptiveStatistics stats = new DescriptiveStatistics();
                int better = 0;
                int disjoint = 0;
                for (JsonNode result : results) {
                    JsonNode cell = result.path("rows").path(label).path(metric.getKey());
                    if (!cell.has("value")) {
                        continue;
                    }
                    stats.addValue(cell.get("value").asDouble());
                    JsonNode base = baseline == null ? null : result.path("rows").path(baseline).path(metric.getKey());
                    if (metric.getValue() != null && base != null && base.has("value") && !label.equals(baseline)) {
                        boolean up = metric.getValue();
                        double diff = cell.get("value").asDouble() - base.get("value").asDouble();
                        better += (up ? diff > 0 : diff < 0) ? 1 : 0;
                        disjoint += (up ? cell.get("low").asDouble() > base.get("high").asDouble()
                                : cell.get("high").asDouble() < base.get("low").asDouble()) ? 1 : 0;
                    }
                }
                if (stats.getN() == 0) {
                    continue;
                }
                ObjectNode m = row.putObject(metric.getKey());
                m.putPOJO("values", stats.getValues());
                m.put("mean", stats.getMean());
                m.put("sd", stats.getN() > 1 ? stats.getStandardDeviation() : 0.0);
                m.put("min", stats.getMin());
                m.put("max", stats.getMax());
                if (metric.getValue() != null && baseline != null && !label.equals(baseline)) {
                    m.put("better_than_baseline", better);
                    m.put("better_disjoint_intervals", disjoint);
                }
            }
        });
        return out;
    }

    /** The row label whose model directory is the eval's KL reference, or null. */
    private static String baselineRow(JsonNode result) {
        String reference = result.path("reference").asText(null);
        if (reference == null) {
            return null;
        }
        List<String> labels = new ArrayList<>();
        result.path("rows").fields().forEachRemaining(e -> {
            if (reference.equals(e.getValue().path("model").asText())) {
                labels.add(e.getKey());
            }
        });
        return labels.isEmpty() ? null : labels.get(0);
    }

    /** The table of one eval stage: mean ± sd [min, max] per cell, then the wins over the baseline. */
    static String markdown(String stage, JsonNode summary, int seeds) {
        StringBuilder sb = new StringBuilder("## " + stage + "\n\n");
        sb.append("| model | accuracy | refusal | over-refusal | length | KL to ref |\n|---|---|---|---|---|---|\n");
        JsonNode rows = summary.get("rows");
        rows.fieldNames().forEachRemaining(label -> {
            sb.append("| ").append(label);
            for (String metric : HIGHER_IS_BETTER.keySet()) {
                JsonNode m = rows.get(label).get(metric);
                sb.append(" | ").append(m == null ? "-" : String.format(Locale.ROOT, "%.2f ± %.2f [%.2f, %.2f]",
                        m.get("mean").asDouble(), m.get("sd").asDouble(), m.get("min").asDouble(),
                        m.get("max").asDouble()));
            }
            sb.append(" |\n");
        });
        String baseline = summary.path("baseline").asText(null);
        if (baseline != null) {
            sb.append("\nSeeds (of ").append(seeds).append(") in which a model beat ").append(baseline)
                    .append(" (higher accuracy and refusal, lower over-refusal); in brackets, with")
                    .append(" non-overlapping 95% intervals:\n\n| model | accuracy | refusal | over-refusal |\n")
                    .append("|---|---|---|---|\n");
            rows.fieldNames().forEachRemaining(label -> {
                if (label.equals(baseline) || !rows.get(label).path("accuracy").has("better_than_baseline")) {
                    return;
                }
                sb.append("| ").append(label);
                for (String metric : List.of("accuracy", "refusal", "over_refusal")) {
                    JsonNode m = rows.get(label).get(metric);
                    sb.append(" | ").append(m.get("better_than_baseline").asInt()).append(" (")
                            .append(m.get("better_disjoint_intervals").asInt()).append(")");
                }
                sb.append(" |\n");
            });
        }
        return sb.append('\n').toString();
    }

    /** For tests: reads {@code seeds.json}. */
    static JsonNode read(Path json) throws IOException {
        return JSON.readTree(json.toFile());
    }
}
