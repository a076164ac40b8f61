package org.rlhf4j.core.tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import org.rlhf4j.core.config.UserException;

/** Entry points that pick the {@link Tokenizer} implementation for a model directory or a name. */
public final class Tokenizers {

    /** Name of the built-in byte tokenizer for {@link #byName(String)}. */
    public static final String BYTE = "byte";

    private Tokenizers() {}

    /**
     * Loads the tokenizer of a Hugging Face model directory: a {@link ByteTokenizer} (pure Java) when
     * tokenizer.json is exactly the byte tokenizer this toolkit writes, an {@link HfTokenizer}
     * otherwise.
     *
     * <p>The byte tokenizer is recognised by the content of tokenizer.json and tokenizer_config.json
     * (vocabulary, merges, added tokens, normalizer, pre-tokenizer, special tokens), not by a marker,
     * so a copy re-saved by transformers is still recognised and anything that would encode
     * differently goes to the native library.
     *
     * @throws java.nio.file.NoSuchFileException naming the directory and what it should contain, if
     *     there is no tokenizer.json
     */
    public static Tokenizer load(Path modelDir) throws IOException {
        TokenizerFiles files = TokenizerFiles.read(modelDir);
        return ByteTokenizer.describes(files) ? ByteTokenizer.from(files) : HfTokenizer.from(files);
    }

    /**
     * Returns a built-in tokenizer by name; the only one is {@code byte}, the {@link ByteTokenizer}.
     *
     * @throws IllegalArgumentException for any other name, listing the known ones
     */
    public static Tokenizer byName(String name) {
        if (BYTE.equals(name)) {
            return new ByteTokenizer();
        }
        throw new UserException("unknown tokenizer '" + name + "'; known: [" + BYTE
                + "], or load a model directory's tokenizer.json with Tokenizers.load(dir)");
    }
}
