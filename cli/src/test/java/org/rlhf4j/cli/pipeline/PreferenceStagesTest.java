package org.rlhf4j.cli.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline's preference-learning glue without training: the new kinds are registered, the
 * reward-accuracy column reads the last held-out pair accuracy of each metrics file, and the
 * report shows it.
 */
class PreferenceStagesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void rmPpoAndDpoAreDefaultKindsWithFinalAndMetrics() {
        StageRunners runners = StageRunners.defaults();
        for (String kind : new String[] {"rm", "ppo", "dpo"}) {
            Map<String, Path> outputs = runners.get(kind).outputs(dir);
            assertEquals(dir.resolve("final"), outputs.get("final"), kind);
            assertEquals(dir.resolve("metrics.jsonl"), outputs.get("metrics"), kind);
        }
        assertEquals(dir.resolve("samples.jsonl"), runners.get("ppo").outputs(dir).get("samples"));
    }

    @Test
    void theRewardAccuracyColumnShowsTheLastHeldOutPairAccuracyOfEachFile() throws Exception {
        Path rmHelpful = metrics("rm_helpful", "{\"step\": 10, \"loss\": 0.5}",
                "{\"step\": 75, \"eval_loss\": 0.4, \"eval_accuracy\": 0.70}",
                "{\"step\": 150, \"eval_loss\": 0.3, \"eval_accuracy\": 0.78}");
        Path rmSafety = metrics("rm_safety", "{\"step\": 10, \"loss\": 0.5}");   // never evaluated
        Path dpo = metrics("dpo", "{\"step\": 150, \"eval_rewards/accuracies\": 0.952}");
        assertEquals(0.78, EvalStage.lastPairAccuracy(rmHelpful));
        assertTrue(Double.isNaN(EvalStage.lastPairAccuracy(rmSafety)));

        Path out = dir.resolve("run");
        Path eval = out.resolve("eval");
        Files.createDirectories(eval);
        String e = "{\"value\": 0.5, \"low\": 0.3, \"high\": 0.7, \"n\": 20}";
        var results = JSON.createObjectNode().put("task", "demo").put("prompts", 40);
        var rows = results.putObject("rows");
        for (String row : List.of("sft", "ppo", "dpo")) {
            rows.set(row, JSON.readTree("{\"accuracy\": E, \"refusal\": E}".replace("E", e)));
        }
        var accuracy = results.putObject("reward_accuracy");
        accuracy.putObject("ppo").put("rm_helpful", EvalStage.lastPairAccuracy(rmHelpful)).putNull("rm_safety");
        accuracy.putObject("dpo").put("dpo", EvalStage.lastPairAccuracy(dpo));
        Files.writeString(eval.resolve(EvalStage.RESULTS), results.toString());

        String md = Files.readString(PipelineReport.write(out, List.of(
                new PipelineRunner.StageOutcome("eval", "eval", PipelineRunner.Status.RAN, 1.0, 300.0, eval))));
        assertTrue(md.contains("| model | accuracy | refusal | over-refusal | length | KL to ref | reward acc. |"), md);
        // 0.952 rounds to 0.95; null (no eval line, as EvalStage writes it) shows as "-"; sft has no reward of its own
        assertTrue(md.contains("| ppo | 0.50 [0.30, 0.70] | 0.50 [0.30, 0.70] | - | - | - | 0.78 / - |"), md);
        assertTrue(md.contains("| dpo | 0.50 [0.30, 0.70] | 0.50 [0.30, 0.70] | - | - | - | 0.95 |"), md);
        assertTrue(md.contains("| sft | 0.50 [0.30, 0.70] | 0.50 [0.30, 0.70] | - | - | - | - |"), md);
        assertTrue(md.contains("ppo: rm_helpful / rm_safety; dpo: dpo"), md);
    }

    private Path metrics(String stage, String... lines) throws Exception {
        Path file = dir.resolve(stage).resolve("metrics.jsonl");
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }
}
