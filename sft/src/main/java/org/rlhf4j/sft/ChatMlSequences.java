package org.rlhf4j.sft;

import java.util.Arrays;
import java.util.List;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.ChatMlTemplate;
import org.rlhf4j.datasets.TrainingSequence;

/**
 * Tokenizes ChatML conversations and plain text into {@link TrainingSequence}s with their loss
 * masks: in a conversation the targets are each assistant turn's content and its closing
 * {@code <|im_end|>}, never the {@code <|im_start|>role\n} header, the newline after
 * {@code <|im_end|>}, or system and user turns. Each piece is encoded on its own, which is exact
 * for the byte tokenizer and for tokenizers whose special tokens split the text; the datasets
 * module's template renderer is the general path. Sequences longer than {@code maxSeqLen} keep
 * their first {@code maxSeqLen} tokens.
 */
public final class ChatMlSequences {

    private ChatMlSequences() {}

    /** A conversation with targets on assistant tokens ({@code completionOnly}) or on every token after the first. */
    public static TrainingSequence conversation(List<ChatMessage> messages, Tokenizer tokenizer, boolean completionOnly,
            int maxSeqLen) {
        Builder out = new Builder();
        for (ChatMessage m : messages) {
            boolean target = !completionOnly || m.role().equals("assistant");
            out.add(tokenizer.encode(ChatMlTemplate.IM_START + m.role() + "\n"), !completionOnly);
            out.add(tokenizer.encode(m.content()), target);
            out.add(tokenizer.encode(ChatMlTemplate.IM_END), target);
            out.add(tokenizer.encode("\n"), !completionOnly);
        }
        return out.build(maxSeqLen);
    }

    /** Plain text with every token after the first a target (pretraining); no EOS is appended. */
    public static TrainingSequence text(String text, Tokenizer tokenizer, int maxSeqLen) {
        Builder out = new Builder();
        out.add(tokenizer.encode(text), true);
        return out.build(maxSeqLen);
    }

    private static final class Builder {
        private int[] ids = new int[64];
        private boolean[] mask = new boolean[64];
        private int size;

        void add(int[] pieceIds, boolean target) {
            if (size + pieceIds.length > ids.length) {
                int capacity = Math.max(size + pieceIds.length, ids.length * 2);
                ids = Arrays.copyOf(ids, capacity);
                mask = Arrays.copyOf(mask, capacity);
            }
            System.arraycopy(pieceIds, 0, ids, size, pieceIds.length);
            Arrays.fill(mask, size, size + pieceIds.length, target);
            size += pieceIds.length;
        }

        TrainingSequence build(int maxSeqLen) {
            int length = Math.min(size, maxSeqLen);
            if (length == 0) {
                throw new IllegalArgumentException("empty sequence");
            }
            boolean[] m = Arrays.copyOf(mask, length);
            m[0] = false; // nothing predicts the first token
            return TrainingSequence.of(Arrays.copyOf(ids, length), m);
        }
    }
}
