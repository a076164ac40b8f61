package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.training.MetricsLog;

/**
 * {@code rlhf4j rm} on the demo configs (shortened) and {@code rlhf4j score} on its output: the
 * exported {@code final/} is a sequence classifier with the conditions table, scores preference
 * and single-response lines, resolves {@code --condition}, and gives the same scores as the
 * independent PyTorch implementation of transformers' {@code LlamaForSequenceClassification}
 * ({@code tools/reference/score.py}) when Debian's python3-torch is installed.
 */
class RmCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    static Path dir;

    static Path model;

    @BeforeAll
    static void init() {
        model = dir.resolve("tiny");
        CliRunner.Outcome o = CliRunner.run("init", "--config", "../configs/model/tiny.yaml", "--out", model.toString(),
                "--set", "model.hidden_size=32", "--set", "model.intermediate_size=64", "--set", "model.num_hidden_layers=2");
        assertEquals(0, o.exitCode(), o.err());
    }

    private static CliRunner.Outcome rm(String config, Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("rm", "--config", "../configs/demo/" + config,
                "--set", "model=" + model, "--set", "output_dir=" + out, "--set", "train.max_steps=20",
                "--set", "train.log_every=5", "--set", "train.eval_every=10", "--set", "train.save_every=10",
                "--set", "train.batch_size=8"));
        for (String e : extra) {
            args.add("--set");
            args.add(e);
        }
        return CliRunner.run(args.toArray(String[]::new));
    }

    @Test
    void conditionalDemoTrainsExportsAndScores() throws Exception {
        Path out = dir.resolve("rm-conditional");
        CliRunner.Outcome o = rm("rm-conditional.yaml", out,
                "data.train=../configs/demo/data/rm-conditional-train.jsonl",
                "data.eval=../configs/demo/data/rm-conditional-eval.jsonl");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("trained to step 20/20") && o.out().contains("eval_accuracy"), o.out());
        List<JsonNode> lines = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME));
        assertTrue(lines.get(0).has("accuracy/condition/helpful") && lines.get(0).has("accuracy/degree/better"),
                lines.get(0).toString());
        Path fin = out.resolve("final");
        JsonNode config = JSON.readTree(fin.resolve("config.json").toFile());
        assertEquals("LlamaForSequenceClassification", config.get("architectures").get(0).asText());
        assertEquals(1, config.get("num_labels").asInt());
        assertTrue(Files.readString(fin.resolve("rlhf4j_conditions.json")).contains("\"safety\""));

        // preference lines: both scores, accuracy by degree and by condition on stdout
        Path scored = dir.resolve("scored.jsonl");
        o = CliRunner.run("score", "--model", fin.toString(), "--input",
                "../configs/demo/data/rm-conditional-eval.jsonl", "--out", scored.toString());
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("pairs: 200, accuracy "), o.out());
        assertTrue(o.out().contains("by degree: significantly_better") && o.out().contains("by condition: helpful"),
                o.out());
        assertTrue(o.out().contains("scores: n 400, mean "), o.out());
        JsonNode first = JSON.readTree(Files.readAllLines(scored).get(0));
        assertTrue(first.has("chosen_score") && first.has("rejected_score") && first.has("prompt"), first.toString());

        // single responses under --condition; an unknown condition lists the known ones
        Path single = dir.resolve("single.jsonl");
        Files.writeString(single, "{\"prompt\": \"[UNSAFE] How do I build a bomb?\", \"response\": \"No.\"}\n"
                + "{\"messages\": [{\"role\": \"user\", \"content\": \"add 2 3\"}], \"response\": \"5\"}\n");
        o = CliRunner.run("score", "--model", fin.toString(), "--input", single.toString(), "--condition", "safety");
        assertEquals(0, o.exitCode(), o.err());
        List<String> outLines = o.out().lines().toList();
        assertEquals(2, outLines.size(), o.out());
        assertTrue(JSON.readTree(outLines.get(0)).get("score").isNumber());
        assertEquals("safety", JSON.readTree(outLines.get(1)).get("condition").asText());
        o = CliRunner.run("score", "--model", fin.toString(), "--input", single.toString(), "--condition", "honesty");
        assertEquals(1, o.exitCode());
        assertTrue(o.err().contains("unknown condition 'honesty'; known conditions: helpful, safety"), o.err());
    }

    @Test
    void helpfulDemoResumesAndMatchesTheReferenceImplementation() throws Exception {
        Path out = dir.resolve("rm-helpful");
        CliRunner.Outcome o = rm("rm-helpful.yaml", out, "data.train=../configs/demo/data/rm-helpful-train.jsonl",
                "data.eval=../configs/demo/data/rm-helpful-eval.jsonl", "train.max_steps=10");
        assertEquals(0, o.exitCode(), o.err());
        o = rm("rm-helpful.yaml", out, "data.train=../configs/demo/data/rm-helpful-train.jsonl",
                "data.eval=../configs/demo/data/rm-helpful-eval.jsonl");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("resumed from step 10") && o.out().contains("trained to step 20/20"), o.out());

        Path scored = dir.resolve("helpful-scored.jsonl");
        o = CliRunner.run("score", "--model", out.resolve("final").toString(), "--input",
                "../configs/demo/data/rm-helpful-eval.jsonl", "--out", scored.toString(), "--with-ids");
        assertEquals(0, o.exitCode(), o.err());

        boolean torch = Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c", "import torch")) == 0;
        if (!torch) {
            System.err.println("RmCommandTest reference cross-check NOT RUN: /usr/bin/python3 with torch is missing"
                    + " (apt-get install python3-torch)");
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "python3-torch is not installed");
        }
        List<String> lines = Files.readAllLines(scored).subList(0, 20);
        StringBuilder ids = new StringBuilder();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            ids.append("{\"ids\": ").append(n.get("chosen_ids")).append("}\n");
            ids.append("{\"ids\": ").append(n.get("rejected_ids")).append("}\n");
        }
        Path in = dir.resolve("rm-ids.jsonl");
        Files.writeString(in, ids.toString());
        Path theirs = dir.resolve("rm-theirs.jsonl");
        assertEquals(0, run(List.of(PYTHON.toString(), "../tools/reference/score.py", "--model",
                out.resolve("final").toString(), "--input", in.toString(), "--out", theirs.toString())),
                "reference script failed");
        List<String> reference = Files.readAllLines(theirs);
        assertEquals(2 * lines.size(), reference.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode ours = JSON.readTree(lines.get(i));
            JsonNode chosen = JSON.readTree(reference.get(2 * i));
            JsonNode rejected = JSON.readTree(reference.get(2 * i + 1));
            // transformers reads the score at the last token, <|im_end|> (the pad id is <|endoftext|>)
            assertEquals(ours.get("chosen_ids").size() - 1, chosen.get("index").asInt());
            assertEquals(chosen.get("score").asDouble(), ours.get("chosen_score").asDouble(), 1e-4, "line " + i);
            assertEquals(rejected.get("score").asDouble(), ours.get("rejected_score").asDouble(), 1e-4, "line " + i);
        }
    }

    private static int run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
