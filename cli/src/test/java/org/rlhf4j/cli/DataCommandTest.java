package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.tokenizer.ByteTokenizer;

class DataCommandTest {

    @TempDir
    Path dir;

    @Test
    void inspectPrintsLossSpansAndStatistics() throws Exception {
        Path model = dir.resolve("model");
        new ByteTokenizer().save(model); // inspect needs only the tokenizer files
        Path train = dir.resolve("train.jsonl");
        Files.writeString(train, "{\"prompt\": \"hi\", \"response\": \"yo\"}\n"
                + "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\"},"
                + " {\"role\": \"user\", \"content\": \"c\"}, {\"role\": \"assistant\", \"content\": \"d\"}]}\n"
                + "{\"prompt\": 1}\n");
        Path config = dir.resolve("sft.yaml");
        Files.writeString(config, "model: " + model + "\n"
                + "output_dir: " + dir.resolve("out") + "\n"
                + "data:\n  train: " + train + "\n  on_bad_record: skip\n"
                + "train:\n  max_seq_len: 64\n  lr: 1.0e-4\n"
                + "sft:\n  anything: 1\n");

        CliRunner.Outcome r = CliRunner.run("data", "inspect", "--config", config.toString(), "--n", "2", "--tokens");

        assertEquals(0, r.exitCode(), r.err());
        String out = r.out();
        assertTrue(out.contains("--- row 0: 25 tokens, 3 in the loss ---\n"
                + "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n[yo<|im_end|>]\n"), out);
        assertTrue(out.contains("<|im_start|>assistant\n[b<|im_end|>]\n<|im_start|>user\nc<|im_end|>\n"
                + "<|im_start|>assistant\n[d<|im_end|>]\n"), out);
        // token table: 'y' (id 121) at position 21 is in the loss, the header's '\n' before it is not
        assertTrue(out.contains("     20      10  '\\n'             -\n"), out);
        assertTrue(out.contains("     21     121  'y'              loss\n"), out);
        assertTrue(out.contains("data: 2 conversation records, template jinja, max_seq_len 64"), out);
        assertTrue(out.contains("train: 2 examples in 2 rows"), out);
        assertTrue(out.contains("skipped (bad records) 1"), out);
        assertTrue(out.contains("train.jsonl:3: \"prompt\" is a number; expected a string"), out);
    }

    @Test
    void badRecordFailsWithFileAndLine() throws Exception {
        Path model = dir.resolve("model");
        new ByteTokenizer().save(model);
        Path train = dir.resolve("train.jsonl");
        Files.writeString(train, "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}\n");
        Path config = dir.resolve("sft.yaml");
        Files.writeString(config, "model: " + model + "\ndata:\n  train: " + train + "\n");

        CliRunner.Outcome r = CliRunner.run("data", "inspect", "--config", config.toString());

        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("rlhf4j inspect: error: " + train + ":1: the conversation has no assistant message"),
                r.err());
    }

    @Test
    void demoFilesRegeneratesTheShippedRewardModelFiles() throws Exception {
        CliRunner.Outcome r = CliRunner.run("data", "demo-files", "--out", dir.toString());

        assertEquals(0, r.exitCode(), r.err());
        List<String> written = r.out().lines().toList();
        assertEquals(6, written.size(), r.out());
        for (String file : written) {
            Path shipped = Path.of("../configs/demo/data").resolve(Path.of(file).getFileName());
            assertArrayEquals(Files.readAllBytes(shipped), Files.readAllBytes(Path.of(file)), file);
        }
    }
}
