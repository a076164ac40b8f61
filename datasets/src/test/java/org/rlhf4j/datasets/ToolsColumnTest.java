package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.datasets.io.BadRecordException;
import org.rlhf4j.datasets.io.BadRecords;

/**
 * A record's {@code tools} column (ShareGPT's JSON string of bare schemas, or a list of OpenAI
 * function schemas) reaches the chat template's {@code tools} variable: Qwen2.5's template lists
 * them in its system turn, Llama 3.1's in the first user turn; none of it is in the loss.
 * Fixture: {@code formats/sharegpt-tools.json}.
 */
class ToolsColumnTest {

    private static final Path FILE = DataFormatsTest.FORMATS.resolve("sharegpt-tools.json");
    private static final Path TEMPLATES = Path.of("src/test/resources/chat-templates/templates");
    private static final ByteTokenizer BYTES = new ByteTokenizer();
    private static final String QWEN_TOOLS = "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a"
            + " helpful assistant.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
            + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n";

    @TempDir
    Path dir;

    private static SftDataset load(Path file, ChatTemplate template) throws IOException {
        DataConfig data = new DataConfig(file.toString(), null, null, null, null, null, null, null, null, "auto",
                Map.of(), Map.of());
        return SftDataset.load(data, BYTES, template, 2048, false, 0);
    }

    private static JinjaChatTemplate template(String name, String bos, String eos) throws IOException {
        return new JinjaChatTemplate(Files.readString(TEMPLATES.resolve(name + ".jinja")), name + ".jinja",
                Map.of("bos_token", bos, "eos_token", eos), Map.of());
    }

    private static String text(TrainingSequence s) {
        return BYTES.decode(s.ids(), false);
    }

    private static String masked(TrainingSequence s) {
        StringBuilder out = new StringBuilder();
        for (int t = 0; t < s.length(); t++) {
            if (s.lossMask()[t]) {
                out.append(BYTES.decode(new int[] {s.ids()[t]}, false));
            }
        }
        return out.toString();
    }

    @Test
    void shareGptToolsReachTheTemplatesToolsVariable() throws IOException {
        SftDataset qwen = load(FILE, template("qwen2.5", "", "<|im_end|>"));
        assertEquals(3, qwen.report().records());
        // a JSON string of bare schemas, wrapped as {"type": "function", "function": schema}
        String first = text(qwen.train().get(0));
        assertTrue(first.startsWith(QWEN_TOOLS + "{\"type\": \"function\", \"function\": {\"name\": \"weather\","
                + " \"description\": \"Weather in a city\", \"parameters\": {\"type\": \"object\", \"properties\":"
                + " {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}\n</tools>\n"), first);
        assertEquals("<tool_call>\n{\"name\": \"weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>"
                + "18C in Paris.<|im_end|>", masked(qwen.train().get(0)), "the schemas are context, never trained on");
        // "" is no tools: the template's plain system turn
        assertTrue(text(qwen.train().get(1)).startsWith("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud."
                + " You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi"), text(qwen.train().get(1)));
        // a list of OpenAI schemas as it is
        assertTrue(text(qwen.train().get(2)).startsWith(QWEN_TOOLS + "{\"type\": \"function\", \"function\": {\"name\":"
                + " \"clock\", \"description\": \"The time\", \"parameters\": {\"type\": \"object\", \"properties\": {}}}}\n"
                + "</tools>"), text(qwen.train().get(2)));

        // Llama 3.1 writes the schemas (indented JSON) into the first user turn
        SftDataset llama = load(FILE, template("llama-3.1", "<|begin_of_text|>", "<|eot_id|>"));
        String clock = text(llama.train().get(2));
        assertTrue(clock.contains("<|start_header_id|>user<|end_header_id|>\n\nGiven the following functions"), clock);
        assertTrue(clock.contains("\"name\": \"clock\""), clock);
        assertFalse(text(llama.train().get(1)).contains("Given the following functions"), "no tools, no list");

        // the built-in ChatML has no tools variable: the conversation renders as without tools
        assertTrue(text(load(FILE, ChatTemplate.CHATML).train().get(2)).startsWith("<|im_start|>user\nTime?"));
    }

    @Test
    void aRankingRecordsToolsReachTheTemplateForBothResponses() throws IOException {
        Path file = Files.writeString(dir.resolve("ranking.json"), "[{\"conversations\": [{\"from\": \"human\","
                + " \"value\": \"Time?\"}], \"chosen\": {\"from\": \"gpt\", \"value\": \"Noon.\"}, \"rejected\":"
                + " {\"from\": \"gpt\", \"value\": \"Late.\"}, \"tools\": \"[{\\\"name\\\": \\\"clock\\\"}]\"}]");
        DataConfig data = new DataConfig(file.toString(), null, null, null, null, null, null, null, null, "auto",
                Map.of(), Map.of());
        List<PreferencePair> pairs = PreferenceDataset.read(data.trainFiles(), new BadRecords(false),
                data.maxRecordBytes(), data.formats());
        assertEquals(List.of(Map.of("type", "function", "function", Map.of("name", "clock"))), pairs.get(0).tools());
        PreferenceEncoder encoder = new PreferenceEncoder(BYTES, template("qwen2.5", "", "<|im_end|>"),
                RewardConditions.ignored());
        TokenizedPair pair = encoder.encode(pairs.get(0));
        String tools = QWEN_TOOLS + "{\"type\": \"function\", \"function\": {\"name\": \"clock\"}}\n</tools>";
        assertTrue(text(pair.chosen()).startsWith(tools), text(pair.chosen()));
        assertTrue(text(pair.rejected()).startsWith(tools), text(pair.rejected()));
        assertEquals("Noon.<|im_end|>", masked(pair.chosen()));
    }

    @Test
    void badToolsNameTheRecordAndTheExpectedShape() throws IOException {
        String conversation = "\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\", \"value\": \"a\"}]";
        String[][] cases = {
            {"5", ":[0] (line 1): \"tools\" is a number; expected a list of function schemas"},
            {"\"[{\\\"name\\\": \"", ":[0] (line 1): \"tools\" is a string that is not JSON ("},
            {"[{\"description\": \"x\"}]", ":[0] (line 1): tools[0] is an object with neither a \"function\" object"
                + " nor a \"name\"; expected"},
            {"[\"weather\"]", ":[0] (line 1): tools[0] is a string; expected a list of function schemas"},
        };
        for (String[] c : cases) {
            Path file = Files.writeString(dir.resolve("bad.json"), "[{" + conversation + ", \"tools\": " + c[0] + "}]");
            BadRecordException e = assertThrows(BadRecordException.class,
                    () -> load(file, template("qwen2.5", "", "<|im_end|>")), c[0]);
            assertTrue(e.getMessage().startsWith(file + c[1]), e.getMessage());
        }
    }
}
