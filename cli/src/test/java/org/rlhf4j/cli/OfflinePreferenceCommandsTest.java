package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.training.MetricsLog;

/**
 * {@code rlhf4j simpo}, {@code orpo} and {@code kto} through the real entry point on their demo
 * configs (with the config's {@code loss_type} line removed: the command supplies it): they run,
 * the reference-free ones load no reference, KTO reads the DPO demo pairs as unpaired examples.
 */
class OfflinePreferenceCommandsTest {

    @TempDir
    static Path dir;

    static Path model;

    @BeforeAll
    static void init() throws Exception {
        model = CliRunner.initTiny(dir.resolve("tiny"));
    }

    private static CliRunner.Outcome run(String command, Path config, Path out) {
        return CliRunner.run(command, "--config", config.toString(), "--set", "model=" + model, "--set",
                "output_dir=" + out, "--set", "train.max_steps=2", "--set", "train.eval_every=2", "--set",
                "train.save_every=0", "--set", "train.log_every=1", "--set",
                "data.train=../configs/demo/data/dpo-train.jsonl", "--set", "data.eval=../configs/demo/data/dpo-eval.jsonl");
    }

    @Test
    void eachAliasRunsItsDemoConfigWithItsLossType() throws Exception {
        for (String loss : List.of("simpo", "orpo", "kto")) {
            Path config = dir.resolve(loss + ".yaml");
            String text = Files.readString(Path.of("../configs/demo/" + loss + ".yaml"));
            assertTrue(text.contains("  loss_type: " + loss), loss);
            Files.writeString(config, text.replaceAll("  loss_type: [a-z]+[^\n]*\n", ""));
            Path out = dir.resolve(loss);
            CliRunner.Outcome o = run(loss, config, out);
            assertEquals(0, o.exitCode(), o.err());
            assertTrue(Files.readString(out.resolve("config.resolved.yaml")).contains("loss_type: " + loss), loss);
            assertTrue(o.out().contains(loss.equals("kto") ? "reference: log-probs precomputed and cached"
                    : "reference: none: loss_type " + loss + " is reference-free"), o.out());
            List<JsonNode> lines = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME));
            JsonNode eval = lines.stream().filter(n -> n.has("eval_loss")).findFirst().orElseThrow();
            assertTrue(eval.has(loss.equals("kto") ? "eval_kl" : "eval_rewards/accuracies"), eval.toString());
            if (loss.equals("kto")) {
                assertTrue(o.err().contains("unpaired data: 90 train (45 desirable), 20 eval (10 desirable)"), o.err());
            }
            assertTrue(Files.isRegularFile(out.resolve("final/model.safetensors")));
        }
    }

    @Test
    void anAliasRefusesAConfigNamingAnotherLoss() {
        CliRunner.Outcome o = run("kto", Path.of("../configs/demo/dpo.yaml"), dir.resolve("refused"));
        assertNotEquals(0, o.exitCode());
        assertTrue(o.err().contains("dpo.loss_type: sigmoid in a config run with `rlhf4j kto`"), o.err());
        assertFalse(Files.exists(dir.resolve("refused").resolve("final")));
    }
}
