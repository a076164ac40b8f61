package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.FloatTensor;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.training.MetricsLog;

/** {@code rlhf4j sft} and {@code rlhf4j pretrain} through the real entry point, on the demo config. */
class SftCommandTest {

    static final Path DEMO = Path.of("../configs/demo/sft.yaml");

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

    @Test
    void sftOnTheDemoConfigLowersTheLossAndWritesAModel() throws Exception {
        Path out = dir.resolve("sft");
        CliRunner.Outcome o = CliRunner.run("sft", "--config", DEMO.toString(), "--set", "model=" + model,
                "--set", "output_dir=" + out, "--set", "data.train=../configs/demo/data/sft-train.jsonl",
                "--set", "data.eval=../configs/demo/data/sft-eval.jsonl", "--set", "train.max_steps=30",
                "--set", "train.lr=3e-3", "--set", "train.warmup_steps=5", "--set", "train.log_every=5",
                "--set", "train.save_every=15", "--set", "train.eval_every=15");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("trained to step 30/30"), o.out());
        List<JsonNode> lines = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME));
        double first = lines.get(0).get("loss").asDouble();
        double last = lines.stream().filter(n -> n.has("loss")).reduce((a, b) -> b).orElseThrow().get("loss").asDouble();
        assertTrue(Double.isFinite(last) && last < first, "loss " + first + " -> " + last);
        assertTrue(lines.stream().anyMatch(n -> n.has("eval_loss")), "eval_loss logged");

        Map<String, FloatTensor> before = SafetensorsReader.readFloats(model.resolve("model.safetensors"));
        Map<String, FloatTensor> after = SafetensorsReader.readFloats(out.resolve("final/model.safetensors"));
        assertFalse(java.util.Arrays.equals(before.get("model.embed_tokens.weight").values(),
                after.get("model.embed_tokens.weight").values()), "the weights changed");
        assertTrue(Files.readString(out.resolve("config.resolved.yaml")).contains("max_steps: 30"));
        assertTrue(Files.isDirectory(out.resolve("checkpoints/step-000030")));

        // the stage drew its curves when it ended; `rlhf4j plot` redraws them anywhere
        assertTrue(o.out().contains("plot:    " + out.resolve("metrics.png")), o.out());
        assertPng(out.resolve("metrics.png"));
        Path redrawn = dir.resolve("sft-again.png");
        CliRunner.Outcome plot = CliRunner.run("plot", out.toString(), "--out", redrawn.toString());
        assertEquals(0, plot.exitCode(), plot.err());
        assertTrue(plot.out().contains("(loss, learning_rate, grad_norm"), plot.out());
        assertPng(redrawn);
        CliRunner.Outcome missing = CliRunner.run("plot", dir.resolve("nowhere").toString());
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("metrics.jsonl: no such file"), missing.err());
    }

    static void assertPng(Path png) throws Exception {
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 4);
        assertTrue(java.util.Arrays.equals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head), png + " is a PNG");
    }

    @Test
    void pretrainTrainsOnPlainText() throws Exception {
        Path text = dir.resolve("text.txt");
        // A .txt document is a run of non-blank lines; blank lines separate documents.
        Files.writeString(text, "the cat sat on the mat\n\nthe dog sat on the log\n\n".repeat(4));
        Path out = dir.resolve("pretrain");
        CliRunner.Outcome o = CliRunner.run("pretrain", "--config", DEMO.toString(), "--set", "model=" + model,
                "--set", "output_dir=" + out, "--set", "data.train=" + text, "--set", "data.eval=null",
                "--set", "train.max_steps=4", "--set", "train.save_every=0", "--set", "train.log_every=1");
        assertEquals(0, o.exitCode(), o.err());
        // 8 documents of 22 bytes, batch_size 8: one step reads all of them, num_tokens = 8 x 22 = 176
        assertEquals(176, MetricsLog.read(out.resolve(MetricsLog.FILE_NAME)).get(0).get("num_tokens").asInt());
        assertFalse(Files.exists(out.resolve("checkpoints")));
        assertTrue(Files.isRegularFile(out.resolve("final/model.safetensors")));
    }

    @Test
    void aMisspeltKeyIsNamedWithASuggestion() {
        CliRunner.Outcome o = CliRunner.run("sft", "--config", DEMO.toString(), "--set", "train.max_step=5");
        assertEquals(1, o.exitCode());
        assertTrue(o.err().contains("unknown key 'train.max_step'; did you mean 'train.max_steps'?"), o.err());
    }
}
