package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.datasets.format.DataFiles;
import org.rlhf4j.datasets.io.BadRecordException;
import org.rlhf4j.datasets.io.BadRecords;

/**
 * The published formats read as the trainers read them (fixtures in {@code src/test/resources/formats}):
 * what each record becomes, how the format is detected, and what a bad record says.
 */
class DataFormatsTest {

    static final Path FORMATS = Path.of("src/test/resources/formats");
    private static final ByteTokenizer BYTES = new ByteTokenizer();

    @TempDir
    Path dir;

    private static DataConfig data(Path train, String format, Map<String, String> columns, Map<String, String> roles) {
        return new DataConfig(train.toString(), null, null, null, null, null, null, null, null, format, columns, roles);
    }

    private static SftDataset sft(DataConfig data) throws IOException {
        return SftDataset.load(data, BYTES, ChatTemplate.CHATML, 512, false, 0);
    }

    private static List<PreferencePair> pairs(DataConfig data) throws IOException {
        return PreferenceDataset.read(data.trainFiles(), new BadRecords(false), data.maxRecordBytes(), data.formats());
    }

    private static String text(TrainingSequence s) {
        return BYTES.decode(s.ids(), false);
    }

    @Test
    void alpacaJsonArrayWithEmptyInputSystemAndHistory() throws IOException {
        SftDataset data = sft(data(FORMATS.resolve("alpaca.json"), "auto", Map.of(), Map.of()));
        assertEquals(6, data.report().records());
        assertTrue(data.report().summary().contains("format: alpaca (detected by data.format auto from the keys of "
                + FORMATS.resolve("alpaca.json") + ":[0] (line 2))"), data.report().summary());
        assertEquals("<|im_start|>user\nAdd the numbers.\n2 and 3<|im_end|>\n<|im_start|>assistant\n5<|im_end|>\n",
                text(data.train().get(0)));
        assertEquals("<|im_start|>user\nName a primary colour.<|im_end|>\n<|im_start|>assistant\nRed.<|im_end|>\n",
                text(data.train().get(1)), "an empty input adds nothing");
        assertTrue(text(data.train().get(2)).startsWith("<|im_start|>system\nYou are terse.<|im_end|>\n"));
        assertEquals("<|im_start|>user\nAdd 2 and 3.<|im_end|>\n<|im_start|>assistant\n5<|im_end|>\n"
                + "<|im_start|>user\nNow double it.<|im_end|>\n<|im_start|>assistant\n10<|im_end|>\n"
                + "<|im_start|>user\nAnd times 4?<|im_end|>\n<|im_start|>assistant\n20<|im_end|>\n",
                text(data.train().get(3)), "history turns come before the instruction");
    }

    @Test
    void shareGptWithSystemMultiTurnAndToolCalls() throws Exception {
        DataConfig config = data(FORMATS.resolve("sharegpt.json"), "auto", Map.of(), Map.of());
        List<ChatMessage> tools = config.formats().conversation(
                (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(Files.readString(FORMATS.resolve("sharegpt.json"))).get(2), "sharegpt.json:[2]");
        assertEquals(List.of("user", "assistant", "tool", "assistant"), tools.stream().map(ChatMessage::role).toList());
        // the function call reaches the template as OpenAI tool_calls, structured
        assertEquals(List.of(Map.of("type", "function", "function", Map.of("name", "weather", "arguments",
                Map.of("city", "Paris")))), tools.get(1).fields().get("tool_calls"));
        SftDataset data = sft(config);
        assertEquals(4, data.report().records());
        assertTrue(data.report().summary().contains("format: sharegpt"), data.report().summary());
        assertTrue(text(data.train().get(1)).startsWith("<|im_start|>system\nAnswer in one word.<|im_end|>\n"));
        assertTrue(text(data.train().get(3)).startsWith("<|im_start|>system\nBe brief.<|im_end|>\n"),
                "a top-level system comes first");
    }

    @Test
    void messagesWithToolTurnsAndConversationalPromptCompletion() throws IOException {
        SftDataset data = sft(data(FORMATS.resolve("messages-tools.jsonl"), "auto", Map.of(), Map.of()));
        assertEquals(4, data.report().records());
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n"
                + "<|im_start|>assistant\n4<|im_end|>\n", text(data.train().get(1)));
        assertEquals("<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\nParis.<|im_end|>\n",
                text(data.train().get(2)));
        assertTrue(text(data.train().get(3)).startsWith("<|im_start|>user\nHi there<|im_end|>"), "text parts are joined");
    }

    @Test
    void shareGptRankingPairs() throws IOException {
        List<PreferencePair> pairs = pairs(data(FORMATS.resolve("sharegpt-ranking.json"), "auto", Map.of(), Map.of()));
        assertEquals(4, pairs.size());
        assertEquals(List.of(ChatMessage.user("What is 2+2?")), pairs.get(0).prompt());
        assertEquals("4", pairs.get(0).chosenText());
        assertEquals("5", pairs.get(0).rejectedText());
        assertEquals(List.of(ChatMessage.system("Be polite."), ChatMessage.user("Hi")), pairs.get(1).prompt());
        assertEquals(3, pairs.get(2).prompt().size(), "multi-turn prompt");
        assertTrue(pairs.get(0).source().startsWith(FORMATS.resolve("sharegpt-ranking.json") + ":[0] (line 2)"));
    }

    @Test
    void hhRlhfTranscriptsGzippedShareTheirPrefixAsPrompt() throws IOException {
        Path gz = dir.resolve("train.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(FORMATS.resolve("hh-rlhf.jsonl")));
        }
        DataConfig config = data(gz, "auto", Map.of(), Map.of());
        List<PreferencePair> pairs = pairs(config);
        assertEquals(4, pairs.size());
        assertEquals(List.of(ChatMessage.user("What is 2+2?")), pairs.get(0).prompt());
        assertEquals("4", pairs.get(0).chosenText());
        assertEquals(List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello! How can I help?"),
                ChatMessage.user("What is the capital of France?")), pairs.get(2).prompt());
        assertEquals("London.", pairs.get(2).rejectedText());
        assertEquals("", pairs.get(3).rejectedText(), "an empty last assistant turn is an empty response");
        PreferenceDataset loaded = PreferenceDataset.load(config, BYTES, ChatTemplate.CHATML, RewardConditions.ignored(),
                512, 0);
        assertTrue(loaded.report().summary().contains("format: hh_rlhf"), loaded.report().summary());
    }

    @Test
    void ultraFeedbackScoresBecomeMarginsAndItsPromptColumnsAreIgnored() throws IOException {
        List<PreferencePair> pairs = pairs(data(FORMATS.resolve("ultrafeedback.jsonl"), "auto", Map.of(), Map.of()));
        assertEquals(List.of(7.0, 7.5, 0.0, 7.0), pairs.stream().map(PreferencePair::margin).toList());
        assertEquals(List.of(ChatMessage.user("What is 3+4?")), pairs.get(0).prompt());
        assertEquals("7", pairs.get(0).chosenText());
    }

    @Test
    void trlConversationalExplicitAndImplicitPrompts() throws IOException {
        List<PreferencePair> pairs = pairs(data(FORMATS.resolve("trl-preference.jsonl"), "auto", Map.of(), Map.of()));
        assertEquals(List.of(ChatMessage.user("2+2?")), pairs.get(0).prompt());
        assertEquals("22", pairs.get(0).rejectedText());
        assertEquals(List.of(ChatMessage.system("Be kind."), ChatMessage.user("Hi")), pairs.get(1).prompt());
        assertEquals("Go away.", pairs.get(1).rejectedText());
        assertEquals("better", pairs.get(2).preference());
        assertNull(pairs.get(0).margin());
    }

    @Test
    void columnsAndRolesAreMapped() throws IOException {
        Path file = Files.writeString(dir.resolve("mine.jsonl"), "{\"conv\": [{\"role\": \"human\", \"content\": \"hi\"},"
                + " {\"role\": \"bot\", \"content\": \"yo\"}]}\n");
        SftDataset data = sft(data(file, "auto", Map.of("messages", "conv"), Map.of("human", "user", "bot", "assistant")));
        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nyo<|im_end|>\n", text(data.train().get(0)));
        Path pref = Files.writeString(dir.resolve("pref.jsonl"), "{\"q\": \"2+2?\", \"good\": \"4\", \"bad\": \"5\"}\n");
        List<PreferencePair> pairs = pairs(data(pref, "preference", Map.of("prompt", "q", "chosen", "good", "rejected",
                "bad"), Map.of()));
        assertEquals("4", pairs.get(0).chosenText());
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> data(file, "auto", Map.of("convo", "conv"), Map.of()));
        assertTrue(unknown.getMessage().startsWith("data.columns: unknown key 'convo'; expected one of"), unknown.getMessage());
        ConfigException role = assertThrows(ConfigException.class, () -> data(file, "auto", Map.of(), Map.of("bot", "robot")));
        assertTrue(role.getMessage().startsWith("data.roles.bot: 'robot' is not a role"), role.getMessage());
        ConfigException format = assertThrows(ConfigException.class, () -> data(file, "csv", Map.of(), Map.of()));
        assertTrue(format.getMessage().startsWith("data.format: unknown format 'csv'; expected one of [auto, messages"),
                format.getMessage());
    }

    @Test
    void aPreferenceFormatForSftIsAConfigError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> sft(data(FORMATS.resolve("alpaca.json"), "hh_rlhf", Map.of(), Map.of())));
        assertTrue(e.getMessage().startsWith("data.format: hh_rlhf is a preference format"), e.getMessage());
    }

    @Test
    void shardsOfADirectoryAndAListAreReadInOrder() throws IOException {
        Path shards = Files.createDirectory(dir.resolve("shards"));
        Files.copy(FORMATS.resolve("alpaca.json"), shards.resolve("part-00000.json"));
        Files.writeString(shards.resolve("part-00001.jsonl"), "{\"instruction\": \"Last.\", \"output\": \"ok\"}\n");
        Files.writeString(shards.resolve("README.md"), "not data");
        SftDataset data = sft(data(shards, "auto", Map.of(), Map.of()));
        assertEquals(7, data.report().records());
        assertTrue(text(data.train().get(6)).contains("Last."));
        String list = FORMATS.resolve("alpaca.json") + DataFiles.SEPARATOR + shards.resolve("part-00001.jsonl");
        assertEquals(7, sft(data(Path.of(list), "auto", Map.of(), Map.of())).report().records());
    }

    /** Each bad record names FILE:LINE (JSONL) or FILE:[INDEX] (a JSON array), the field and the expected shape. */
    @Test
    void badRecordsNameTheirPlaceFieldAndExpectedShape() throws IOException {
        String[][] sftCases = {
            {"[{\"instruction\": \"a\", \"output\": \"b\"}, {\"instruction\": \"a\", \"output\": 3}]",
                ":[1] (line 1): \"output\" is a number; expected a string"},
            {"[{\"instruction\": \"a\", \"output\": \"b\"},\n {\"instruction\": \"a\"}]",
                ":[1] (line 2): has no \"output\"; expected {\"instruction\": \"...\""},
            {"[{\"instruction\": \"a\", \"output\": \"b\"}, {\"instruction\": \"a\", \"output\": \"b\", \"history\": [[\"q\"]]}]",
                ":[1] (line 1): history[0] is not a pair of strings; expected [\"question\", \"answer\"]"},
            {"[{\"instruction\": \"a\", \"output\": \"b\"}, 7]",
                ":[1] (line 1): is a number; expected a JSON object in each element of the array"},
            {"[{\"instruction\": \"a\", \"output\": \"b\"}, {\"instruction\": \"a\" \"output\": \"b\"}]",
                ":[1] (line 1): not valid JSON (Unexpected character"},
            {"[{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\", \"value\": \"a\"}]},"
                + " {\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"bot\", \"value\": \"a\"}]}]",
                ":[1] (line 1): conversations[1].from is \"bot\", an unknown role; expected \"system\", \"human\","},
            {"[{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\", \"value\": \"a\"}]},"
                + " {\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"function_call\", \"value\": \"x\"}]}]",
                ":[1] (line 1): conversations[1] is a function_call whose value is not {\"name\": ..., \"arguments\""},
        };
        for (String[] c : sftCases) {
            Path file = Files.writeString(dir.resolve("bad.json"), c[0]);
            BadRecordException e = assertThrows(BadRecordException.class,
                    () -> sft(data(file, "auto", Map.of(), Map.of())), c[0]);
            assertTrue(e.getMessage().startsWith(file + c[1]), e.getMessage());
        }
        String good = "{\"chosen\": \"\\n\\nHuman: q\\n\\nAssistant: a\", \"rejected\": \"\\n\\nHuman: q\\n\\nAssistant: b\"}";
        String[][] preferenceCases = {
            {good + "\n{\"chosen\": \"q a\", \"rejected\": \"\\n\\nHuman: q\\n\\nAssistant: b\"}",
                ":2: \"chosen\" does not start with \"\\n\\nHuman:\"; expected {\"chosen\":"},
            {good + "\n{\"chosen\": \"\\n\\nHuman: q\\n\\nAssistant: a\", \"rejected\": \"\\n\\nHuman: other\\n\\nAssistant: b\"}",
                ":2: \"chosen\" and \"rejected\" do not start with the same turns (\"chosen\" goes on with a user message"},
            {good + "\n{\"chosen\": \"\\n\\nHuman: q\\n\\nAssistant: a\"}", ":2: has no \"rejected\"; expected"},
            {"{\"prompt\": \"p\", \"chosen\": [{\"role\": \"user\", \"content\": \"p\"}, {\"role\": \"assistant\","
                + " \"content\": \"a\"}], \"rejected\": [{\"role\": \"user\", \"content\": \"p\"}, {\"role\": \"assistant\","
                + " \"content\": \"b\"}], \"score_chosen\": 2, \"score_rejected\": 5}",
                ":1: \"score_chosen\" 2.0 is lower than \"score_rejected\" 5.0; expected the chosen response to score"},
            {"{\"prompt\": \"p\", \"chosen\": [{\"role\": \"assistant\", \"content\": \"a\"}, {\"role\": \"user\","
                + " \"content\": \"b\"}], \"rejected\": \"c\"}",
                ":1: \"chosen\" ends with a user message; expected the response to end with an assistant message"},
        };
        for (String[] c : preferenceCases) {
            Path file = Files.writeString(dir.resolve("bad.jsonl"), c[0] + "\n");
            BadRecordException e = assertThrows(BadRecordException.class,
                    () -> pairs(data(file, "auto", Map.of(), Map.of())), c[0]);
            assertTrue(e.getMessage().startsWith(file + c[1]), e.getMessage());
        }
    }

    @Test
    void aJsonArrayRecordIsLimitedByMaxRecordBytesAndTrailingTextIsNamed() throws IOException {
        Path file = Files.writeString(dir.resolve("big.json"), "[{\"instruction\": \"" + "x".repeat(2000)
                + "\", \"output\": \"y\"}]", StandardCharsets.UTF_8);
        DataConfig small = new DataConfig(file.toString(), null, null, null, null, null, null, null, 1000L);
        BadRecordException e = assertThrows(BadRecordException.class, () -> sft(small));
        assertTrue(e.getMessage().startsWith(file + ":[0] (line 1): record longer than 1000 bytes"), e.getMessage());
        Path trailing = Files.writeString(dir.resolve("two.json"), "[{\"instruction\": \"a\", \"output\": \"b\"}] []");
        BadRecordException t = assertThrows(BadRecordException.class,
                () -> sft(data(trailing, "auto", Map.of(), Map.of())));
        assertTrue(t.getMessage().startsWith(trailing + ": text after the closing ] of the JSON array"), t.getMessage());
    }

    @Test
    void promptsAcceptTheSameMessageShapes() throws IOException {
        Path file = Files.writeString(dir.resolve("prompts.json"), "[{\"prompt\": [{\"role\": \"system\", \"content\": \"s\"},"
                + " {\"role\": \"user\", \"content\": \"q1\"}]},\n"
                + " {\"messages\": [{\"role\": \"user\", \"content\": \"q2\"}, {\"role\": \"assistant\", \"content\": \"a\"}]},\n"
                + " {\"conversations\": [{\"from\": \"human\", \"value\": \"q3\"}]},\n"
                + " {\"instruction\": \"q4\", \"input\": \"x\", \"history\": [[\"h\", \"i\"]], \"answer\": 4},\n"
                + " {\"talk\": [{\"role\": \"person\", \"content\": \"q5\"}]}]");
        DataConfig config = data(file, "auto", Map.of("messages", "talk"), Map.of("person", "user"));
        List<PromptRecord> prompts = PromptDataset.load(config).prompts();
        assertEquals(List.of(ChatMessage.system("s"), ChatMessage.user("q1")), prompts.get(0).messages());
        assertEquals(List.of(ChatMessage.user("q2")), prompts.get(1).messages(), "an SFT record's answer is left out");
        assertEquals(List.of(ChatMessage.user("q3")), prompts.get(2).messages());
        assertEquals(List.of(ChatMessage.user("h"), ChatMessage.assistant("i"), ChatMessage.user("q4\nx")),
                prompts.get(3).messages());
        assertEquals("4", prompts.get(3).answer());
        assertEquals(List.of(ChatMessage.user("q5")), prompts.get(4).messages());
        assertEquals(file + ":[4] (line 5)", prompts.get(4).source());
    }

    @Test
    void aYamlListOfTrainingFilesAndTheNewKeysBind() throws IOException {
        Path second = Files.writeString(dir.resolve("more.jsonl"), "{\"instruction\": \"Last.\", \"output\": \"ok\"}\n");
        Path yaml = Files.writeString(dir.resolve("data.yaml"), "train:\n  - " + FORMATS.resolve("alpaca.json") + "\n  - "
                + second + "\nformat: alpaca\ncolumns: {output: output}\nroles: {bot: assistant}\n");
        DataConfig config = org.rlhf4j.core.config.ConfigLoader.load(yaml, List.of(), DataConfig.class);
        assertEquals(List.of(FORMATS.resolve("alpaca.json"), second), config.trainFiles());
        assertEquals("alpaca", config.format());
        assertEquals(7, sft(config).report().records());
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "train: [1]\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> org.rlhf4j.core.config.ConfigLoader.load(bad, List.of(), DataConfig.class));
        assertTrue(e.getMessage().contains("a list of data paths holds"), e.getMessage());
    }
}
