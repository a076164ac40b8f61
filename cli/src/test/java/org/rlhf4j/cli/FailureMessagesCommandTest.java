package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 9 and 10 through the real entry point: mistakes a user makes get one line that
 * names the file or key and says what to do, with exit code 1 and no stack trace.
 */
class FailureMessagesCommandTest {

    @TempDir
    static Path dir;

    static Path model;

    @BeforeAll
    static void tinyModel() {
        model = CliRunner.tinyModel(dir.resolve("tiny"));
    }

    private static void assertOneLineError(CliRunner.Outcome o, String command, String message) {
        assertEquals(1, o.exitCode(), o.err());
        assertTrue(o.err().contains("rlhf4j " + command + ": error: " + message), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    }

    @Test
    void generateOutIntoAMissingDirectoryFailsBeforeGenerating() throws Exception {
        Path prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, "{\"prompt\": \"hi\"}\n");
        Path missing = dir.resolve("no-such-dir");
        CliRunner.Outcome o = CliRunner.run("generate", "--model", model.toString(), "--input", prompts.toString(),
                "--out", missing.resolve("out.jsonl").toString(), "--max-new-tokens", "2");
        assertOneLineError(o, "generate", "--out " + missing.resolve("out.jsonl") + ": the directory " + missing
                + " does not exist; create it first");
        assertFalse(o.err().contains("finish_reason"), "nothing was generated: " + o.err());
    }

    @Test
    void aLatin1ConfigNamesItsLineAndByte() throws Exception {
        Path config = dir.resolve("latin1.yaml");
        Files.write(config, ("model: " + model + "\n# caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1));
        CliRunner.Outcome o = CliRunner.run("sft", "--config", config.toString());
        assertOneLineError(o, "sft", config + ":2: not UTF-8 text: byte 0xE9 at byte offset");
    }

    @Test
    void aCorruptTokenizerJsonIsNamed() throws Exception {
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken);
        try (var files = Files.list(model)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, broken.resolve(f.getFileName()));
            }
        }
        String json = Files.readString(broken.resolve("tokenizer.json"));
        Files.writeString(broken.resolve("tokenizer.json"), json.substring(0, json.length() / 2)); // truncated
        CliRunner.Outcome o = CliRunner.run("generate", "--model", broken.toString(), "--prompt", "hi");
        assertOneLineError(o, "generate", broken.resolve("tokenizer.json") + ":");
        assertTrue(o.err().contains("not valid JSON") && o.err().contains("corrupt or truncated"), o.err());
    }

    @Test
    void sequencesLongerThanMaxPositionEmbeddingsAreRefusedWithTheFix() {
        Path shortModel = dir.resolve("short");
        CliRunner.Outcome init = CliRunner.run("init", "--config", "../configs/model/tiny.yaml", "--out",
                shortModel.toString(), "--set", "model.hidden_size=32", "--set", "model.intermediate_size=64",
                "--set", "model.num_hidden_layers=1", "--set", "model.max_position_embeddings=16");
        assertEquals(0, init.exitCode(), init.err());
        CliRunner.Outcome o = CliRunner.run("sft", "--config", SftCommandTest.DEMO.toString(), "--set",
                "model=" + shortModel, "--set", "output_dir=" + dir.resolve("short-sft"), "--set", "train.max_steps=1",
                "--set", "data.train=../configs/demo/data/sft-train.jsonl", "--set", "data.eval=null");
        assertEquals(1, o.exitCode(), o.err());
        assertTrue(o.err().contains("tokens, more than the model's max_position_embeddings 16 ("
                + shortModel.resolve("config.json") + "); lower train.max_seq_len to at most 16 to truncate it"), o.err());
    }
}
