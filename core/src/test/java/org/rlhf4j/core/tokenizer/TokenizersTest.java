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
}
