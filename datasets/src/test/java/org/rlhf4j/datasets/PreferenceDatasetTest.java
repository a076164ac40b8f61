package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.datasets.io.BadRecordException;

class PreferenceDatasetTest {

    private static final ByteTokenizer BYTES = new ByteTokenizer();
    private static final RewardConditions CONDITIONS = RewardConditions.of(Map.of(
            "helpful", "Judge helpfulness.", "safe", "Judge safety."));

    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    private static PreferenceDataset load(Path train, String onBad, int maxSeqLen) throws IOException {
        return PreferenceDataset.load(new DataConfig(train.toString(), null, null, onBad, null, null, null), BYTES,
                ChatTemplate.CHATML, CONDITIONS, maxSeqLen, 0);
    }

    private static String text(TrainingSequence s) {
        return BYTES.decode(s.ids(), false);
    }

    @Test
    void promptAndMessagesRecordsRenderAsChatMlEndingAtTheResponsesEndOfTurn() throws IOException {
        Path file = write("p.jsonl",
                "{\"prompt\": \"add 2 3\", \"chosen\": \"5\", \"rejected\": \"6\", \"preference\": \"better\", \"margin\": 0.5}",
                "",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"yo\"},"
                        + " {\"role\": \"user\", \"content\": \"add 1 1\"}], \"chosen\": \"2\", \"rejected\": \"3\"}");
        PreferenceDataset data = load(file, "fail", 256);
        assertEquals(2, data.train().size());
        TokenizedPair first = data.train().get(0);
        assertEquals("<|im_start|>user\nadd 2 3<|im_end|>\n<|im_start|>assistant\n5<|im_end|>", text(first.chosen()));
        assertEquals("<|im_start|>user\nadd 2 3<|im_end|>\n<|im_start|>assistant\n6<|im_end|>", text(first.rejected()));
        // the loss mask covers the response and its <|im_end|>: "5" and <|im_end|> = 2 tokens
        assertEquals(2, first.chosen().lossTokens());
        assertTrue(first.chosen().lossMask()[first.chosen().length() - 1]);
        assertEquals("better", first.pair().preference());
        assertEquals(0.5, first.pair().margin());
        assertEquals(file + ":1", first.pair().source());
        TokenizedPair second = data.train().get(1);
        assertNull(second.pair().preference());
        // only the final response is in the mask, not the earlier assistant turn "yo"
        assertEquals(2, second.chosen().lossTokens());
        assertTrue(text(second.chosen()).startsWith("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nyo"));
        assertEquals(file + ":3", second.pair().source());
    }

    @Test
    void namedConditionsBecomeTheSystemTurnAndTextWithSpacesIsUsedVerbatim() throws IOException {
        Path file = write("c.jsonl",
                "{\"prompt\": \"q\", \"chosen\": \"a\", \"rejected\": \"b\", \"condition\": \"safe\"}",
                "{\"prompt\": \"q\", \"chosen\": \"a\", \"rejected\": \"b\", \"condition\": \"Prefer short answers.\"}");
        PreferenceDataset data = load(file, "fail", 256);
        assertEquals("<|im_start|>system\nJudge safety.<|im_end|>\n<|im_start|>user\nq<|im_end|>\n"
                + "<|im_start|>assistant\na<|im_end|>", text(data.train().get(0).chosen()));
        assertTrue(text(data.train().get(1).chosen()).startsWith("<|im_start|>system\nPrefer short answers.<|im_end|>"));
        assertEquals(Map.of("safe", 1, "Prefer short answers.", 1), data.report().train().byCondition());
    }

    @Test
    void unknownConditionIsABadRecordListingTheKnownOnes() throws IOException {
        Path file = write("u.jsonl", "{\"prompt\": \"q\", \"chosen\": \"a\", \"rejected\": \"b\", \"condition\": \"honest\"}");
        BadRecordException e = assertThrows(BadRecordException.class, () -> load(file, "fail", 256));
        assertTrue(e.getMessage().startsWith(file + ":1: unknown condition 'honest'; known conditions: "), e.getMessage());
        assertTrue(e.getMessage().contains("helpful") && e.getMessage().contains("safe"), e.getMessage());
    }

    @Test
    void conditionAndSystemMessageTogetherAreABadRecord() throws IOException {
        Path file = write("s.jsonl",
                "{\"prompt\": \"q\", \"system\": \"Be nice.\", \"chosen\": \"a\", \"rejected\": \"b\", \"condition\": \"safe\"}");
        BadRecordException e = assertThrows(BadRecordException.class, () -> load(file, "fail", 256));
        assertTrue(e.getMessage().contains(":1: has a system message and the condition 'safe'"), e.getMessage());
    }

    @Test
    void ignoredConditionsLeaveThePromptAsItIs() {
        PreferenceEncoder encoder = new PreferenceEncoder(BYTES, ChatTemplate.CHATML, RewardConditions.ignored());
        TrainingSequence s = encoder.encode(List.of(ChatMessage.user("q")), "anything at all", "a");
        assertEquals("<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\na<|im_end|>", text(s));
    }

    @Test
    void malformedRecordsNameTheirLine() throws IOException {
        String[][] cases = {
            {"{\"prompt\": \"q\", \"chosen\": \"a\"}", "has no \"rejected\""},
            {"{\"chosen\": \"a\", \"rejected\": \"b\"}", "has neither \"prompt\" nor \"messages\""},
            {"{\"prompt\": \"q\", \"chosen\": \"a\", \"rejected\": \"a\"}", "are the same text"},
            {"{\"prompt\": \"q\", \"chosen\": \"a\", \"rejected\": \"b\", \"preference\": \"much_better\"}",
                "unknown degree; expected one of [significantly_better, better, slightly_better, negligibly_better]"},
            {"{\"prompt\": \"q\", \"chosen\": \"a\", \"rejected\": \"b\", \"margin\": \"1\"}", "\"margin\" is a string"},
            {"{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"x\"}],"
                + " \"chosen\": \"a\", \"rejected\": \"b\"}", "ends with a assistant message"},
            {"{\"prompt\": \"q\", \"chosen\": 3, \"rejected\": \"b\"}", "\"chosen\" is a number"},
            {"[1, 2]", "expected one JSON object per line"},
        };
        for (String[] c : cases) {
            Path file = write("bad.jsonl", "{\"prompt\": \"q\", \"chosen\": \"a\", \"rejected\": \"b\"}", c[0]);
            BadRecordException e = assertThrows(BadRecordException.class, () -> load(file, "fail", 256), c[0]);
            assertTrue(e.getMessage().startsWith(file + ":2: "), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void withoutALengthLimitTheSummaryPrintsNone() throws IOException {
        Path file = write("n.jsonl", "{\"prompt\": \"q\", \"chosen\": \"a\", \"rejected\": \"b\"}");
        String summary = load(file, "fail", Integer.MAX_VALUE).report().summary(); // DPO loads so, and cuts later
        assertTrue(summary.startsWith("data: 1 preference records, template chatml\n"), summary);
        assertFalse(summary.contains("2147483647"), summary);
    }

    @Test
    void skipModeCountsBadRecordsAndDropsPairsLongerThanMaxSeqLen() throws IOException {
        Path file = write("k.jsonl",
                "{\"prompt\": \"q\", \"chosen\": \"a\", \"rejected\": \"b\"}",
                "not json",
                "{\"prompt\": \"q\", \"chosen\": \"" + "x".repeat(100) + "\", \"rejected\": \"b\"}",
                "{\"prompt\": \"q\", \"chosen\": \"c\", \"rejected\": \"d\", \"condition\": \"nope\"}");
        PreferenceDataset data = load(file, "skip", 64);
        assertEquals(1, data.train().size());
        assertEquals(2, data.report().skipped());
        assertEquals(1, data.report().droppedTooLong());
        assertTrue(data.report().summary().contains("dropped (longer than max_seq_len) 1, skipped (bad records) 2"),
                data.report().summary());
        // 1 kept + 1 dropped: half the usable pairs
        assertTrue(data.report().summary().contains("warning: 1 of 2 pairs (50%) are longer than max_seq_len 64"),
                data.report().summary());
    }

    @Test
    void evalFractionHoldsOutASeededShareAndBatchesAreChosenThenRejected() throws IOException {
        String[] lines = new String[10];
        for (int i = 0; i < 10; i++) {
            lines[i] = "{\"prompt\": \"q" + i + "\", \"chosen\": \"a\", \"rejected\": \"bb\"}";
        }
        Path file = write("e.jsonl", lines);
        DataConfig config = new DataConfig(file.toString(), null, 0.2, null, null, null, null);
        PreferenceDataset data = PreferenceDataset.load(config, BYTES, ChatTemplate.CHATML, CONDITIONS, 256, 7);
        assertEquals(8, data.train().size());
        assertEquals(2, data.eval().size());
        PreferenceDataset again = PreferenceDataset.load(config, BYTES, ChatTemplate.CHATML, CONDITIONS, 256, 7);
        assertEquals(data.eval().get(0).pair().source(), again.eval().get(0).pair().source());
        List<TrainingSequence> rows = PreferenceDataset.chosenThenRejected(data.train().subList(0, 2));
        assertEquals(4, rows.size());
        assertTrue(text(rows.get(1)).endsWith("a<|im_end|>"));
        assertTrue(text(rows.get(2)).endsWith("bb<|im_end|>"));
        int[] lengths = PreferenceDataset.lengths(data.train());
        assertEquals(data.train().get(0).rejected().length(), lengths[0]); // the longer one
        assertFalse(data.report().summary().isEmpty());
    }

    @Test
    void conditionsTableRoundTripsThroughAModelDirectory() throws IOException {
        CONDITIONS.save(dir);
        RewardConditions read = RewardConditions.read(dir);
        assertEquals(CONDITIONS.table(), read.table());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertTrue(RewardConditions.read(empty).table().isEmpty(), "a directory without the file has no conditions");
        assertThrows(IllegalArgumentException.class, () -> RewardConditions.of(Map.of("two words", "x")));
    }
}
