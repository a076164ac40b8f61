package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.datasets.io.BadRecordException;

class SftDatasetTest {

    private static final ByteTokenizer BYTES = new ByteTokenizer();

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private static DataConfig config(Path train, String onBad, boolean packing) {
        return new DataConfig(train.toString(), null, null, onBad, packing, null, null);
    }

    private static SftDataset sft(DataConfig config, int maxSeqLen) throws IOException {
        return SftDataset.load(config, BYTES, ChatTemplate.CHATML, maxSeqLen, false, 0);
    }

    @Test
    void promptResponseFormatEqualsMessagesFormat() throws IOException {
        Path file = write("a.jsonl", String.join("\n",
                "{\"messages\": [{\"role\": \"system\", \"content\": \"S\"}, {\"role\": \"user\", \"content\": \"hi\"},"
                        + " {\"role\": \"assistant\", \"content\": \"yo\"}]}",
                "{\"prompt\": \"hi\", \"response\": \"yo\", \"system\": \"S\", \"id\": 7}",
                "",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"yo\"}]}",
                "{\"prompt\": \"hi\", \"response\": \"yo\"}") + "\n");
        SftDataset data = sft(config(file, null, false), 512);
        assertEquals(4, data.train().size());
        assertArrayEquals(data.train().get(0).ids(), data.train().get(1).ids());
        assertArrayEquals(data.train().get(0).lossMask(), data.train().get(1).lossMask());
        assertArrayEquals(data.train().get(2).ids(), data.train().get(3).ids());
        assertArrayEquals(data.train().get(2).lossMask(), data.train().get(3).lossMask());
        assertEquals(3, data.train().get(3).lossTokens()); // 'y', 'o', <|im_end|>
        assertEquals(4, data.report().records());
        assertEquals(0, data.report().skipped());
    }

    /** Each bad line alone in a file must stop loading with exactly this FILE:LINE message prefix. */
    @Test
    void eachBadRecordStopsWithFileLineAndExpectation() throws IOException {
        String good = "{\"prompt\": \"p\", \"response\": \"r\"}";
        String[][] cases = {
            {"{\"messages\": [{\"role\": \"bot\", \"content\": \"x\"}]}",
                "messages[0].role is \"bot\", an unknown role; expected \"system\", \"user\", \"assistant\" or \"tool\""},
            {"{\"messages\": []}", "\"messages\" is empty (an empty conversation)"},
            {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
                "the conversation has no assistant message; expected at least one message with \"role\": \"assistant\""},
            {"{\"messages\": [{\"role\": \"user\", \"content\": 3}, {\"role\": \"assistant\", \"content\": \"y\"}]}",
                "messages[0].content is a number; expected a string"},
            {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}, {\"role\": \"assistant\", \"content\": null}]}",
                "messages[1].content is null; expected a string"},
            {"{\"messages\": [{\"role\": \"user\"}, {\"role\": \"assistant\", \"content\": \"y\"}]}",
                "messages[0] has no \"content\"; expected a string"},
            {"{\"messages\": [{\"content\": \"x\"}]}", "messages[0] has no \"role\""},
            {"{\"prompt\": \"p\", \"response\": \"r\"", "not valid JSON ("},
            {"[1, 2]", "is an array; expected one JSON object per line"},
            {"{\"prompt\": \"p\"}", "has \"prompt\" but no \"response\""},
            {"{\"prompt\": \"p\", \"response\": [\"r\"]}", "response[0] is a string; expected {\"role\": ..., \"content\": ...}"},
            {"{\"question\": \"q\"}", "has neither \"messages\" nor \"prompt\"; expected {\"messages\""},
            {"{\"text\": \"t\"}", "has \"text\" (plain text for pretraining) but no conversation"},
        };
        for (String[] c : cases) {
            Path file = write("bad.jsonl", good + "\n" + c[0] + "\n" + good + "\n");
            BadRecordException e = assertThrows(BadRecordException.class, () -> sft(config(file, null, false), 64),
                    c[0]);
            assertTrue(e.getMessage().startsWith(file + ":2: " + c[1]), e.getMessage());
        }
    }

    @Test
    void badUtf8IsReportedWithItsLine() throws IOException {
        Path file = dir.resolve("utf8.jsonl");
        byte[] good = "{\"prompt\": \"p\", \"response\": \"r\"}\n".getBytes(StandardCharsets.UTF_8);
        // line 2: "{"prompt": "\xC3(", ...}: 0xC3 starts a 2-byte sequence that '(' does not continue
        byte[] bad = "{\"prompt\": \"\u00c3(\", \"response\": \"r\"}\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, concat(good, bad, good));
        BadRecordException e = assertThrows(BadRecordException.class, () -> sft(config(file, null, false), 64));
        assertEquals(file + ":2: not valid UTF-8 (1 malformed byte(s) at byte 13 of the line); expected UTF-8 text",
                e.getMessage());
    }

    @Test
    void skipModeCountsAndReportsTheFirstReasons() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            lines.append("{\"prompt\": \"p\", \"response\": \"r\"}\n").append("{\"prompt\": ").append(i).append("}\n");
        }
        Path file = write("mixed.jsonl", lines.toString());
        SftDataset data = sft(config(file, "skip", false), 64);
        assertEquals(7, data.train().size());
        assertEquals(7, data.report().skipped());
        assertEquals(5, data.report().skipReasons().size());
        assertEquals(file + ":2: \"prompt\" is a number; expected a string", data.report().skipReasons().get(0));
        assertEquals(file + ":10: \"prompt\" is a number; expected a string", data.report().skipReasons().get(4));
        assertTrue(data.report().summary().contains("skipped (bad records) 7"), data.report().summary());
        assertTrue(data.report().summary().contains("... and 2 more skipped"), data.report().summary());
    }

    @Test
    void truncationKeepsTheStartAndDropsExamplesWithoutLossTokens() throws IOException {
        // rendered: <s>user\nhi<e>\n<s>assistant\nyo<e>\n = 1+7+1+1 + 1+10 + 3 + 1 = 25 tokens
        // The header ends at token 21 (index 20); 'y' is index 21.
        Path file = write("t.jsonl", "{\"prompt\": \"hi\", \"response\": \"yo\"}\n"
                + "{\"prompt\": \"a long question that fills the row\", \"response\": \"x\"}\n");
        SftDataset full = sft(config(file, null, false), 512);
        TrainingSequence whole = full.train().get(0);
        assertEquals(25, whole.length());
        SftDataset cut = sft(config(file, null, false), 23);
        // first example cut to 23 tokens: same start, loss only on 'y', 'o'
        assertEquals(1, cut.train().size());
        TrainingSequence kept = cut.train().get(0);
        assertArrayEquals(java.util.Arrays.copyOf(whole.ids(), 23), kept.ids());
        assertArrayEquals(java.util.Arrays.copyOf(whole.lossMask(), 23), kept.lossMask());
        assertEquals(2, kept.lossTokens());
        // second example: its 50-token prompt alone exceeds 23 tokens, so no loss token is left
        assertEquals(2, cut.report().truncated());
        assertEquals(1, cut.report().droppedNoLoss());
    }

    @Test
    void pretrainPutsEveryTokenButTheFirstInTheLossAndSplitsLongDocuments() throws IOException {
        Path file = write("p.jsonl", "{\"text\": \"abcdefghij\"}\n{\"text\": \"xy\"}\n");
        SftDataset data = SftDataset.load(config(file, null, false), BYTES, ChatTemplate.CHATML, 4, true, 0);
        // "abcdefghij" (10 tokens) -> chunks abcd, efgh, ij; "xy" fits
        assertEquals(4, data.train().size());
        assertArrayEquals(new int[] {'a', 'b', 'c', 'd'}, data.train().get(0).ids());
        assertArrayEquals(new boolean[] {false, true, true, true}, data.train().get(0).lossMask());
        assertArrayEquals(new int[] {'i', 'j'}, data.train().get(2).ids());
        assertArrayEquals(new boolean[] {false, true}, data.train().get(3).lossMask());
        assertEquals(1, data.report().split());
        assertEquals("plain text", data.report().format());
    }

    @Test
    void textFileDocumentsAreSeparatedByBlankLines() throws IOException {
        Path file = write("corpus.txt", "first line\nsecond line\n\n\n  \nnext doc\n");
        SftDataset data = SftDataset.load(config(file, null, false), BYTES, ChatTemplate.CHATML, 512, true, 0);
        assertEquals(2, data.train().size());
        assertEquals("first line\nsecond line", BYTES.decode(data.train().get(0).ids()));
        assertEquals("next doc", BYTES.decode(data.train().get(1).ids()));
        assertThrows(UserException.class, () -> sft(config(file, null, false), 512));
    }

    @Test
    void evalFractionIsASeededSplit() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            lines.append("{\"prompt\": \"q").append(i).append("\", \"response\": \"r\"}\n");
        }
        Path file = write("e.jsonl", lines.toString());
        DataConfig withEval = new DataConfig(file.toString(), null, 0.2, null, null, null, null);
        SftDataset a = SftDataset.load(withEval, BYTES, ChatTemplate.CHATML, 512, false, 3);
        SftDataset b = SftDataset.load(withEval, BYTES, ChatTemplate.CHATML, 512, false, 3);
        assertEquals(16, a.train().size());
        assertEquals(4, a.eval().size());
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(a.eval().get(i).ids(), b.eval().get(i).ids());
        }
    }

    @Test
    void packingKeepsMasksAndStaysWithinMaxSeqLen() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            lines.append("{\"prompt\": \"").append("q".repeat(i)).append("\", \"response\": \"r").append(i)
                    .append("\"}\n");
        }
        Path file = write("k.jsonl", lines.toString());
        SftDataset plain = sft(config(file, null, false), 64);
        SftDataset packed = sft(config(file, null, true), 64);
        assertTrue(packed.train().size() < plain.train().size());
        assertEquals(9, packed.report().train().examples());
        assertEquals(plain.report().train().tokens(), packed.report().train().tokens());
        assertEquals(plain.report().train().lossTokens(), packed.report().train().lossTokens());
        for (TrainingSequence row : packed.train()) {
            assertTrue(row.length() <= 64);
            int[] s = row.segmentStarts();
            for (int k = 0; k < s.length; k++) {
                int end = k + 1 < s.length ? s[k + 1] : row.length();
                TrainingSequence segment = TrainingSequence.of(java.util.Arrays.copyOfRange(row.ids(), s[k], end),
                        java.util.Arrays.copyOfRange(row.lossMask(), s[k], end));
                assertTrue(plain.train().stream().anyMatch(e -> java.util.Arrays.equals(e.ids(), segment.ids())
                        && java.util.Arrays.equals(e.lossMask(), segment.lossMask())), "segment " + k);
                assertFalse(row.lossMask()[s[k]]);
            }
        }
    }

    @Test
    void byteOrderMarkAndCrLfLineEndsAreAccepted() throws IOException {
        Path file = dir.resolve("crlf.jsonl");
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        Files.write(file, concat(bom, "{\"prompt\": \"hi\", \"response\": \"yo\"}\r\n\r\n{\"prompt\": \"a\", \"response\": \"b\"}"
                .getBytes(StandardCharsets.UTF_8)));
        SftDataset data = sft(config(file, null, false), 64);
        assertEquals(2, data.train().size());
        assertEquals(3, data.train().get(0).lossTokens()); // "yo" + <|im_end|>: no '\r' crept into the text
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
