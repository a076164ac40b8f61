package org.rlhf4j.datasets;

import java.util.Arrays;
import org.rlhf4j.core.tokenizer.TokenOffsets;
import org.rlhf4j.core.tokenizer.Tokenizer;

/**
 * Tokenizes rendered text into a {@link TrainingSequence} whose loss mask covers the tokens of the
 * characters a template marked, or every token for plain text.
 *
 * <p>The whole text is tokenized once, with each token's character range
 * ({@link Tokenizer#encodeWithOffsets}); a token is a target when its range overlaps a loss span. So
 * the ids are exactly those of the whole text, whatever the tokenizer merges across a span's
 * boundary: a byte-level BPE merge or a SentencePiece {@code ▁} that joins a header's last character
 * to the content's first puts that one token in the loss. Re-tokenizing pieces, as before, broke
 * SentencePiece tokenizers, whose normaliser prepends {@code ▁} to every piece.
 */
public final class LossMaskEncoder {

    private final Tokenizer tokenizer;

    public LossMaskEncoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Encodes a rendered conversation; {@code lossMask[t]} is true for every token that overlaps a loss span. */
    public TrainingSequence encode(RenderedConversation conversation) {
        TokenOffsets tokens = tokenizer.encodeWithOffsets(conversation.text());
        int[] ids = tokens.ids();
        boolean[] mask = new boolean[ids.length];
        int t = 0;
        for (RenderedConversation.CharSpan span : conversation.lossSpans()) {
            // spans ascend, so the token cursor only moves forward
            while (t < ids.length && tokens.ends()[t] <= span.start() && !(tokens.starts()[t] == tokens.ends()[t]
                    && tokens.starts()[t] == span.start())) {
                t++;
            }
            for (int u = t; u < ids.length && tokens.starts()[u] < span.end(); u++) {
                mask[u] = true;
            }
        }
        if (ids.length > 0) {
            mask[0] = false; // nothing predicts the first token
        }
        return TrainingSequence.of(ids, mask);
    }

    /**
     * Encodes plain text for pretraining: the tokenizer's own special tokens are added (a BOS for
     * Llama tokenizers) and every token but the first is a target.
     */
    public TrainingSequence encodePlainText(String text) {
        int[] ids = tokenizer.encode(text, true);
        boolean[] mask = new boolean[ids.length];
        Arrays.fill(mask, true);
        if (ids.length > 0) {
            mask[0] = false;
        }
        return TrainingSequence.of(ids, mask);
    }
}
