package org.rlhf4j.core.tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A text-to-ids mapping for a causal language model, with the special tokens a chat template and a
 * generation loop need.
 *
 * <p>{@link #encode(String)} turns text into ids and nothing else: it never adds BOS or EOS, even
 * when the tokenizer's post-processor would (Llama 3 adds {@code <|begin_of_text|>}). Chat
 * templates write their special tokens as text ({@code {{ bos_token }}}, {@code <|im_start|>}), and
 * every special or added token spelled literally in the text maps to its single id, so the rendered
 * template encodes to exactly the ids transformers' {@code apply_chat_template(tokenize=True)}
 * produces, with no doubled BOS. Callers that want the post-processor's tokens (plain-text
 * pretraining on a BOS-adding tokenizer) ask for them with {@link #encode(String, boolean)}.
 *
 * <p>Implementations are thread-safe for encoding and decoding. Close them when done: a tokenizer
 * backed by the native Hugging Face library holds native memory.
 */
public interface Tokenizer extends AutoCloseable {

    /**
     * Encodes text to ids without any BOS/EOS the post-processor would add; special tokens written in
     * the text map to their ids.
     */
    default int[] encode(String text) {
        return encode(text, false);
    }

    /**
     * Encodes text to ids; with {@code addSpecialTokens} the tokenizer's own post-processor adds what
     * it adds (for example a BOS for Llama tokenizers; nothing for ChatML/Qwen2 or the byte
     * tokenizer).
     */
    int[] encode(String text, boolean addSpecialTokens);

    /**
     * Encodes text as {@link #encode(String)} does and returns each token's character range in
     * {@code text}, so that a character span (an assistant turn) maps to the tokens it touches
     * without re-tokenizing pieces of the text.
     */
    TokenOffsets encodeWithOffsets(String text);

    /** Decodes ids to text, special tokens included as their text. */
    default String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * Decodes ids to text, leaving out special tokens when asked; ids outside the vocabulary are
     * skipped (as Hugging Face tokenizers does) and invalid UTF-8 becomes U+FFFD.
     */
    String decode(int[] ids, boolean skipSpecialTokens);

    /**
     * Returns a fresh decoder for streaming generation: fed one id at a time, it returns only text
     * that is final (no half characters), and the concatenation of everything it returns, including
     * {@link StreamingDecoder#finish()}, equals {@link #decode(int[], boolean)} of all ids.
     */
    default StreamingDecoder streamingDecoder(boolean skipSpecialTokens) {
        return new PrefixDiffStreamingDecoder(this, skipSpecialTokens);
    }

    /** Returns the number of ids, that is the largest id of the vocabulary or an added token plus one. */
    int vocabSize();

    /**
     * Returns the id of a vocabulary entry or added token spelled exactly as in tokenizer.json (for
     * example {@code <|im_end|>}, or {@code Ġ} for a space byte), if the tokenizer has it.
     */
    OptionalInt tokenId(String token);

    /** Returns the special tokens (added tokens flagged special), in id order. */
    List<String> specialTokens();

    /**
     * Returns the id that ends a generated turn ({@code eos_token} of tokenizer_config.json).
     *
     * @throws IllegalStateException if the tokenizer names no end-of-sequence token
     */
    int eosId();

    /** Returns the beginning-of-sequence id, if the tokenizer names one. */
    OptionalInt bosId();

    /** Returns the padding id, if the tokenizer names one. */
    OptionalInt padId();

    /** Returns the Jinja chat template the tokenizer carries, if any. */
    Optional<String> chatTemplate();

    /** Names where {@link #chatTemplate()} was read from (a file of the model directory), for errors. */
    default String chatTemplateSource() {
        return "the tokenizer's chat_template";
    }

    /**
     * Writes {@code tokenizer.json} and {@code tokenizer_config.json} (with the chat template) into
     * {@code dir}, creating it if needed, so that transformers and this toolkit load the same
     * tokenizer from it.
     */
    void save(Path dir) throws IOException;

    /** Releases native resources, if any; the default has none to release. */
    @Override
    default void close() {}
}
