package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rlhf4j.core.training.MetricsLog;

/**
 * {@code sft}, {@code dpo} and {@code rm} with {@code data.chat_template: auto} on models whose
 * tokenizers are real families: byte-level BPE with the Qwen3 template, and SentencePiece BPE
 * ({@code ▁} prepend normaliser) with the Llama-2-chat template (fixtures of the datasets module).
 */
class TemplateFamiliesTrainTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"bytelevel-bpe", "sentencepiece-bpe"})
    void sftDpoAndRmTrainWithTheModelsOwnTemplate(String family) throws Exception {
        Path model = dir.resolve("tiny");
        Path config = dir.resolve("tiny.yaml");
        Files.writeString(config, Files.readString(Path.of("../configs/model/tiny.yaml"))
                .replace("tokenizer: byte ", "tokenizer: ../datasets/src/test/resources/tokenizers/" + family + " "));
        CliRunner.Outcome o = CliRunner.run("init", "--config", config.toString(), "--out", model.toString(),
                "--set", "model.hidden_size=32", "--set", "model.intermediate_size=64", "--set", "model.num_hidden_layers=2");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(Files.readString(model.resolve("tokenizer_config.json"))
                .contains(family.startsWith("byte") ? "Qwen2Tokenizer" : "LlamaTokenizer"), "the fixture tokenizer is used");
        List<String[]> stages = List.of(
                new String[] {"sft", "../configs/demo/sft.yaml", "../configs/demo/data/sft-train.jsonl"},
                new String[] {"dpo", "../configs/demo/dpo.yaml", "../configs/demo/data/dpo-train.jsonl"},
                new String[] {"rm", "../configs/demo/rm-helpful.yaml", "../configs/demo/data/rm-helpful-train.jsonl"});
        for (String[] stage : stages) {
            Path out = dir.resolve(stage[0]);
            o = CliRunner.run(stage[0], "--config", stage[1], "--set", "model=" + model, "--set", "output_dir=" + out,
                    "--set", "data.train=" + stage[2], "--set", "data.eval=null", "--set", "data.chat_template=auto",
                    "--set", "train.max_steps=2", "--set", "train.save_every=0", "--set", "train.log_every=1",
                    "--set", "train.eval_every=0");
            assertEquals(0, o.exitCode(), stage[0] + ": " + o.err());
            JsonNode first = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME)).get(0);
            assertTrue(Double.isFinite(first.get("loss").asDouble()), stage[0] + ": " + first);
        }
    }
}
