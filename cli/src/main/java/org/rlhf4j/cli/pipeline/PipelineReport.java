package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rlhf4j.cli.eval.EvalTable;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.training.MetricsLog;

/**
 * Writes {@code OUT/report.md}: the results table of every eval stage, the stages with their
 * times, and a PNG of each training stage's curves ({@code OUT/plots/<stage>.png}).
 */
public final class PipelineReport {

    /** The report's file name in the run directory. */
    public static final String FILE_NAME = "report.md";

    private PipelineReport() {}

    /** Writes the report for {@code outcomes} and returns its path. */
    public static Path write(Path out, List<PipelineRunner.StageOutcome> outcomes) throws IOException {
        StringBuilder md = new StringBuilder("# rlhf4j pipeline report\n\n");
        md.append("Run directory `").append(out).append("`, written ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append(".\n\n");
        for (PipelineRunner.StageOutcome o : outcomes) {
            if (o.kind().equals("eval") && Files.isRegularFile(o.dir().resolve(EvalStage.RESULTS))) {
                md.append(resultsSection(o));
            }
        }
        md.append("## Stages\n\nPeak RSS: the process's peak resident memory while the stage ran, including what"
                + " earlier stages left resident (the JVM heap, about the same for every stage).\n\n"
                + "| stage | kind | status | seconds | peak RSS MiB |\n|---|---|---|---|---|\n");
        double total = 0;
        for (PipelineRunner.StageOutcome o : outcomes) {
            md.append("| ").append(o.name()).append(" | ").append(o.kind()).append(" | ")
                    .append(o.status().name().toLowerCase(Locale.ROOT)).append(" | ")
                    .append(Double.isFinite(o.seconds()) ? String.format(Locale.ROOT, "%.1f", o.seconds()) : "-")
                    .append(" | ")
                    .append(Double.isFinite(o.peakMiB()) ? String.format(Locale.ROOT, "%.0f", o.peakMiB()) : "-")
                    .append(" |\n");
            total += Double.isFinite(o.seconds()) ? o.seconds() : 0;
        }
        md.append(String.format(Locale.ROOT, "\nTotal: %.1f s.%n%n", total));
        StringBuilder curves = new StringBuilder();
        for (PipelineRunner.StageOutcome o : outcomes) {
            Path metrics = o.dir().resolve(MetricsLog.FILE_NAME);
            if (!Files.isRegularFile(metrics)) {
                continue;
            }
            Path png = out.resolve("plots").resolve(o.name() + ".png");
            List<String> charted = MetricsPlot.write(metrics, o.name(), png);
            if (!charted.isEmpty()) {
                curves.append("### ").append(o.name()).append(" (").append(o.kind()).append(")\n\n")
                        .append(String.join(", ", charted)).append(" per step.\n\n")
                        .append("![").append(o.name()).append("](plots/").append(o.name()).append(".png)\n\n");
            }
        }
        if (curves.length() > 0) {
            md.append("## Training curves\n\n").append(curves);
        }
        Path report = out.resolve(FILE_NAME);
        AtomicFiles.writeString(report, md.toString());
        return report;
    }

    /** The tables of every finished eval stage among {@code outcomes}, as terminal text. */
    public static String resultTables(List<PipelineRunner.StageOutcome> outcomes) throws IOException {
        StringBuilder text = new StringBuilder();
        for (PipelineRunner.StageOutcome o : outcomes) {
            if (o.kind().equals("eval") && Files.isRegularFile(o.dir().resolve(EvalStage.RESULTS))) {
                JsonNode results = EvalStage.readResults(o.dir());
                text.append(String.format("%n%s: %d held-out prompts, 95%% intervals%s%n", o.name(),
                        results.path("prompts").asInt(),
                        results.has("reference") ? ", KL to " + results.get("reference").asText() : ""));
                text.append(table(o.dir()).text());
            }
        }
        return text.toString();
    }

    /** The eval table of one eval stage, from its results.json. */
    static EvalTable table(Path evalDir) throws IOException {
        JsonNode results = EvalStage.readResults(evalDir);
        EvalTable table = new EvalTable();
        for (Iterator<Map.Entry<String, JsonNode>> it = results.path("rows").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> row = it.next();
            table.add(row.getKey(), row.getValue());
        }
        EvalStage.rewardAccuracyCells(results).forEach((label, cell) -> table.set(label, EvalStage.REWARD_ACCURACY, cell));
        return table;
    }

    private static String resultsSection(PipelineRunner.StageOutcome o) throws IOException {
        JsonNode results = EvalStage.readResults(o.dir());
        StringBuilder md = new StringBuilder("## Results (").append(o.name()).append(")\n\n");
        md.append(table(o.dir()).markdown()).append('\n');
        md.append(results.path("prompts").asInt()).append(" held-out prompts. Accuracy: exact sums on arithmetic;"
                + " refusal: refusals of unsafe requests; over-refusal: refusals of safe look-alikes (Wilson 95%"
                + " intervals). Length: mean greedy response tokens; KL: mean summed log-ratio to `")
                .append(results.path("reference").asText("-"))
                .append("` of one response sampled at temperature 1 per prompt (bootstrap 95% intervals).");
        if (results.path("reward_accuracy").size() > 0) {
            md.append(" Reward acc.: held-out preference-pair accuracy of the reward each model was trained with, by"
                    + " the stage whose metrics it is (a DPO run's: its implicit reward) (");
            List<String> sources = new ArrayList<>();
            results.get("reward_accuracy").fields().forEachRemaining(row -> {
                List<String> names = new ArrayList<>();
                row.getValue().fieldNames().forEachRemaining(names::add);
                sources.add(row.getKey() + ": " + String.join(" / ", names));
            });
            md.append(String.join("; ", sources)).append(").");
        }
        md.append("\n\n");
        return md.toString();
    }
}
