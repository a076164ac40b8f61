package org.rlhf4j.cli.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report and its plots from fabricated stage outputs. */
class PipelineReportTest {

    @TempDir
    Path dir;

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
        assertTrue(md.contains("objective/scores, objective/kl, loss per step.") && md.contains("![ppo](plots/ppo.png)"), md);
        byte[] png = Files.readAllBytes(out.resolve("plots/ppo.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
    }
}
