package org.rlhf4j.cli.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.cli.pipeline.MetricsPlot.Panel;

/** Which panels a stage's plot gets, the smoothing, and the PNG. */
class MetricsPlotTest {

    @TempDir
    Path dir;

    private static LinkedHashSet<String> keys(String... names) {
        return new LinkedHashSet<>(List.of(names));
    }

    @Test
    void anSftRunGetsLossWithItsEvalTwinThenLearningRateAndGradNorm() {
        // the keys of an SFT metrics.jsonl, in file order (MetricWindow.drain, then the eval line)
        List<Panel> panels = MetricsPlot.choose(keys("step", "loss", "grad_norm", "learning_rate", "epoch",
                "num_tokens", "tokens_per_second", "time/forward", "time/backward", "memory/peak_rss_mb",
                "eval_loss"));
        assertEquals(List.of(new Panel("loss", List.of("loss", "eval_loss")),
                new Panel("learning_rate", List.of("learning_rate")), new Panel("grad_norm", List.of("grad_norm"))),
                panels);
    }

    @Test
    void aPpoRunGetsRewardKlAndLossFirstAndAtMostSixPanels() {
        // the keys of a PPO metrics.jsonl with a critic (PpoMetrics.line)
        List<Panel> panels = MetricsPlot.choose(keys("step", "objective/kl", "objective/kl_coef",
                "objective/entropy", "objective/non_score_reward", "objective/rlhf_reward", "objective/scores",
                "objective/scores_used", "policy/approxkl", "policy/clipfrac", "policy/entropy",
                "policy/logprob_mismatch", "loss/policy", "loss/value", "val/clipfrac", "val/mean",
                "val/num_eos_tokens", "response_length/mean", "ppo/epochs", "learning_rate", "grad_norm/actor",
                "grad_norm/critic", "time/generation", "time/iteration"));
        assertEquals(List.of("objective/scores", "objective/kl", "loss/policy", "learning_rate", "grad_norm/actor",
                "response_length/mean"), panels.stream().map(Panel::title).toList());
    }

    @Test
    void aDpoRunGetsMarginsKlLossAndAccuracyWithTheirEvalTwins() {
        List<Panel> panels = MetricsPlot.choose(keys("step", "loss", "rewards/chosen", "rewards/rejected",
                "rewards/accuracies", "rewards/margins", "grad_norm", "learning_rate", "eval_loss",
                "eval_rewards/accuracies", "eval_rewards/margins", "eval_kl"));
        assertEquals(List.of(new Panel("rewards/margins", List.of("rewards/margins", "eval_rewards/margins")),
                new Panel("kl", List.of("eval_kl")), new Panel("loss", List.of("loss", "eval_loss")),
                new Panel("rewards/accuracies", List.of("rewards/accuracies", "eval_rewards/accuracies")),
                new Panel("learning_rate", List.of("learning_rate")), new Panel("grad_norm", List.of("grad_norm"))),
                panels);
    }

    @Test
    void theSmoothedLineIsADebiasedMovingAverage() {
        // w = 0.5: m = 1, 2, 3.5 over the bias terms 0.5, 0.75, 0.875 -> 2, 2.6667, 4
        double[] smoothed = MetricsPlot.smooth(new double[] {2, 3, 5}, 0.5);
        assertArrayEquals(new double[] {2, 8 / 3.0, 4}, smoothed, 1e-12);
        assertArrayEquals(new double[] {7}, MetricsPlot.smooth(new double[] {7}, 0.9), 1e-12); // one point: itself
        assertArrayEquals(new double[] {1, 4}, MetricsPlot.smooth(new double[] {1, 4}, 0), 1e-12); // w 0: raw
    }

    @Test
    void writesAPngOfTheChosenPanels() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int step = 1; step <= 60; step++) {
            lines.append(String.format("{\"step\": %d, \"loss\": %.3f, \"learning_rate\": 0.001, \"time/step\": 0.2}%n",
                    step, 2.0 / step + (step % 2) * 0.1));
        }
        lines.append("{\"step\": 60, \"eval_loss\": 0.4}\n");
        Path metrics = dir.resolve("metrics.jsonl");
        Files.writeString(metrics, lines.toString());
        Path png = dir.resolve("out/metrics.png");
        assertEquals(List.of("loss", "learning_rate"), MetricsPlot.write(metrics, "sft", png));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(Files.readAllBytes(png), 4));
    }

    @Test
    void aFileWithNothingToDrawWritesNothing() throws Exception {
        Path metrics = dir.resolve("metrics.jsonl");
        Files.writeString(metrics, "{\"step\": 1, \"epoch\": 0.5}\n");
        assertEquals(List.of(), MetricsPlot.write(metrics, "x", dir.resolve("none.png")));
        assertEquals(false, Files.exists(dir.resolve("none.png")));
    }

    @Test
    void seriesSkipNonFiniteAndNonNumericValues() throws Exception {
        ObjectMapper json = new ObjectMapper();
        var series = MetricsPlot.series(List.of(json.readTree("{\"step\": 1, \"loss\": 2.0, \"note\": \"x\"}"),
                json.readTree("{\"step\": 2, \"loss\": \"NaN\"}"), json.readTree("{\"loss\": 1.0}")));
        assertEquals(List.of("step", "loss"), List.copyOf(series.keySet()));
        assertEquals(1, series.get("loss").size());
    }
}
