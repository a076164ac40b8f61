package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA through the real entry point: the example config trains an adapter, {@code export --merge} folds it in. */
class LoraCommandTest {

    @TempDir
    static Path dir;

    @Test
    void sftWithLoraThenExportMerge() throws Exception {
        Path model = dir.resolve("tiny");
        CliRunner.Outcome o = CliRunner.run("init", "--config", "../configs/model/tiny.yaml", "--out", model.toString(),
                "--set", "model.hidden_size=32", "--set", "model.intermediate_size=64",
                "--set", "model.num_hidden_layers=2");
        assertEquals(0, o.exitCode(), o.err());
        Path out = dir.resolve("sft-lora");
        o = CliRunner.run("sft", "--config", "../configs/examples/sft-lora.yaml", "--set", "model=" + model,
                "--set", "output_dir=" + out, "--set", "data.train=../configs/demo/data/sft-train.jsonl",
                "--set", "data.eval=null", "--set", "train.max_steps=3", "--set", "train.save_every=0",
                "--set", "lora.r=4");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(Files.isRegularFile(out.resolve("final/adapter_config.json")));

        Path merged = dir.resolve("merged");
        o = CliRunner.run("export", "--model", out.resolve("final").toString(), "--out", merged.toString(), "--merge");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(Files.isRegularFile(merged.resolve("model.safetensors")));
        assertFalse(Files.exists(merged.resolve("adapter_config.json")));

        o = CliRunner.run("export", "--model", merged.toString(), "--out", dir.resolve("again").toString(), "--merge");
        assertEquals(1, o.exitCode());
        assertTrue(o.err().contains("--merge") && o.err().contains("holds no LoRA adapter"), o.err());

        Path bad = dir.resolve("bad");
        Files.createDirectories(bad);
        Files.copy(out.resolve("final/adapter_model.safetensors"), bad.resolve("adapter_model.safetensors"));
        Files.writeString(bad.resolve("adapter_config.json"), Files.readString(out.resolve("final/adapter_config.json"))
                .replace("\"use_rslora\" : false", "\"use_rslora\" : true"));
        o = CliRunner.run("export", "--model", bad.toString(), "--out", dir.resolve("x").toString(), "--merge");
        assertEquals(1, o.exitCode());
        assertTrue(o.err().contains("adapter_config.json: use_rslora is true"), o.err());
    }
}
