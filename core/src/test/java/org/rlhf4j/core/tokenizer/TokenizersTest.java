package org.rlhf4j.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.UserException;

class TokenizersTest {

    @Test
    void missingTokenizerJsonNamesTheDirectoryAndTheExpectedFile(@TempDir Path dir) {
        NoSuchFileException error = assertThrows(NoSuchFileException.class, () -> Tokenizers.load(dir));
        assertTrue(error.getMessage().contains(dir.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("tokenizer.json"), error.getMessage());
    }

    @Test
    void aSentencePieceOnlyDirectoryGetsConversionAdvice(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("tokenizer.model"), new byte[] {1, 2, 3});
        NoSuchFileException error = assertThrows(NoSuchFileException.class, () -> Tokenizers.load(dir));
        assertTrue(error.getMessage().contains("save_pretrained"), error.getMessage());
    }

    @Test
    void aMissingDirectoryIsReported(@TempDir Path dir) {
        Path absent = dir.resolve("no-such-model");
        NoSuchFileException error = assertThrows(NoSuchFileException.class, () -> Tokenizers.load(absent));
        assertTrue(error.getMessage().contains("not a directory"), error.getMessage());
    }

    @Test
    void byNameKnowsTheByteTokenizer() {
        assertInstanceOf(ByteTokenizer.class, Tokenizers.byName("byte"));
        UserException error =
                assertThrows(UserException.class, () -> Tokenizers.byName("gpt2"));
        assertTrue(error.getMessage().contains("'gpt2'") && error.getMessage().contains("byte"), error.getMessage());
    }

    @Test
    void aCorruptTokenizerJsonNamesTheFileAndWhereItBreaks(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"version\": \"1.0\",\n \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0,");
        UserException truncated = assertThrows(UserException.class, () -> Tokenizers.load(dir));
        assertTrue(truncated.getMessage().startsWith(file + ":2:") && truncated.getMessage().contains("not valid JSON")
                && truncated.getMessage().contains("corrupt or truncated"), truncated.getMessage());

        Files.write(file, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xE9, '"', '}'}); // Latin-1 e-acute
        UserException latin1 = assertThrows(UserException.class, () -> Tokenizers.load(dir));
        assertTrue(latin1.getMessage().startsWith(file + ": not UTF-8"), latin1.getMessage());

        Files.writeString(file, "[1, 2]");
        UserException array = assertThrows(UserException.class, () -> Tokenizers.load(dir));
        assertTrue(array.getMessage().startsWith(file + ": expected a JSON object, got array"), array.getMessage());
    }
}
