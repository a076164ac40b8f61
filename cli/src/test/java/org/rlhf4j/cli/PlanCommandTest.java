package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rlhf4j plan} reads config.json only (no weights) and gives a verdict and a way to fit. */
class PlanCommandTest {

    @TempDir
    Path dir;

    @Test
    void aFullFineTuningOfA1BModelDoesNotFit24GiBAndNamesTheSwitches() throws Exception {
        Path model = Files.createDirectories(dir.resolve("llama-1b")); // config.json alone: no weights exist
        Files.writeString(model.resolve("config.json"), "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":2048,"
                + "\"intermediate_size\":8192,\"num_hidden_layers\":16,\"num_attention_heads\":32,"
                + "\"num_key_value_heads\":8,\"head_dim\":64,\"vocab_size\":128256,\"tie_word_embeddings\":true}");
        Path config = dir.resolve("sft.yaml");
        Files.writeString(config, "model: " + model + "\noutput_dir: " + dir.resolve("out") + "\ndata: {train: x.jsonl}\n"
                + "train: {max_steps: 10, batch_size: 4, max_seq_len: 512, logits_chunk_tokens: 0}\n");
        CliRunner.Outcome o = CliRunner.run("plan", "--config", config.toString(), "--device", "cpu", "--memory", "24GiB");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("optimizer (AdamW)"), o.out());
        assertTrue(o.out().contains("verdict: does not fit in 24.00 GiB"), o.out());
        assertTrue(o.out().contains("fits with: "), o.out());
        assertTrue(o.out().contains("step time: "), o.out());

        CliRunner.Outcome bad = CliRunner.run("plan", "--config", config.toString(), "--memory", "lots");
        assertTrue(bad.exitCode() != 0 && bad.err().contains("--memory: expected a size"), bad.err());
    }
}
