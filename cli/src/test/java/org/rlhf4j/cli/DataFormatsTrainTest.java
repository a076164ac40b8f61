package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.training.MetricsLog;

/**
 * {@code sft}, {@code dpo} and {@code rm} read published data sets as they are, with
 * {@code data.format: auto}: an Alpaca JSON array, a ShareGPT JSON array with tool calls, a
 * ShareGPT ranking array, TRL conversational pairs whose responses call tools (several turns),
 * HH-RLHF transcripts gzipped and UltraFeedback-binarized with score margins (small hand-written files in the datasets module's test resources). The model uses the
 * byte-level BPE fixture tokenizer, whose Qwen3 template renders tool calls.
 */
class DataFormatsTrainTest {

    private static final String FORMATS = "../datasets/src/test/resources/formats/";

    @TempDir
    Path dir;

    @Test
    void publishedFormatsTrainDirectly() throws Exception {
        Path model = dir.resolve("tiny");
        Path config = dir.resolve("tiny.yaml");
        Files.writeString(config, Files.readString(Path.of("../configs/model/tiny.yaml"))
                .replace("tokenizer: byte ", "tokenizer: ../datasets/src/test/resources/tokenizers/bytelevel-bpe "));
        CliRunner.Outcome o = CliRunner.run("init", "--config", config.toString(), "--out", model.toString(),
                "--set", "model.hidden_size=32", "--set", "model.intermediate_size=64", "--set", "model.num_hidden_layers=2");
        assertEquals(0, o.exitCode(), o.err());
        Path hh = dir.resolve("hh-rlhf-train.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(hh))) {
            out.write(Files.readAllBytes(Path.of(FORMATS + "hh-rlhf.jsonl")));
        }
        List<String[]> runs = List.of(
                new String[] {"sft", "../configs/demo/sft.yaml", FORMATS + "alpaca.json", "alpaca"},
                new String[] {"sft", "../configs/demo/sft.yaml", FORMATS + "sharegpt.json", "sharegpt"},
                new String[] {"dpo", "../configs/demo/dpo.yaml", FORMATS + "sharegpt-ranking.json", "sharegpt"},
                new String[] {"dpo", "../configs/demo/dpo.yaml", FORMATS + "trl-preference-tools.jsonl", "preference"},
                new String[] {"rm", "../configs/demo/rm-helpful.yaml", FORMATS + "trl-preference-tools.jsonl", "preference"},
                new String[] {"rm", "../configs/demo/rm-helpful.yaml", hh.toString(), "hh_rlhf"},
                new String[] {"rm", "../configs/demo/rm-helpful.yaml", FORMATS + "ultrafeedback.jsonl", "ultrafeedback"});
        for (String[] run : runs) {
            Path out = dir.resolve(run[0] + "-" + run[3]);
            o = CliRunner.run(run[0], "--config", run[1], "--set", "model=" + model, "--set", "output_dir=" + out,
                    "--set", "data.train=" + run[2], "--set", "data.eval=null", "--set", "data.format=auto",
                    "--set", "data.chat_template=auto", "--set", "train.max_steps=6", "--set", "train.batch_size=4",
                    "--set", "train.warmup_steps=0", "--set", "train.save_every=0", "--set", "train.log_every=1",
                    "--set", "train.eval_every=0");
            String what = run[0] + " on " + run[2];
            assertEquals(0, o.exitCode(), what + ": " + o.err());
            assertTrue(o.err().contains("format: " + run[3] + " (detected by data.format auto"), what + ": " + o.err());
            List<JsonNode> metrics = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME));
            double first = metrics.get(0).get("loss").asDouble();
            double last = metrics.get(metrics.size() - 1).get("loss").asDouble();
            assertTrue(Double.isFinite(first) && Double.isFinite(last), what + ": " + metrics);
            // six steps over the same few records: the loss falls (the data reached the model as intended)
            assertTrue(last < first, what + ": loss " + first + " -> " + last);
        }
    }
}
