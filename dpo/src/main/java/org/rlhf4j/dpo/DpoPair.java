package org.rlhf4j.dpo;

import java.util.Arrays;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.datasets.TokenizedPair;
import org.rlhf4j.datasets.TrainingSequence;

/**
 * One preference pair as DPO reads it: the shared prompt tokens and the two response tokens,
 * fitted to the sequence budget. The response is the last run of loss-masked tokens of a
 * {@link TokenizedPair}'s sequence (the final assistant turn: content and end-of-turn marker);
 * everything before it is the prompt, anything after it (the template's trailing newline) is
 * not scored.
 *
 * <p>Fitting (TRL's {@code truncation_mode: keep_end} for the prompt): a pair whose prompt plus
 * longer response exceeds {@code maxSeqLen} first loses the start of its prompt, down to
 * {@code maxPromptLen} tokens, then the ends of its responses, so that prompt + response fits.
 * A pair that fits is untouched.
 *
 * @param index the pair's row in the reference log-prob table (train pairs first, then eval)
 * @param prompt prompt tokens (P), shared by both responses
 * @param chosen chosen response tokens (A_c >= 1)
 * @param rejected rejected response tokens (A_r >= 1)
 * @param truncated whether fitting cut anything
 * @param source where the pair was read ({@code FILE:LINE}) or null
 */
public record DpoPair(int index, int[] prompt, int[] chosen, int[] rejected, boolean truncated, String source) {

    public DpoPair {
        if (prompt.length == 0) {
            throw new UserException(where(source) + "the prompt is empty");
        }
        if (chosen.length == 0 || rejected.length == 0) {
            throw new UserException(where(source) + "a response is empty");
        }
    }

    /**
     * Whether the chosen and rejected responses are the same tokens, as truncation can make them:
     * such a pair has loss log 2 and no gradient, whatever the model.
     */
    public boolean identical() {
        return Arrays.equals(chosen, rejected);
    }

    /** Tokens of the longer of the two sequences, prompt included (what batching groups by). */
    public int longerLength() {
        return prompt.length + Math.max(chosen.length, rejected.length);
    }

    /**
     * Splits and fits {@code pair}.
     *
     * @param index the pair's row in the reference table
     * @param maxSeqLen longest prompt + response, in tokens
     * @param maxPromptLen the prompt keeps at least its last this many tokens when the pair is too long
     * @throws IllegalArgumentException if a sequence has no response tokens or the two sequences do not
     *     share the prompt
     */
    public static DpoPair of(TokenizedPair pair, int index, int maxSeqLen, int maxPromptLen) {
        if (maxPromptLen < 1 || maxPromptLen >= maxSeqLen) {
            throw new UserException("dpo.max_prompt_len must be in [1, train.max_seq_len), got "
                    + maxPromptLen + " with max_seq_len " + maxSeqLen);
        }
        String source = pair.pair() == null ? null : pair.pair().source();
        int[] chosenSpan = lastLossSpan(pair.chosen(), source, "chosen");
        int[] rejectedSpan = lastLossSpan(pair.rejected(), source, "rejected");
        int[] prompt = Arrays.copyOf(pair.chosen().ids(), chosenSpan[0]);
        if (!Arrays.equals(prompt, Arrays.copyOf(pair.rejected().ids(), rejectedSpan[0]))) {
            throw new UserException(where(source) + "the chosen and rejected sequences do not share the"
                    + " same prompt tokens");
        }
        int[] chosen = Arrays.copyOfRange(pair.chosen().ids(), chosenSpan[0], chosenSpan[1]);
        int[] rejected = Arrays.copyOfRange(pair.rejected().ids(), rejectedSpan[0], rejectedSpan[1]);
        boolean truncated = false;
        if (prompt.length + Math.max(chosen.length, rejected.length) > maxSeqLen) {
            truncated = true;
            if (prompt.length > maxPromptLen) { // keep the end of the prompt: the turn being answered
                prompt = Arrays.copyOfRange(prompt, prompt.length - maxPromptLen, prompt.length);
            }
            int room = maxSeqLen - prompt.length;
            chosen = Arrays.copyOf(chosen, Math.min(chosen.length, room));
            rejected = Arrays.copyOf(rejected, Math.min(rejected.length, room));
        }
        return new DpoPair(index, prompt, chosen, rejected, truncated, source);
    }

    /** [start, end) of the last run of loss tokens. */
    private static int[] lastLossSpan(TrainingSequence sequence, String source, String side) {
        boolean[] mask = sequence.lossMask();
        int end = mask.length;
        while (end > 0 && !mask[end - 1]) {
            end--;
        }
        if (end == 0) {
            throw new UserException(where(source) + "the " + side + " sequence has no response tokens");
        }
        int start = end;
        while (start > 0 && mask[start - 1]) {
            start--;
        }
        if (start == 0) {
            throw new UserException(where(source) + "the " + side + " sequence has no prompt tokens");
        }
        return new int[] {start, end};
    }

    private static String where(String source) {
        return source == null ? "" : source + ": ";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DpoPair p && index == p.index && truncated == p.truncated && Arrays.equals(prompt, p.prompt)
                && Arrays.equals(chosen, p.chosen) && Arrays.equals(rejected, p.rejected)
                && java.util.Objects.equals(source, p.source);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(prompt) + Arrays.hashCode(chosen)) + Arrays.hashCode(rejected) + index;
    }

    @Override
    public String toString() {
        return "DpoPair[" + index + ", prompt " + prompt.length + ", chosen " + chosen.length + ", rejected "
                + rejected.length + (truncated ? ", truncated" : "") + "]";
    }
}
