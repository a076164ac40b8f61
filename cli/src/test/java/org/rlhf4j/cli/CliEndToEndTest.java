package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.model.TokenLogps;
import org.rlhf4j.core.pretrained.PretrainedModel;

/** The foundation's commands through the real picocli entry point, as a new user runs them. */
class CliEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path TINY = Path.of("../configs/model/tiny.yaml");

    @TempDir
    static Path dir;

    static Path model;

    @BeforeAll
    static void init() {
        model = dir.resolve("tiny");
        CliRunner.Outcome o = CliRunner.run("init", "--config", TINY.toString(), "--out", model.toString());
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("LlamaForCausalLM") && o.out().contains("parameters"), o.out());
    }

    @Test
    void initWritesAHuggingFaceDirectory() throws IOException {
        for (String f : List.of("config.json", "model.safetensors", "generation_config.json", "tokenizer.json",
                "tokenizer_config.json")) {
            assertTrue(Files.isRegularFile(model.resolve(f)), f);
        }
        JsonNode config = JSON.readTree(model.resolve("config.json").toFile());
        assertEquals(259, config.get("vocab_size").asInt());
        assertEquals(258, config.get("eos_token_id").asInt()); // <|im_end|>
        assertTrue(JSON.readTree(model.resolve("tokenizer_config.json").toFile()).get("chat_template").asText()
                .contains("<|im_start|>"));
    }

    @Test
    void initIsDeterministicForASeed() throws IOException {
        Path again = dir.resolve("tiny-again");
        assertEquals(0, CliRunner.run("init", "--config", TINY.toString(), "--out", again.toString()).exitCode());
        assertArrayEquals(Files.readAllBytes(model.resolve("model.safetensors")),
                Files.readAllBytes(again.resolve("model.safetensors")));
    }

    @Test
    void logprobsOfIdsTextAndPromptResponse() throws IOException {
        Path in = dir.resolve("in.jsonl");
        Path out = dir.resolve("lp.jsonl");
        Files.writeString(in, "{\"ids\": [257, 117, 115, 101, 114, 10]}\n\n{\"text\": \"Hi\"}\n"
                + "{\"prompt\": \"hi\", \"response\": \"yo<|im_end|>\"}\n{\"ids\": [65]}\n");
        CliRunner.Outcome o = CliRunner.run("logprobs", "--model", model.toString(), "--input", in.toString(),
                "--out", out.toString(), "--batch-size", "2");
        assertEquals(0, o.exitCode(), o.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(4, lines.size());
        JsonNode ids = JSON.readTree(lines.get(0));
        assertEquals(5, ids.get("logprobs").size());
        JsonNode text = JSON.readTree(lines.get(1));
        assertEquals("[72,105]", text.get("ids").toString());
        JsonNode pr = JSON.readTree(lines.get(2));
        assertEquals("[121,111,258]", pr.get("response_ids").toString());
        assertEquals(3, pr.get("logprobs").size());
        assertEquals(0, JSON.readTree(lines.get(3)).get("logprobs").size()); // one token: nothing to predict

        // The same values as a direct forward pass of the unpadded sequence.
        try (PretrainedModel m = PretrainedModel.load(model); NDManager scope = m.manager().newSubManager()) {
            long[] seq = {257, 117, 115, 101, 114, 10};
            NDArray x = scope.create(seq, new Shape(1, seq.length));
            NDArray logits = m.model().logits(m.model().hidden(x, null));
            float[] direct = TokenLogps.of(logits.get(":, :-1"), x.get(":, 1:")).toFloatArray();
            for (int t = 0; t < direct.length; t++) {
                assertEquals(direct[t], ids.get("logprobs").get(t).floatValue(), 1e-5);
            }
        }
    }

    @Test
    void aFractionalTokenIdIsRefusedNotRounded() throws IOException {
        Path in = Files.writeString(dir.resolve("fraction.jsonl"), "{\"ids\": [257, 1.5, 10]}\n");
        CliRunner.Outcome o = CliRunner.run("logprobs", "--model", model.toString(), "--input", in.toString(),
                "--out", dir.resolve("fraction-out.jsonl").toString());
        assertEquals(1, o.exitCode(), o.out());
        assertTrue(o.err().contains(in + ":1: ids[1] = 1.5 is not a token id (an integer"), o.err());
    }

    @Test
    void exportRoundTripsExactlyInFloat32AndCloselyInBfloat16() throws IOException {
        Path in = dir.resolve("export-in.jsonl");
        Files.writeString(in, "{\"text\": \"The quick brown fox\"}\n");
        float[] original = logprobs(model, in);
        Path f32 = dir.resolve("export-f32");
        Path bf16 = dir.resolve("export-bf16");
        assertEquals(0, CliRunner.run("export", "--model", model.toString(), "--out", f32.toString()).exitCode());
        CliRunner.Outcome o = CliRunner.run("export", "--model", model.toString(), "--out", bf16.toString(),
                "--dtype", "bfloat16");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(Files.readString(bf16.resolve("config.json")).contains("\"torch_dtype\" : \"bfloat16\""));
        assertTrue(Files.size(bf16.resolve("model.safetensors")) < Files.size(f32.resolve("model.safetensors")) * 0.6);
        assertArrayEquals(original, logprobs(f32, in));
        float[] rounded = logprobs(bf16, in);
        for (int t = 0; t < original.length; t++) {
            assertEquals(original[t], rounded[t], 0.05, "bf16 logprob " + t);
        }
    }

    private static float[] logprobs(Path modelDir, Path in) throws IOException {
        Path out = Files.createTempFile(dir, "lp", ".jsonl");
        CliRunner.Outcome o = CliRunner.run("logprobs", "--model", modelDir.toString(), "--input", in.toString(),
                "--out", out.toString());
        assertEquals(0, o.exitCode(), o.err());
        JsonNode lp = JSON.readTree(Files.readAllLines(out).get(0)).get("logprobs");
        float[] v = new float[lp.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = lp.get(i).floatValue();
        }
        return v;
    }

    @Test
    void generateFromAFileWritesOneLinePerPrompt() throws IOException {
        Path in = dir.resolve("prompts.jsonl");
        Path out = dir.resolve("gen.jsonl");
        Files.writeString(in, "{\"prompt\": \"What is 2+3?\"}\n"
                + "{\"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}\n");
        CliRunner.Outcome o = CliRunner.run("generate", "--model", model.toString(), "--input", in.toString(),
                "--out", out.toString(), "--max-new-tokens", "6", "--temperature", "0.8", "--seed", "3");
        assertEquals(0, o.exitCode(), o.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size());
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals("What is 2+3?", first.get("prompt").asText());
        assertTrue(first.get("response_ids").size() >= 1 && first.get("response_ids").size() <= 6);
        assertTrue(List.of("eos", "length").contains(first.get("finish_reason").asText()));
        // prompt_ids are the ids fed to the model: the ChatML-wrapped prompt.
        assertEquals(257, first.get("prompt_ids").get(0).asInt());

        Path again = dir.resolve("gen-again.jsonl");
        CliRunner.run("generate", "--model", model.toString(), "--input", in.toString(), "--out", again.toString(),
                "--max-new-tokens", "6", "--temperature", "0.8", "--seed", "3");
        assertEquals(lines, Files.readAllLines(again), "same seed, same samples");
    }

    @Test
    void generateGivesTheSameLinesWhateverTheBatchSize() throws IOException {
        Path in = dir.resolve("batch-prompts.jsonl");
        Files.writeString(in, "{\"prompt\": \"Hi\"}\n{\"prompt\": \"What is the capital of France?\"}\n"
                + "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, "
                + "{\"role\": \"user\", \"content\": \"Count\"}]}\n");
        List<List<String>> outputs = new java.util.ArrayList<>();
        for (String batchSize : List.of("1", "3")) {
            Path out = dir.resolve("batch-" + batchSize + ".jsonl");
            CliRunner.Outcome o = CliRunner.run("generate", "--model", model.toString(), "--input", in.toString(),
                    "--out", out.toString(), "--max-new-tokens", "8", "--batch-size", batchSize);
            assertEquals(0, o.exitCode(), o.err());
            assertTrue(o.err().contains("3/3 prompts"), o.err());
            outputs.add(Files.readAllLines(out));
        }
        // greedy: a row generated in a left-padded batch of 3 equals the row generated alone
        assertEquals(outputs.get(0), outputs.get(1));
    }

    @Test
    void generateStopsAtAStopStringAndCutsIt() throws IOException {
        Path in = dir.resolve("stop-prompts.jsonl");
        Path free = dir.resolve("free.jsonl");
        Files.writeString(in, "{\"prompt\": \"What is 2+3?\"}\n");
        assertEquals(0, CliRunner.run("generate", "--model", model.toString(), "--input", in.toString(), "--out",
                free.toString(), "--max-new-tokens", "12").exitCode());
        JsonNode unstopped = JSON.readTree(Files.readAllLines(free).get(0));
        String text = unstopped.get("response").asText();
        assertTrue(text.length() >= 3, "the tiny model should say something: " + text);
        String stop = text.substring(2, 3);
        Path out = dir.resolve("stopped.jsonl");
        CliRunner.Outcome o = CliRunner.run("generate", "--model", model.toString(), "--input", in.toString(),
                "--out", out.toString(), "--max-new-tokens", "12", "--stop", stop, "--stop", "never-seen");
        assertEquals(0, o.exitCode(), o.err());
        JsonNode stopped = JSON.readTree(Files.readAllLines(out).get(0));
        assertEquals("stop", stopped.get("finish_reason").asText());
        assertEquals(text.substring(0, text.indexOf(stop)), stopped.get("response").asText());
        assertTrue(stopped.get("response_ids").size() < unstopped.get("response_ids").size());
    }

    @Test
    void generateStreamsTheSameTextAsTheFileOutput() throws IOException {
        Path in = dir.resolve("stream-prompt.jsonl");
        Path out = dir.resolve("stream.jsonl");
        Files.writeString(in, "{\"prompt\": \"Hi\"}\n");
        assertEquals(0, CliRunner.run("generate", "--model", model.toString(), "--input", in.toString(), "--out",
                out.toString(), "--max-new-tokens", "10").exitCode());
        String response = JSON.readTree(Files.readAllLines(out).get(0)).get("response").asText();
        CliRunner.Outcome o = CliRunner.run("generate", "--model", model.toString(), "--prompt", "Hi",
                "--max-new-tokens", "10");
        assertEquals(0, o.exitCode(), o.err());
        assertEquals(response + System.lineSeparator(), o.out());
    }

    @Test
    void generateStreamsASinglePrompt() {
        CliRunner.Outcome o = CliRunner.run("generate", "--model", model.toString(), "--prompt", "Hi",
                "--max-new-tokens", "4");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.err().contains("finish_reason="), o.err());
    }

    @Test
    void badInputLineIsReportedWithFileAndLine() throws IOException {
        Path in = dir.resolve("bad.jsonl");
        Files.writeString(in, "{\"ids\": [1, 2]}\n{\"ids\": [1, 999]}\n");
        CliRunner.Outcome o = CliRunner.run("logprobs", "--model", model.toString(), "--input", in.toString());
        assertEquals(1, o.exitCode());
        assertTrue(o.err().contains(in + ":2: ids[1] = 999"), o.err());
        Files.writeString(in, "{\"ids\": [1, 2]}\nnot json\n");
        o = CliRunner.run("logprobs", "--model", model.toString(), "--input", in.toString());
        assertTrue(o.err().contains(in + ":2: not valid JSON"), o.err());
    }

    @Test
    void unknownConfigKeyIsReportedWithSuggestion() throws IOException {
        Path cfg = dir.resolve("bad.yaml");
        Files.writeString(cfg, "seed: 0\ntokenizer: byte\nmodel:\n  hidden_sise: 32\n");
        CliRunner.Outcome o = CliRunner.run("init", "--config", cfg.toString(), "--out", dir.resolve("x").toString());
        assertEquals(1, o.exitCode());
        assertTrue(o.err().contains("unknown key 'model.hidden_sise'") && o.err().contains("model.hidden_size"),
                o.err());
        Files.writeString(cfg, "seed: 0\ntokeniser: byte\nmodel: {}\n");
        o = CliRunner.run("init", "--config", cfg.toString(), "--out", dir.resolve("x").toString());
        assertTrue(o.err().contains("unknown key 'tokeniser'") && o.err().contains("'tokenizer'"), o.err());
        assertTrue(!Files.exists(dir.resolve("x")));
    }

    @Test
    void missingModelDirectoryIsAClearError() {
        CliRunner.Outcome o = CliRunner.run("export", "--model", dir.resolve("nope").toString(), "--out",
                dir.resolve("y").toString());
        assertEquals(1, o.exitCode());
        assertTrue(o.err().contains("nope"), o.err());
    }

    @Test
    void versionAndHelp() {
        CliRunner.Outcome o = CliRunner.run("--version");
        assertEquals(0, o.exitCode());
        assertTrue(o.out().contains("DJL 0.35.1"), o.out());
        for (String cmd : List.of("init", "generate", "logprobs", "export", "demo")) {
            CliRunner.Outcome h = CliRunner.run(cmd, "--help");
            assertEquals(0, h.exitCode(), cmd);
            assertTrue(h.out().contains("Usage: rlhf4j " + cmd), h.out());
        }
    }
}
