package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.datasets.io.BadRecordException;

/**
 * Issue 14, items 5, 9 and 10: endless or huge lines, directories and roles out of order stop the
 * read with FILE:LINE, or the key and path.
 */
class InputLimitsTest {

    @TempDir
    Path dir;

    private static DataConfig data(Path train, Long maxRecordBytes) {
        return new DataConfig(train.toString(), null, null, null, null, null, null, null, maxRecordBytes);
    }

    private static void load(DataConfig config) throws IOException {
        SftDataset.load(config, new ByteTokenizer(), ChatTemplate.CHATML, 64, false, 0);
    }

    @Test
    void devZeroStopsAtLineOneWithinSecondsUnderTheDefaultLimit() {
        Path zero = Path.of("/dev/zero");
        assertTrue(Files.isReadable(zero), "this test needs /dev/zero");
        BadRecordException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(BadRecordException.class, () -> load(data(zero, null))));
        assertTrue(e.getMessage().startsWith("/dev/zero:1: record longer than 67108864 bytes (data.max_record_bytes)"),
                e.getMessage());
    }

    @Test
    void aHugeLineAfterGoodOnesIsNamedByItsLine() throws Exception {
        String good = "{\"prompt\": \"add 1 2\", \"response\": \"3\"}\n";
        Path file = Files.writeString(dir.resolve("huge.jsonl"), good + good + "[" + "{},".repeat(1000) + "{}]\n");
        BadRecordException e = assertThrows(BadRecordException.class, () -> load(data(file, 1000L)));
        assertTrue(e.getMessage().startsWith(file + ":3: record longer than 1000 bytes"), e.getMessage());
        // the same in preference files (skipping the two lines that are no preference pairs)
        BadRecordException p = assertThrows(BadRecordException.class,
                () -> PreferenceDataset.read(file, new org.rlhf4j.datasets.io.BadRecords(true), 1000));
        assertTrue(p.getMessage().startsWith(file + ":3:"), p.getMessage());
    }

    @Test
    void aDirectoryAsDataIsNamedWithItsKey() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> data(dir, null));
        assertTrue(e.getMessage().startsWith("data.train: " + dir + " is a directory"), e.getMessage());
        Path good = Files.writeString(dir.resolve("ok.jsonl"), "");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        ConfigException eval = assertThrows(ConfigException.class,
                () -> new DataConfig(good.toString(), empty.toString(), null, null, null, null, null));
        assertTrue(eval.getMessage().startsWith("data.eval: "), eval.getMessage());
        // a directory with data files is a set of shards
        assertEquals(List.of(good), new DataConfig(good.toString(), dir.toString(), null, null, null, null, null).evalFiles());
        IOException read = assertThrows(IOException.class,
                () -> PreferenceDataset.read(dir, new org.rlhf4j.datasets.io.BadRecords(false)));
        assertTrue(read.getMessage().contains(dir + " is a directory"), read.getMessage());
    }

    @Test
    void rolesOutOfOrderAreRefusedWithFileAndLine() throws Exception {
        String user = "{\"role\": \"user\", \"content\": \"hi\"}";
        String assistant = "{\"role\": \"assistant\", \"content\": \"yo\"}";
        String system = "{\"role\": \"system\", \"content\": \"be brief\"}";
        String good = "{\"messages\": [" + system + ", " + user + ", " + assistant + "]}\n";
        for (String[] bad : new String[][] {{assistant + ", " + user + ", " + assistant, "messages[0].role is \"assistant\""},
                {user + ", " + user + ", " + assistant, "messages[1].role is \"user\""},
                {user + ", " + system + ", " + assistant, "messages[1].role is \"system\""}}) {
            Path file = Files.writeString(dir.resolve("roles.jsonl"), good + "{\"messages\": [" + bad[0] + "]}\n");
            BadRecordException e = assertThrows(BadRecordException.class, () -> load(data(file, null)));
            assertTrue(e.getMessage().startsWith(file + ":2: " + bad[1] + " out of order"), e.getMessage());
        }
    }
}
