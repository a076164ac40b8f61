package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.DataConfig;

/** With {@code data.on_bad_record: skip}, the prompts' summary says why each of the first few lines was skipped. */
class PromptSetTest {

    @Test
    void skippedLinesAreListedWithFileLineAndReason(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prompts.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"prompt\": \"say a letter\"}",
                "{\"promt\": \"typo\"}",
                "not json",
                "{\"prompt\": \"one letter\"}",
                ""));
        DataConfig data = new DataConfig(file.toString(), null, null, "skip", null, null, null);
        PromptSet prompts = PromptSet.load(data, new ByteTokenizer(), ChatTemplate.CHATML, 64);

        assertEquals(2, prompts.size());
        assertEquals(String.join("\n",
                "prompts: 2 from " + file + ", 2 bad records skipped",
                "  skipped " + file + ":2: has neither \"prompt\" nor \"messages\"; expected {\"prompt\": \"...\"}"
                        + " or {\"messages\": [...]} ending with a user turn (or \"conversations\", \"instruction\")",
                "  skipped " + file + ":3: " + prompts.skipReasons().get(1).substring((file + ":3: ").length())),
                prompts.summary(file.toString()));
        assertEquals(file + ":3: ", prompts.skipReasons().get(1).substring(0, (file + ":3: ").length()));
    }
}
