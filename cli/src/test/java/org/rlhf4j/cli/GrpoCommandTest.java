package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.training.MetricsLog;

/** {@code rlhf4j grpo} through the real entry point on the GRPO demo config: no critic, TRL's GRPO metrics. */
class GrpoCommandTest {

    private static final String DEMO = "../configs/demo/grpo.yaml";

    @TempDir
    Path dir;

    @Test
    void demoConfigRunsWithoutACritic() throws Exception {
        Path model = CliRunner.initTiny(dir.resolve("tiny"));
        Path out = dir.resolve("grpo");
        // the file's advantage and group_size are removed: the command's defaults must supply them
        Path config = dir.resolve("grpo.yaml");
        Files.writeString(config, Files.readString(Path.of(DEMO)).replace("  advantage: grpo\n", "")
                .replace("  group_size: 4\n", ""));
        CliRunner.Outcome run = CliRunner.run("grpo", "--config", config.toString(), "--set", "model=" + model,
                "--set", "output_dir=" + out, "--set", "data.train=../configs/demo/data/ppo-prompts-rule.jsonl",
                "--set", "train.batch_size=8", "--set", "ppo.mini_batch_size=4", "--set", "ppo.ppo_epochs=1",
                "--set", "ppo.max_new_tokens=3", "--set", "train.max_steps=2", "--set", "train.save_every=2");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("iteration 2/2"), run.out());
        String resolved = Files.readString(out.resolve("config.resolved.yaml"));
        assertTrue(resolved.contains("advantage: grpo") && resolved.contains("group_size: 4"), resolved);
        List<JsonNode> lines = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME));
        assertEquals(2, lines.size());
        for (JsonNode l : lines) {
            assertTrue(l.has("reward") && l.has("frac_reward_zero_std") && l.has("clip_ratio/region_mean"),
                    l.toString());
            assertFalse(l.has("loss/value"), l.toString());
        }
        assertTrue(Files.isDirectory(out.resolve("checkpoints/step-000002")));
        assertFalse(Files.exists(out.resolve("checkpoints/step-000002/critic")), "no critic is trained or saved");
        assertTrue(Files.isRegularFile(out.resolve("final/model.safetensors")));
    }

    @Test
    void aCriticEstimatorAndASingleResponseGroupAreRefused() {
        CliRunner.Outcome gae = CliRunner.run("grpo", "--config", DEMO, "--set", "ppo.advantage=gae");
        assertEquals(1, gae.exitCode());
        assertTrue(gae.err().contains("ppo.advantage: gae needs a critic"), gae.err());
        CliRunner.Outcome rloo = CliRunner.run("grpo", "--config", DEMO, "--set", "ppo.advantage=rloo", "--set",
                "ppo.group_size=1");
        assertEquals(1, rloo.exitCode());
        assertTrue(rloo.err().contains("ppo.group_size must be >= 2 with ppo.advantage: rloo"), rloo.err());
    }
}
