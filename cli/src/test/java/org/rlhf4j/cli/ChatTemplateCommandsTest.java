package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.tokenizer.ByteTokenizer;

/** One template from training to inference: {@code sft} with a non-ChatML template, then {@code generate}, {@code data render}. */
class ChatTemplateCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    // not ChatML: role tags in brackets, <|im_end|> (the byte tokenizer's EOS) ends a turn
    private static final String TURNS = "{% for m in messages %}[{{ m['role'] }}]: {{ m['content'] }}<|im_end|>{% endfor %}"
            + "{% if add_generation_prompt %}[assistant]: {% endif %}";

    @TempDir
    static Path dir;

    static Path model;
    static Path template;

    @BeforeAll
    static void init() throws Exception {
        model = dir.resolve("tiny");
        CliRunner.Outcome o = CliRunner.run("init", "--config", "../configs/model/tiny.yaml", "--out", model.toString(),
                "--set", "model.hidden_size=32", "--set", "model.intermediate_size=64", "--set", "model.num_hidden_layers=2");
        assertEquals(0, o.exitCode(), o.err());
        template = dir.resolve("turns.jinja");
        Files.writeString(template, TURNS);
    }

    private static int[] bytesOf(String text) {
        return new ByteTokenizer().encode(text);
    }

    private static int[] ids(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @Test
    void aModelTrainedWithATemplateIsPromptedWithItByGenerate() throws Exception {
        Path out = dir.resolve("sft");
        CliRunner.Outcome o = CliRunner.run("sft", "--config", "../configs/demo/sft.yaml", "--set", "model=" + model,
                "--set", "output_dir=" + out, "--set", "data.train=../configs/demo/data/sft-train.jsonl",
                "--set", "data.eval=null", "--set", "data.chat_template=" + template, "--set", "train.max_steps=2",
                "--set", "train.save_every=0", "--set", "train.log_every=1");
        assertEquals(0, o.exitCode(), o.err());
        Path trained = out.resolve("final");
        assertEquals(TURNS, JSON.readTree(trained.resolve("tokenizer_config.json").toFile()).get("chat_template").asText(),
                "final/ carries the template the stage trained with");

        Path prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, "{\"prompt\": \"Hi\"}\n");
        Path generated = dir.resolve("gen.jsonl");
        o = CliRunner.run("generate", "--model", trained.toString(), "--input", prompts.toString(), "--out",
                generated.toString(), "--max-new-tokens", "2");
        assertEquals(0, o.exitCode(), o.err());
        JsonNode line = JSON.readTree(Files.readAllLines(generated).get(0));
        assertArrayEquals(bytesOf("[user]: Hi<|im_end|>[assistant]: "), ids(line.get("prompt_ids")));

        o = CliRunner.run("generate", "--model", trained.toString(), "--input", prompts.toString(), "--out",
                generated.toString(), "--max-new-tokens", "2", "--raw");
        assertEquals(0, o.exitCode(), o.err());
        assertArrayEquals(bytesOf("Hi"), ids(JSON.readTree(Files.readAllLines(generated).get(0)).get("prompt_ids")));
    }

    @Test
    void dataRenderWritesTextIdsAndLossMask() throws Exception {
        Path in = dir.resolve("chats.jsonl");
        Files.writeString(in, "{\"messages\": [{\"role\": \"user\", \"content\": \"Use {{ 7*6 }}\"},"
                + " {\"role\": \"assistant\", \"content\": \"ok\"}]}\n\n", StandardCharsets.UTF_8);
        Path out = dir.resolve("rendered.jsonl");
        CliRunner.Outcome o = CliRunner.run("data", "render", "--model", model.toString(), "--input", in.toString(),
                "--out", out.toString(), "--chat-template", template.toString());
        assertEquals(0, o.exitCode(), o.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(1, lines.size());
        JsonNode r = JSON.readTree(lines.get(0));
        String text = "[user]: Use {{ 7*6 }}<|im_end|>[assistant]: ok<|im_end|>";
        assertEquals(text, r.get("text").asText());
        int[] expectedIds = bytesOf(text);
        assertArrayEquals(expectedIds, ids(r.get("ids")));
        // loss on "ok<|im_end|>": the last three ids (two bytes and the special)
        int[] mask = ids(r.get("loss_mask"));
        int[] expectedMask = new int[expectedIds.length];
        java.util.Arrays.fill(expectedMask, expectedIds.length - 3, expectedIds.length, 1);
        assertArrayEquals(expectedMask, mask);
    }

    @Test
    void aRecordTheTemplateRejectsIsNamedByFileAndLine() throws Exception {
        Path strict = dir.resolve("strict.jinja");
        Files.writeString(strict, "{% for m in messages %}{% if m['role'] == 'system' %}\n"
                + "{{ raise_exception('System role not supported') }}{% endif %}{{ m['content'] }}{% endfor %}");
        Path in = dir.resolve("bad.jsonl");
        Files.writeString(in, "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}]}\n"
                + "{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}]}\n");
        CliRunner.Outcome o = CliRunner.run("data", "render", "--model", model.toString(), "--input", in.toString(),
                "--out", dir.resolve("x.jsonl").toString(), "--chat-template", strict.toString());
        assertEquals(1, o.exitCode(), o.err());
        assertTrue(o.err().contains(in + ":2: the chat template rejects this conversation"), o.err());
        assertTrue(o.err().contains(strict + ", template line 2: the template raised: System role not supported"), o.err());
    }
}
