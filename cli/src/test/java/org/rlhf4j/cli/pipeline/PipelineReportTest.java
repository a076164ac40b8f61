package org.rlhf4j.cli.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report and its plots from fabricated stage outputs. */
class PipelineReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void curvesAreGroupedByMetricWithEvalBesideTrainAndBookkeepingLeftOut() throws Exception {
        List<JsonNode> lines = List.of(
                JSON.readTree("{\"step\": 1, \"loss\": 2.0, \"learning_rate\": 0.001, \"objective/kl\": 0.1}"),
                JSON.readTree("{\"step\": 2, \"loss\": 1.5, \"objective/kl\": 0.2, \"rewards/accuracies\": 0.5}"),
                JSON.readTree("{\"step\": 2, \"eval_loss\": 1.7, \"epoch\": 1.0}"));
        Map<String, Map<String, List<double[]>>> curves = MetricsPlot.curves(lines);
        assertEquals(List.of("loss", "objective/kl", "rewards/accuracies"), List.copyOf(curves.keySet()));
        assertEquals(List.of("loss", "eval_loss"), List.copyOf(curves.get("loss").keySet()));
        assertArrayEquals(new double[] {2, 1.7}, curves.get("loss").get("eval_loss").get(0));
        assertEquals(2, curves.get("objective/kl").get("objective/kl").size());
    }

    @Test
    void theReportHasTheEvalTableTheStagesAndAPngPerTrainingStage() throws Exception {
        Path out = dir.resolve("run");
        Path ppo = out.resolve("ppo");
        Files.createDirectories(ppo);
        StringBuilder metrics = new StringBuilder();
        for (int step = 1; step <= 5; step++) {
            metrics.append(String.format("{\"step\": %d, \"loss\": %.2f, \"objective/kl\": %.2f, \"objective/scores\": %.2f}%n",
                    step, 1.0 / step, 0.01 * step, 0.1 * step));
        }
        Files.writeString(ppo.resolve("metrics.jsonl"), metrics.toString());
        Path eval = out.resolve("eval");
        Files.createDirectories(eval);
        String estimate = "{\"value\": 0.5, \"low\": 0.3, \"high\": 0.7, \"n\": 20}";
        Files.writeString(eval.resolve(EvalStage.RESULTS), ("{\"task\": \"demo\", \"prompts\": 40, \"reference\": \"sft\","
                + " \"rows\": {\"sft\": {\"accuracy\": E, \"refusal\": E, \"over_refusal\": E, \"mean_length\": E},"
                + " \"ppo\": {\"accuracy\": E, \"refusal\": E, \"over_refusal\": E, \"mean_length\": E, \"kl\": E}}}")
                        .replace("E", estimate));
        Path report = PipelineReport.write(out, List.of(
                new PipelineRunner.StageOutcome("ppo", "ppo", PipelineRunner.Status.RAN, 12.5, 812.4, ppo),
                new PipelineRunner.StageOutcome("eval", "eval", PipelineRunner.Status.SKIPPED, Double.NaN, Double.NaN, eval)));
        String md = Files.readString(report);
        assertTrue(md.contains("| sft | 0.50 [0.30, 0.70] | 0.50 [0.30, 0.70] | 0.50 [0.30, 0.70] | 0.5 [0.3, 0.7] | - |"), md);
        assertTrue(md.contains("| ppo | 0.50 [0.30, 0.70] |"), md);
        assertTrue(md.contains("| ppo | ppo | ran | 12.5 | 812 |") && md.contains("| eval | eval | skipped | - | - |"), md);
        assertTrue(md.contains("loss, objective/kl, objective/scores per step.") && md.contains("![ppo](plots/ppo.png)"), md);
        byte[] png = Files.readAllBytes(out.resolve("plots/ppo.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
    }
}
