package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.runtime.ResidentMemory;

/**
 * Runs a pipeline's stages in order, each in {@code OUT/<name>/}, feeding earlier outputs into later
 * configs through {@code ${stage.output}} references, then writes the report.
 *
 * <p>Skipping: a stage whose finished output is already there ({@code final/} for model stages)
 * is skipped, unless {@code force} is set, its resolved config differs from the one it ran with
 * (recorded in {@value #STAGE_CONFIG}), or a stage it refers to ran in this invocation (its
 * inputs changed). A finished stage that runs again starts from an empty directory; an
 * unfinished one keeps its directory, so a training stage resumes from its newest checkpoint.
 */
public final class PipelineRunner {

    /** What happened to a stage. */
    public enum Status { RAN, SKIPPED }

    /**
     * One stage's outcome; {@code seconds} and {@code peakMiB} of a skipped stage are those of the
     * run that made it, or NaN. {@code peakMiB} is the process's peak resident memory while the
     * stage ran (it includes what earlier stages left resident, such as the JVM heap).
     */
    public record StageOutcome(String name, String kind, Status status, double seconds, double peakMiB, Path dir) {}

    /** What an earlier run recorded of a stage. */
    private record Recorded(double seconds, double peakMiB) {
        static final Recorded UNKNOWN = new Recorded(Double.NaN, Double.NaN);
    }

    /** What a pipeline run did. */
    public record Result(Path out, List<StageOutcome> stages, Path report) {}

    /** The timing record in the run directory. */
    static final String SUMMARY = "pipeline.json";

    /** The resolved config a stage ran with, in its directory; a different one runs it again. */
    static final String STAGE_CONFIG = "pipeline-stage.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StageRunners runners;

    public PipelineRunner(StageRunners runners) {
        this.runners = runners;
    }

    /**
     * Runs {@code pipeline} into {@code out}.
     *
     * @param force run every stage even if finished
     * @param overrides {@code stage.key.path=value}: a {@code --set} for the named stage, applied
     *     after the stage's own {@code set:}
     */
    public Result run(PipelineConfig pipeline, Path out, boolean force, List<String> overrides) throws Exception {
        Map<String, List<String>> perStage = splitOverrides(pipeline, overrides);
        Map<String, Recorded> previous = previousRuns(out);
        Map<String, Map<String, Path>> outputs = new LinkedHashMap<>();
        Set<String> ran = new HashSet<>();
        List<StageOutcome> outcomes = new ArrayList<>();
        int index = 0;
        for (PipelineConfig.Stage stage : pipeline.stages()) {
            index++;
            StageRunner runner = runners.get(stage.kind());
            Path dir = out.resolve(stage.name());
            String source = stage.configFile() != null ? stage.configFile() + " (stage " + stage.name() + ")"
                    : "stage " + stage.name();
            ObjectNode tree = stage.tree();
            for (String override : perStage.getOrDefault(stage.name(), List.of())) {
                org.rlhf4j.core.config.ConfigLoader.applyOverride(tree, override);
            }
            Set<String> inputs = References.resolve(tree, outputs, source);
            Map<String, Path> stageOutputs = new LinkedHashMap<>(runner.outputs(dir));
            stageOutputs.put("dir", dir);
            outputs.put(stage.name(), stageOutputs);

            boolean complete = runner.isComplete(dir);
            boolean inputsChanged = inputs.stream().anyMatch(ran::contains);
            boolean configChanged = complete && configChanged(dir, tree);
            String header = String.format("== [%d/%d] %s (%s)", index, pipeline.stages().size(), stage.name(), stage.kind());
            if (complete && !force && !inputsChanged && !configChanged) {
                System.out.printf("%s: done, skipped (%s exists; --force runs it again)%n", header, dir);
                Recorded recorded = previous.getOrDefault(stage.name(), Recorded.UNKNOWN);
                outcomes.add(new StageOutcome(stage.name(), stage.kind(), Status.SKIPPED,
                        recorded.seconds(), recorded.peakMiB(), dir));
                continue;
            }
            if (complete || inputsChanged) {
                AtomicFiles.deleteRecursively(dir); // a new run, not a resume of the old one
            }
            System.out.printf("%s -> %s%s%n", header, dir, configChanged ? " (its config changed)"
                    : inputsChanged && !force ? " (an input changed)" : "");
            Files.createDirectories(dir);
            AtomicFiles.writeString(dir.resolve(STAGE_CONFIG), tree.toPrettyString() + "\n");
            boolean peakReset = ResidentMemory.resetPeak();
            long started = System.nanoTime();
            runner.run(tree.deepCopy(), dir, source);
            if (!runner.isComplete(dir)) {
                throw new IllegalStateException("stage " + stage.name() + " ended without its output in " + dir);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double peakMiB = peakReset ? ResidentMemory.peakBytes() / (1024.0 * 1024.0) : Double.NaN;
            System.out.printf("%s: done in %.1f s%s%n", header, seconds,
                    Double.isFinite(peakMiB) ? String.format(", peak RSS %.0f MiB", peakMiB) : "");
            ran.add(stage.name());
            outcomes.add(new StageOutcome(stage.name(), stage.kind(), Status.RAN, seconds, peakMiB, dir));
            writeSummary(out, outcomes, pipeline); // after every stage, so an interrupted run keeps its times
        }
        writeSummary(out, outcomes, pipeline);
        Path report = PipelineReport.write(out, outcomes);
        return new Result(out, outcomes, report);
    }

    /** Whether the config a finished stage ran with (recorded in its directory) differs from {@code tree}. */
    private static boolean configChanged(Path dir, ObjectNode tree) {
        Path recorded = dir.resolve(STAGE_CONFIG);
        if (!Files.isRegularFile(recorded)) {
            return false; // finished outside a pipeline: trust it
        }
        try {
            return !JSON.readTree(recorded.toFile()).equals(tree);
        } catch (IOException unreadable) {
            return true;
        }
    }

    private static Map<String, List<String>> splitOverrides(PipelineConfig pipeline, List<String> overrides) {
        Map<String, List<String>> perStage = new HashMap<>();
        List<String> names = pipeline.stages().stream().map(PipelineConfig.Stage::name).toList();
        for (String override : overrides) {
            int dot = override.indexOf('.');
            int eq = override.indexOf('=');
            if (dot <= 0 || eq < 0 || dot > eq) {
                throw new ConfigException("--set '" + override + "': expected stage.key.path=value, e.g. sft.train.max_steps=50");
            }
            String stage = override.substring(0, dot);
            if (!names.contains(stage)) {
                throw new ConfigException("--set '" + override + "': no stage named '" + stage + "' (stages: "
                        + String.join(", ", names) + ")");
            }
            perStage.computeIfAbsent(stage, k -> new ArrayList<>()).add(override.substring(dot + 1));
        }
        return perStage;
    }

    private static Map<String, Recorded> previousRuns(Path out) {
        Map<String, Recorded> recorded = new HashMap<>();
        try {
            Path file = out.resolve(SUMMARY);
            if (Files.isRegularFile(file)) {
                for (JsonNode s : JSON.readTree(file.toFile()).path("stages")) {
                    recorded.put(s.get("name").asText(), new Recorded(
                            s.path("seconds").asDouble(Double.NaN), s.path("peak_rss_mib").asDouble(Double.NaN)));
                }
            }
        } catch (IOException unreadable) {
            // timings are informative only: an unreadable old summary leaves them unknown
        }
        return recorded;
    }

    private static void writeSummary(Path out, List<StageOutcome> outcomes, PipelineConfig pipeline) throws IOException {
        Map<String, Recorded> known = previousRuns(out);
        ObjectNode root = JSON.createObjectNode();
        ArrayNode stages = root.putArray("stages");
        for (PipelineConfig.Stage stage : pipeline.stages()) {
            StageOutcome o = outcomes.stream().filter(x -> x.name().equals(stage.name())).findFirst().orElse(null);
            ObjectNode s = stages.addObject().put("name", stage.name()).put("kind", stage.kind());
            Recorded r = o != null ? new Recorded(o.seconds(), o.peakMiB())
                    : known.getOrDefault(stage.name(), Recorded.UNKNOWN);
            if (o != null) {
                s.put("status", o.status().name().toLowerCase());
            }
            if (Double.isFinite(r.seconds())) {
                s.put("seconds", Math.round(r.seconds() * 10) / 10.0);
            }
            if (Double.isFinite(r.peakMiB())) {
                s.put("peak_rss_mib", Math.round(r.peakMiB()));
            }
        }
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve(SUMMARY), root.toPrettyString() + "\n");
    }
}
