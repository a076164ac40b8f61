package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.datasets.io.BadRecordException;

/** Issue 14, items 5 and 9: endless or huge lines and directories stop the read with FILE:LINE or the path. */
class InputLimitsTest {

    @TempDir
    Path dir;

    private static DataConfig data(Path train, Long maxRecordBytes) {
        return new DataConfig(train.toString(), null, null, null, null, null, null, maxRecordBytes);
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
    void aDirectoryAsDataIsNamed() {
        IOException e = assertThrows(IOException.class, () -> load(data(dir, null)));
        assertTrue(e.getMessage().contains(dir + " is a directory"), e.getMessage());
    }
}
