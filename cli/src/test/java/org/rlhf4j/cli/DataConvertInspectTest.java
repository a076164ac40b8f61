package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.tokenizer.ByteTokenizer;

/** {@code rlhf4j data convert} to rlhf4j's JSONL, and {@code data inspect} of preference and prompt data. */
class DataConvertInspectTest {

    private static final String FORMATS = "../datasets/src/test/resources/formats/";

    @TempDir
    Path dir;

    @Test
    void convertWritesCanonicalConversationsAndPairs() throws Exception {
        Path sft = dir.resolve("sft.jsonl");
        CliRunner.Outcome r = CliRunner.run("data", "convert", "--in", FORMATS + "alpaca.json", "--out", sft.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("converted 6 records (sft, alpaca (detected by data.format auto"), r.out());
        List<String> lines = Files.readAllLines(sft);
        assertEquals(6, lines.size());
        assertEquals("{\"messages\":[{\"role\":\"user\",\"content\":\"Add the numbers.\\n2 and 3\"},"
                + "{\"role\":\"assistant\",\"content\":\"5\"}]}", lines.get(0));

        Path tools = dir.resolve("tools.jsonl");
        r = CliRunner.run("data", "convert", "--in", FORMATS + "sharegpt.json", "--out", tools.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Files.readAllLines(tools).get(2).contains("{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":"
                + "[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":{\"city\":\"Paris\"}}}]},"
                + "{\"role\":\"tool\",\"content\":\"21 C, sunny\"}"), Files.readAllLines(tools).get(2));

        Path withTools = dir.resolve("with-tools.jsonl");
        r = CliRunner.run("data", "convert", "--in", FORMATS + "sharegpt-tools.json", "--out", withTools.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> toolLines = Files.readAllLines(withTools);
        assertTrue(toolLines.get(0).endsWith("],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\","
                + "\"description\":\"Weather in a city\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":"
                + "{\"type\":\"string\"}},\"required\":[\"city\"]}}}]}"), toolLines.get(0));
        assertTrue(!toolLines.get(1).contains("tools"), toolLines.get(1));

        Path multi = dir.resolve("multi.jsonl");
        r = CliRunner.run("data", "convert", "--in", FORMATS + "trl-preference-tools.jsonl", "--out", multi.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> multiLines = Files.readAllLines(multi);
        assertTrue(multiLines.get(0).startsWith("{\"prompt\":\"Weather in Paris?\",\"chosen\":[{\"role\":\"assistant\","
                + "\"content\":\"\",\"tool_calls\":"), multiLines.get(0));
        assertTrue(multiLines.get(0).endsWith(",\"rejected\":\"I cannot know.\"}"), multiLines.get(0));

        Path pairs = dir.resolve("pairs.jsonl");
        r = CliRunner.run("data", "convert", "--in", FORMATS + "hh-rlhf.jsonl", "--format", "hh_rlhf", "--out",
                pairs.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> pairLines = Files.readAllLines(pairs);
        assertEquals("{\"prompt\":\"What is 2+2?\",\"chosen\":\"4\",\"rejected\":\"5\"}", pairLines.get(0));
        assertTrue(pairLines.get(2).startsWith("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},"), pairLines.get(2));

        Path uf = dir.resolve("uf.jsonl");
        r = CliRunner.run("data", "convert", "--in", FORMATS + "ultrafeedback.jsonl", "--out", uf.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("{\"prompt\":\"What is 3+4?\",\"chosen\":\"7\",\"rejected\":\"8\",\"margin\":7.0}",
                Files.readAllLines(uf).get(0));
    }

    @Test
    void convertStopsAtABadRecordWithItsPlace() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.json"), "[{\"instruction\": \"a\", \"output\": \"b\"},\n"
                + " {\"instruction\": \"a\", \"output\": [1]}]");
        CliRunner.Outcome r = CliRunner.run("data", "convert", "--in", bad.toString(), "--out",
                dir.resolve("out.jsonl").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains(bad + ":[1] (line 2): \"output\" is an array; expected a string"), r.err());
        assertTrue(!Files.exists(dir.resolve("out.jsonl")) && !Files.exists(dir.resolve("out.jsonl.tmp")));
    }

    @Test
    void inspectPreferencePairsShowsLengthBiasDuplicatesAndMasks() throws Exception {
        Path model = dir.resolve("model");
        new ByteTokenizer().save(model);
        Path train = Files.writeString(dir.resolve("pairs.jsonl"),
                "{\"prompt\": \"q1\", \"chosen\": \"a long good answer\", \"rejected\": \"no\"}\n"
                + "{\"prompt\": \"q2\", \"chosen\": \"yes indeed\", \"rejected\": \"nah\"}\n"
                + "{\"prompt\": \"q1\", \"chosen\": \"a long good answer\", \"rejected\": \"no\"}\n");
        Path config = Files.writeString(dir.resolve("dpo.yaml"), "model: " + model + "\ndata:\n  train: " + train
                + "\n  chat_template: chatml\ntrain:\n  max_seq_len: 35\ndpo:\n  beta: 0.1\n");
        CliRunner.Outcome r = CliRunner.run("data", "inspect", "--config", config.toString(), "--n", "1");
        assertEquals(0, r.exitCode(), r.err());
        String out = r.out();
        assertTrue(out.contains("=== pair 0 (" + train + ":1) ===\n--- chosen 0: "), out);
        assertTrue(out.contains("<|im_start|>assistant\n[a long good answer<|im_end|>]"), out);
        assertTrue(out.contains("--- rejected 0: "), out);
        assertTrue(out.contains("pairs: 3, duplicates 1 (33%)"), out);
        // byte tokens, the ChatML markers one token each: the prompt is 21 tokens, the q1 chosen sequence 40
        assertTrue(out.contains("longer than max_seq_len 35: 2 (67%)"), out);
        assertTrue(out.contains("length bias: chosen longer in 100% of pairs, rejected longer in 0%, equal in 0%"), out);
        assertTrue(out.contains("warning: chosen responses are longer in most pairs"), out);
        assertTrue(out.contains("chosen response length:\n    [0, 16)              1 ####################\n"
                + "    [16, 32)             2 ########################################\n"), out);
    }

    @Test
    void inspectPromptsShowsLengthsCutShareAndDuplicates() throws Exception {
        Path model = dir.resolve("model");
        new ByteTokenizer().save(model);
        Path train = Files.writeString(dir.resolve("prompts.jsonl"), "{\"prompt\": \"add 1 2\"}\n"
                + "{\"conversations\": [{\"from\": \"human\", \"value\": \"add 1 2\"}]}\n"
                + "{\"instruction\": \"" + "x".repeat(40) + "\"}\n");
        Path config = Files.writeString(dir.resolve("ppo.yaml"), "model: " + model + "\ndata:\n  train: " + train
                + "\n  chat_template: none\nppo:\n  generation:\n    max_prompt_len: 16\n");
        CliRunner.Outcome r = CliRunner.run("data", "inspect", "--config", config.toString(), "--n", "1");
        assertEquals(0, r.exitCode(), r.err());
        String out = r.out();
        assertTrue(out.contains("--- prompt 0 (" + train + ":1): 7 tokens ---\nadd 1 2\n"), out);
        assertTrue(out.contains("prompts: 3, duplicates 1, skipped (bad records) 0"), out);
        assertTrue(out.contains("longer than max_prompt_len 16 (cut at the start): 1 (33%)"), out);
    }
}
