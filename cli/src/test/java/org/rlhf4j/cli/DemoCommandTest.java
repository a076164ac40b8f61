package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rlhf4j demo} on the real configs/demo/pipeline.yaml (found from the test's working
 * directory, cli/, through the location of the classes), shortened (a 2-layer model, 2 steps
 * per training stage, 8-token answers): every stage (data, init, pretrain, sft, both reward
 * models, PPO, DPO, eval) runs and the report has every row (base, sft, ppo, dpo), stage and
 * plot. This is the check CI runs; the full demo's numbers are measured by hand (README).
 */
class DemoCommandTest {

    @TempDir
    Path dir;

    @Test
    void aShortenedDemoCompletesWithAFullReport() throws Exception {
        assertTrue(Files.isRegularFile(Path.of("..").resolve(DemoCommand.PIPELINE)));
        Path out = dir.resolve("demo");
        String[] shortened = {"--set", "init.model.hidden_size=32", "--set", "init.model.intermediate_size=64",
            "--set", "init.model.num_hidden_layers=2", "--set", "pretrain.train.max_steps=2",
            "--set", "sft.train.max_steps=2", "--set", "sft.train.eval_every=0",
            // the helpfulness RM evaluates once, so the reward-accuracy column has a number
            "--set", "rm_helpful.train.max_steps=2", "--set", "rm_helpful.train.eval_every=2",
            "--set", "rm_safety.train.max_steps=2", "--set", "rm_safety.train.eval_every=0",
            "--set", "ppo.train.max_steps=2", "--set", "ppo.train.batch_size=4", "--set", "ppo.ppo.mini_batch_size=4",
            "--set", "ppo.ppo.max_new_tokens=8", "--set", "ppo.ppo.ppo_epochs=1",
            "--set", "dpo.train.max_steps=2", "--set", "dpo.train.eval_every=0",
            "--set", "eval.max_new_tokens=8"};
        CliRunner.Outcome o = CliRunner.run(concat(new String[] {"demo", "--out", out.toString()}, shortened));
        assertEquals(0, o.exitCode(), o.err());
        String report = Files.readString(out.resolve("report.md"));
        for (String row : new String[] {"| base |", "| sft |", "| ppo |", "| dpo |"}) {
            assertTrue(report.contains(row), "row " + row + " in\n" + report);
        }
        for (String stage : new String[] {"data", "init", "pretrain", "sft", "rm_helpful", "rm_safety", "ppo", "dpo",
            "eval"}) {
            assertTrue(report.contains("| " + stage + " |"), "stage " + stage + " in\n" + report);
        }
        for (String trained : new String[] {"sft", "rm_helpful", "rm_safety", "ppo", "dpo"}) {
            assertTrue(report.contains("![" + trained + "](plots/" + trained + ".png)")
                    && Files.size(out.resolve("plots/" + trained + ".png")) > 1000, trained + " plot in\n" + report);
        }
        // the PPO row's reward accuracy: the evaluated helpfulness RM's number, the unevaluated safety RM's "-"
        String ppoRow = report.lines().filter(l -> l.startsWith("| ppo |")).findFirst().orElseThrow();
        assertTrue(report.contains("reward acc.") && ppoRow.matches(".*\\| [01]\\.\\d\\d / - \\|$"), ppoRow);
        assertTrue(o.out().contains("base ") && o.out().contains("dpo ") && o.out().contains("accuracy"), o.out());
    }

    @Test
    void dataDemoWritesTheTaskFilesWithOverrides() throws Exception {
        Path out = dir.resolve("data");
        CliRunner.Outcome o = CliRunner.run("data", "demo", "--out", out.toString(), "--seed", "3",
                "--set", "eval_helpful=10");
        assertEquals(0, o.exitCode(), o.err());
        // 10 arithmetic + 32 unsafe + 32 look-alike held-out prompts
        assertEquals(74, Files.readAllLines(out.resolve("eval-prompts.jsonl")).size());
        assertTrue(Files.readString(out.resolve("manifest.json")).contains("\"seed\" : 3"));
        CliRunner.Outcome bad = CliRunner.run("data", "demo", "--out", out.toString(), "--set", "eval_helpfull=10");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("did you mean 'eval_helpful'"), bad.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
