package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.datasets.io.BadRecordException;

class UnpairedPreferenceRecordsTest {

    @TempDir
    Path dir;

    private static UnpairedPreferenceRecords.Example one(String line) {
        List<UnpairedPreferenceRecords.Example> out = UnpairedPreferenceRecords.parse(line, "f:1");
        assertEquals(1, out.size());
        return out.get(0);
    }

    private static String error(String line) {
        return assertThrows(BadRecordException.class, () -> UnpairedPreferenceRecords.parse(line, "f.jsonl:7"))
                .getMessage();
    }

    @Test
    void readsStringAndConversationalRecords() {
        UnpairedPreferenceRecords.Example e = one("{\"prompt\": \"hi\", \"system\": \"be nice\", \"completion\": \"hello\","
                + " \"label\": true, \"id\": 3}");
        assertEquals(List.of(ChatMessage.system("be nice"), ChatMessage.user("hi")), e.prompt());
        assertEquals("hello", e.completion());
        assertTrue(e.desirable());
        assertEquals("f:1", e.source());
        // TRL's conversational form: prompt and completion as message lists
        e = one("{\"prompt\": [{\"role\": \"user\", \"content\": \"hi\"}], \"completion\": [{\"role\": \"assistant\","
                + " \"content\": \"go away\"}], \"label\": false}");
        assertEquals(List.of(ChatMessage.user("hi")), e.prompt());
        assertEquals("go away", e.completion());
        assertFalse(e.desirable());
        // rlhf4j's "messages" key for the prompt
        e = one("{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\"},"
                + " {\"role\": \"user\", \"content\": \"c\"}], \"completion\": \"d\", \"label\": true}");
        assertEquals(3, e.prompt().size());
    }

    @Test
    void aPreferencePairIsTwoExamplesChosenDesirableRejectedNot() {
        List<UnpairedPreferenceRecords.Example> out = UnpairedPreferenceRecords.parse(
                "{\"prompt\": \"add 2 3\", \"chosen\": \"5\", \"rejected\": \"no\"}", "f:2");
        assertEquals(2, out.size());
        assertEquals("5", out.get(0).completion());
        assertTrue(out.get(0).desirable());
        assertEquals("no", out.get(1).completion());
        assertFalse(out.get(1).desirable());
        assertEquals(out.get(0).prompt(), out.get(1).prompt());
    }

    @Test
    void badRecordsAreNamedWithFileLineAndWhatIsExpected() {
        assertEquals("f.jsonl:7: has no \"label\"; expected {\"prompt\": \"...\" | \"messages\": [...], \"completion\":"
                + " \"...\", \"label\": true | false} (or a preference pair {\"prompt\", \"chosen\", \"rejected\"})",
                error("{\"prompt\": \"p\", \"completion\": \"c\"}"));
        assertEquals("f.jsonl:7: \"label\" is the string \"true\"; expected true (a desirable completion) or false"
                + " (undesirable)", error("{\"prompt\": \"p\", \"completion\": \"c\", \"label\": \"true\"}"));
        assertTrue(error("{\"prompt\": \"p\", \"completion\": \"c\", \"label\": 1}").contains("\"label\" is a number"));
        assertTrue(error("{\"prompt\": \"p\", \"label\": true}").contains("has no \"completion\""));
        assertTrue(error("{\"completion\": \"c\", \"label\": true}").contains("has neither \"prompt\" nor \"messages\""));
        assertTrue(error("{\"prompt\": \"p\", \"completion\": [{\"role\": \"assistant\", \"content\": \"a\"},"
                + " {\"role\": \"assistant\", \"content\": \"b\"}], \"label\": true}").contains("a list of 2 item(s)"));
        assertTrue(error("{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\", \"label\": true}")
                .contains("one or the other"));
        assertTrue(error("{\"prompt\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\":"
                + " \"b\"}], \"completion\": \"c\", \"label\": true}").contains("ends with a assistant message"));
        assertTrue(error("{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"a\"}").contains("the same text"));
        assertTrue(error("[1]").startsWith("f.jsonl:7: is an array; expected one JSON object per line"));
    }

    @Test
    void filesAreReadWithLineNumbersAndEvalFractionKeepsAPairsHalvesTogether() throws Exception {
        Path file = dir.resolve("kto.jsonl");
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            s.append("{\"prompt\": \"p").append(i).append("\", \"chosen\": \"good\", \"rejected\": \"bad\"}\n");
        }
        s.append("\n{\"prompt\": \"q\", \"completion\": \"c\", \"label\": false}\n");
        Files.writeString(file, s.toString(), StandardCharsets.UTF_8);
        UnpairedPreferenceRecords.Split split = UnpairedPreferenceRecords.load(
                new DataConfig(file.toString(), null, 0.3, null, null, null, null), 0);
        assertEquals(21, split.train().size() + split.eval().size()); // 10 pairs and one single example
        // 3 of the 11 lines held out, whole: no line has examples on both sides
        assertEquals(3, split.eval().stream().map(UnpairedPreferenceRecords.Example::source).distinct().count());
        split.eval().forEach(e -> assertTrue(split.train().stream().noneMatch(t -> t.source().equals(e.source()))));
        assertEquals(file + ":12", UnpairedPreferenceRecords.read(file, new org.rlhf4j.datasets.io.BadRecords(false),
                1 << 20).get(20).source());

        Files.write(file, ("{\"prompt\": \"q\", \"completion\": \"c\", \"label\": false}\n"
                + "{\"prompt\": \"q\", \"completion\": \"c\"}\n").getBytes(StandardCharsets.UTF_8));
        BadRecordException e = assertThrows(BadRecordException.class, () -> UnpairedPreferenceRecords.load(
                new DataConfig(file.toString(), null, null, null, null, null, null), 0));
        assertTrue(e.getMessage().startsWith(file + ":2: has no \"label\""), e.getMessage());
        UnpairedPreferenceRecords.Split skipped = UnpairedPreferenceRecords.load(
                new DataConfig(file.toString(), null, null, "skip", null, null, null), 0);
        assertEquals(1, skipped.train().size());
        assertEquals(1, skipped.skipped());
        assertTrue(skipped.summary().contains("skipped " + file + ":2"), skipped.summary());
    }
}
