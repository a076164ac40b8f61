package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.training.MetricsLog;

/**
 * {@code rlhf4j dpo} through the real entry point on the demo config, starting from an SFT
 * checkpoint made by {@code rlhf4j sft}: it runs to {@code final/}, the eval split's reward
 * accuracy and margin rise, a rerun on a new output directory but the same data and reference
 * hits no cache (the cache lives with the run) while a resume does, and the exported model loads in
 * the independent PyTorch Llama ({@code tools/reference/logprobs.py}) with the same log-probs.
 */
class DpoCommandTest {

    static final Path DEMO = Path.of("../configs/demo/dpo.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void dpoOnTheDemoConfigRaisesEvalAccuracyAndMarginAndExportsALoadableModel() throws Exception {
        Path tiny = dir.resolve("tiny");
        CliRunner.Outcome o = CliRunner.run("init", "--config", "../configs/model/tiny.yaml", "--out", tiny.toString(),
                "--set", "model.hidden_size=32", "--set", "model.intermediate_size=64", "--set",
                "model.num_hidden_layers=2");
        assertEquals(0, o.exitCode(), o.err());
        Path sft = dir.resolve("sft");
        o = CliRunner.run("sft", "--config", "../configs/demo/sft.yaml", "--set", "model=" + tiny, "--set",
                "output_dir=" + sft, "--set", "data.train=../configs/demo/data/sft-train.jsonl", "--set",
                "data.eval=null", "--set", "train.max_steps=40", "--set", "train.lr=3e-3", "--set",
                "train.warmup_steps=5", "--set", "train.save_every=0");
        assertEquals(0, o.exitCode(), o.err());

        Path out = dir.resolve("dpo");
        String[] args = {"dpo", "--config", DEMO.toString(), "--set", "model=" + sft.resolve("final"), "--set",
            "output_dir=" + out, "--set", "data.train=../configs/demo/data/dpo-train.jsonl", "--set",
            "data.eval=../configs/demo/data/dpo-eval.jsonl", "--set", "train.max_steps=30", "--set",
            "train.eval_every=2", "--set", "train.save_every=15", "--set", "train.lr=1e-3"};
        o = CliRunner.run(args);
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("trained to step 30/30"), o.out());
        assertTrue(o.out().contains("log-probs precomputed and cached"), o.out());
        List<JsonNode> evals = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME)).stream()
                .filter(n -> n.has("eval_loss")).toList();
        JsonNode first = evals.get(0);
        JsonNode last = evals.get(evals.size() - 1);
        String trace = evals.stream().map(n -> n.get("eval_rewards/accuracies").asDouble() + "/"
                + n.get("eval_rewards/margins").asDouble()).toList().toString();
        assertTrue(last.get("eval_rewards/margins").asDouble() > first.get("eval_rewards/margins").asDouble(), trace);
        assertTrue(last.get("eval_rewards/accuracies").asDouble() >= first.get("eval_rewards/accuracies").asDouble()
                && last.get("eval_rewards/accuracies").asDouble() >= 0.8, trace);
        System.err.println("DpoCommandTest eval accuracy/margin: " + trace);
        JsonNode train = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME)).stream().filter(n -> n.has("loss"))
                .findFirst().orElseThrow();
        for (String key : List.of("loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins",
                "logps/chosen", "logps/rejected", "grad_norm", "learning_rate")) {
            assertTrue(train.has(key), key + " in " + train);
        }
        assertTrue(Files.isRegularFile(out.resolve("final/model.safetensors")));
        assertTrue(Files.readString(out.resolve("config.resolved.yaml")).contains("loss_type: sigmoid"));

        // a resume past the end reuses the cache and does nothing more
        o = CliRunner.run(args);
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("resumed from step 30") && o.out().contains("cached log-probs reused"), o.out());

        crossCheckWithTheReferenceImplementation(out.resolve("final"));
    }

    private void crossCheckWithTheReferenceImplementation(Path model) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python) || run(List.of(python.toString(), "-c", "import torch")) != 0) {
            System.err.println("DpoCommandTest: cross-check with tools/reference/logprobs.py NOT RUN: no python3 with torch");
            org.junit.jupiter.api.Assumptions.abort("python3 with torch is not installed");
        }
        Path in = dir.resolve("text.jsonl");
        Files.writeString(in, "{\"text\": \"<|im_start|>user\\nadd 2 3<|im_end|>\\n<|im_start|>assistant\\n5<|im_end|>\"}\n");
        Path ours = dir.resolve("ours.jsonl");
        CliRunner.Outcome o = CliRunner.run("logprobs", "--model", model.toString(), "--input", in.toString(), "--out",
                ours.toString());
        assertEquals(0, o.exitCode(), o.err());
        JsonNode mine = JSON.readTree(Files.readAllLines(ours).get(0));
        Path ids = dir.resolve("ids.jsonl");
        Files.writeString(ids, "{\"ids\": " + mine.get("ids") + "}\n");
        Path theirs = dir.resolve("theirs.jsonl");
        assertEquals(0, run(List.of(python.toString(), "../tools/reference/logprobs.py", "--model", model.toString(),
                "--input", ids.toString(), "--out", theirs.toString())), "reference script failed");
        JsonNode reference = JSON.readTree(Files.readAllLines(theirs).get(0)).get("logprobs");
        JsonNode logprobs = mine.get("logprobs");
        assertEquals(reference.size(), logprobs.size());
        for (int t = 0; t < logprobs.size(); t++) {
            assertEquals(reference.get(t).asDouble(), logprobs.get(t).asDouble(), 1e-4, "token " + t);
        }
    }

    private static int run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
