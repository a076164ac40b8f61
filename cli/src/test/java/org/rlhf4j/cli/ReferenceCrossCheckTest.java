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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Directories written by {@code rlhf4j init} / {@code export} load in the independent PyTorch
 * implementation of transformers' Llama ({@code tools/reference/logprobs.py}) and give the same
 * per-token log-probs as {@code rlhf4j logprobs}, to 1e-4. Needs Debian's python3-torch
 * ({@code .ci/run} installs it); without it the test is reported as aborted, with the reason.
 */
class ReferenceCrossCheckTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("../tools/reference/logprobs.py");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @BeforeAll
    static void requireTorch() throws Exception {
        boolean available = Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c", "import torch")) == 0;
        if (!available) {
            System.err.println("ReferenceCrossCheckTest NOT RUN: /usr/bin/python3 with torch is missing "
                    + "(apt-get install python3-torch); the golden-file test still covers the forward pass.");
        }
        Assumptions.assumeTrue(available, "/usr/bin/python3 with torch (Debian python3-torch) is not installed");
    }

    @ParameterizedTest
    @CsvSource({"tiny.yaml,float32", "qwen2-tiny.yaml,float32", "tiny.yaml,bfloat16", "qwen2-tiny.yaml,float16"})
    void cliLogprobsMatchReference(String config, String dtype) throws Exception {
        Path init = dir.resolve(config + "-init");
        if (!Files.exists(init)) {
            assertEquals(0, CliRunner.run("init", "--config", "../configs/model/" + config, "--out",
                    init.toString()).exitCode());
        }
        Path model = dir.resolve(config + "-" + dtype);
        assertEquals(0, CliRunner.run("export", "--model", init.toString(), "--out", model.toString(),
                "--dtype", dtype).exitCode());
        Path in = dir.resolve("ids.jsonl");
        StringBuilder long40 = new StringBuilder("{\"ids\": [");
        for (int i = 0; i < 40; i++) {
            long40.append(i == 0 ? "" : ", ").append((i * 37) % 259);
        }
        Files.writeString(in, "{\"ids\": [257, 117, 115, 101, 114, 10, 72, 105]}\n" + long40 + "]}\n"
                + "{\"text\": \"<|im_start|>assistant\\nHello there<|im_end|>\"}\n");
        Path ours = dir.resolve("ours.jsonl");
        CliRunner.Outcome o = CliRunner.run("logprobs", "--model", model.toString(), "--input", in.toString(),
                "--out", ours.toString());
        assertEquals(0, o.exitCode(), o.err());
        // The reference takes ids only: feed it the ids our tokenizer produced.
        Path idsOnly = dir.resolve("ids-only.jsonl");
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(ours)) {
            sb.append("{\"ids\": ").append(JSON.readTree(line).get("ids")).append("}\n");
        }
        Files.writeString(idsOnly, sb.toString());
        Path theirs = dir.resolve("theirs.jsonl");
        assertEquals(0, run(List.of(PYTHON.toString(), SCRIPT.toString(), "--model", model.toString(), "--input",
                idsOnly.toString(), "--out", theirs.toString())), "reference script failed");
        List<String> a = Files.readAllLines(ours);
        List<String> b = Files.readAllLines(theirs);
        assertEquals(a.size(), b.size());
        int compared = 0;
        for (int i = 0; i < a.size(); i++) {
            JsonNode x = JSON.readTree(a.get(i)).get("logprobs");
            JsonNode y = JSON.readTree(b.get(i)).get("logprobs");
            assertEquals(x.size(), y.size());
            for (int t = 0; t < x.size(); t++) {
                assertEquals(y.get(t).asDouble(), x.get(t).asDouble(), 1e-4, config + " line " + i + " token " + t);
                compared++;
            }
        }
        assertTrue(compared > 40);
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
