package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.FloatTensor;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.training.MetricsLog;

/** {@code rlhf4j ppo} through the real entry point on the rule-reward demo config, then a resume. */
class PpoCommandTest {

    @TempDir
    Path dir;

    @Test
    void ruleDemoConfigRunsAndResumes() throws Exception {
        Path model = CliRunner.initTiny(dir.resolve("tiny"));
        Path out = dir.resolve("ppo");
        String[] common = {"--config", "../configs/demo/ppo-rule.yaml", "--set", "model=" + model,
            "--set", "output_dir=" + out, "--set", "data.train=../configs/demo/data/ppo-prompts-rule.jsonl",
            "--set", "train.batch_size=4", "--set", "ppo.mini_batch_size=2", "--set", "ppo.ppo_epochs=1",
            "--set", "ppo.max_new_tokens=3", "--set", "train.save_every=1", "--set", "train.lr=1e-3"};
        CliRunner.Outcome first = CliRunner.run(concat(new String[] {"ppo"}, common,
                new String[] {"--set", "train.max_steps=1"}));
        assertEquals(0, first.exitCode(), first.err());
        CliRunner.Outcome second = CliRunner.run(concat(new String[] {"ppo"}, common,
                new String[] {"--set", "train.max_steps=2"}));
        assertEquals(0, second.exitCode(), second.err());
        assertTrue(second.out().contains("resumed from iteration 1") && second.out().contains("iteration 2/2"),
                second.out());
        // the progress line reports what PPO optimises, not its near-zero surrogate loss
        assertTrue(second.err().lines().anyMatch(l -> l.startsWith("iteration 2/2 [") && l.contains("] score ")
                && l.contains(" | kl ") && !l.contains("loss")), second.err());
        assertTrue(second.out().contains("plot:    " + out.resolve("metrics.png")), second.out());
        List<JsonNode> lines = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME));
        assertEquals(2, lines.size());
        for (JsonNode l : lines) {
            assertTrue(l.has("objective/scores/exact") && l.has("objective/scores/brevity") && l.has("loss/value"),
                    l.toString());
        }
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/step-000002/ppo_state.json")));
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/step-000002/critic/optimizer.safetensors")));
        Map<String, FloatTensor> before = SafetensorsReader.readFloats(model.resolve("model.safetensors"));
        Map<String, FloatTensor> after = SafetensorsReader.readFloats(out.resolve("final/model.safetensors"));
        assertFalse(java.util.Arrays.equals(before.get("lm_head.weight").values(),
                after.get("lm_head.weight").values()), "the policy changed");
    }

    @Test
    void aPromptWithoutTheAnswerItsRuleNeedsStopsTheRunBeforeTheFirstIteration() throws Exception {
        Path model = CliRunner.initTiny(dir.resolve("tiny"));
        List<String> lines = Files.readAllLines(Path.of("../configs/demo/data/ppo-prompts-rule.jsonl"));
        lines.set(2, lines.get(2).replaceAll(", \"answer\": \"[^\"]*\"", "")); // line 3 loses its answer
        Path prompts = Files.write(dir.resolve("prompts.jsonl"), lines);
        Path out = dir.resolve("ppo");
        CliRunner.Outcome o = CliRunner.run("ppo", "--config", "../configs/demo/ppo-rule.yaml", "--set",
                "model=" + model, "--set", "output_dir=" + out, "--set", "data.train=" + prompts);
        assertEquals(1, o.exitCode(), o.err());
        assertTrue(o.err().contains(prompts + ":3: rewards.sources.exact: has no \"answer\""), o.err());
        assertFalse(Files.exists(out.resolve(MetricsLog.FILE_NAME)) && !Files.readString(
                out.resolve(MetricsLog.FILE_NAME)).isEmpty(), "no iteration ran");
    }

    @Test
    void unknownKeyIsNamed() {
        CliRunner.Outcome o = CliRunner.run("ppo", "--config", "../configs/demo/ppo-rule.yaml", "--set",
                "ppo.kl_coeff=0.1");
        assertEquals(1, o.exitCode());
        assertTrue(o.err().contains("kl_coef"), o.err());
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}
