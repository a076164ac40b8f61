package org.rlhf4j.datasets;

import java.util.Arrays;
import org.rlhf4j.core.tokenizer.Tokenizer;

/**
 * Tokenizes rendered text into a {@link TrainingSequence} whose loss mask covers exactly the
 * characters a template marked, or every token for plain text.
 *
 * <p>A tokenizer gives no character offsets, so a conversation is tokenized piece by piece (the
 * text before the first loss span, the span, the text up to the next span, ...) and the pieces are
 * concatenated. That is only right if the pieces tokenize as the whole does, which is checked: if
 * a tokenizer merges characters across a span boundary the encoding fails rather than training on
 * a shifted mask.
 */
public final class LossMaskEncoder {

    private final Tokenizer tokenizer;

    public LossMaskEncoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * Encodes a rendered conversation; {@code lossMask[t]} is true for every token of a loss span.
     *
     * @throws IllegalArgumentException if piecewise and whole tokenization differ
     */
    public TrainingSequence encode(RenderedConversation conversation) {
        String text = conversation.text();
        int[] ids = new int[0];
        boolean[] mask = new boolean[0];
        int at = 0;
        for (RenderedConversation.CharSpan span : conversation.lossSpans()) {
            int[] before = tokenizer.encode(text.substring(at, span.start()));
            int[] inside = tokenizer.encode(text.substring(span.start(), span.end()));
            ids = concat(concat(ids, before), inside);
            mask = Arrays.copyOf(mask, ids.length);
            Arrays.fill(mask, ids.length - inside.length, ids.length, true);
            at = span.end();
        }
        ids = concat(ids, tokenizer.encode(text.substring(at)));
        mask = Arrays.copyOf(mask, ids.length);
        int[] whole = tokenizer.encode(text);
        if (!Arrays.equals(ids, whole)) {
            int t = firstDifference(ids, whole);
            throw new IllegalArgumentException("the tokenizer joins characters across an assistant turn's boundary"
                    + " (token " + t + " differs when the turn is tokenized apart from its context), so the loss"
                    + " mask cannot be placed exactly; use a template whose turns start and end on token"
                    + " boundaries (data.chat_template: chatml)");
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

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int firstDifference(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return n;
    }
}
