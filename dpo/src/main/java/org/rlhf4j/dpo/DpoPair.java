package org.rlhf4j.dpo;

import java.util.Arrays;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.datasets.TokenizedPair;
import org.rlhf4j.datasets.TrainingSequence;

/**
 * One preference pair as DPO reads it: the shared prompt tokens and the two response tokens,
 * fitted to the sequence budget. The response runs from the first to the last loss-masked token of
 * a {@link TokenizedPair}'s sequence (the response's assistant turns: content and end-of-turn
 * marker); everything before it is the prompt, anything after it (the template's trailing newline)
 * is not scored. A response of several turns (tool call, tool result, answer) holds tokens that are
 * not scored, the tool result and the template's headers: {@code chosenScored}/{@code
 * rejectedScored} mark the scored ones, as the SFT loss mask does.
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
 * @param chosenScored (A_c) which chosen tokens are scored, or null when all are
 * @param rejectedScored (A_r) which rejected tokens are scored, or null when all are
 */
public record DpoPair(int index, int[] prompt, int[] chosen, int[] rejected, boolean truncated, String source,
        boolean[] chosenScored, boolean[] rejectedScored) {

    public DpoPair {
        if (prompt.length == 0) {
            throw new UserException(where(source) + "the prompt is empty");
        }
        if (chosen.length == 0 || rejected.length == 0) {
            throw new UserException(where(source) + "a response is empty");
        }
        if ((chosenScored != null && chosenScored.length != chosen.length)
                || (rejectedScored != null && rejectedScored.length != rejected.length)) {
            throw new IllegalArgumentException("a scored-token mask differs in length from its response");
        }
    }

    /** A pair whose response tokens are all scored (one-turn responses). */
    public DpoPair(int index, int[] prompt, int[] chosen, int[] rejected, boolean truncated, String source) {
        this(index, prompt, chosen, rejected, truncated, source, null, null);
    }

    /** Scored chosen tokens (all of them for a one-turn response). */
    public int chosenScoredTokens() {
        return count(chosenScored, chosen.length);
    }

    /** Scored rejected tokens. */
    public int rejectedScoredTokens() {
        return count(rejectedScored, rejected.length);
    }

    private static int count(boolean[] scored, int length) {
        if (scored == null) {
            return length;
        }
        int n = 0;
        for (boolean b : scored) {
            n += b ? 1 : 0;
        }
        return n;
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
        int[] chosenSpan = responseSpan(pair.chosen(), source, "chosen");
        int[] rejectedSpan = responseSpan(pair.rejected(), source, "rejected");
        int[] prompt = Arrays.copyOf(pair.chosen().ids(), chosenSpan[0]);
        if (!Arrays.equals(prompt, Arrays.copyOf(pair.rejected().ids(), rejectedSpan[0]))) {
            throw new UserException(where(source) + "the chosen and rejected sequences do not share the"
                    + " same prompt tokens");
        }
        int[] chosen = Arrays.copyOfRange(pair.chosen().ids(), chosenSpan[0], chosenSpan[1]);
        int[] rejected = Arrays.copyOfRange(pair.rejected().ids(), rejectedSpan[0], rejectedSpan[1]);
        boolean[] chosenScored = scored(pair.chosen(), chosenSpan);
        boolean[] rejectedScored = scored(pair.rejected(), rejectedSpan);
        boolean truncated = false;
        if (prompt.length + Math.max(chosen.length, rejected.length) > maxSeqLen) {
            truncated = true;
            if (prompt.length > maxPromptLen) { // keep the end of the prompt: the turn being answered
                prompt = Arrays.copyOfRange(prompt, prompt.length - maxPromptLen, prompt.length);
            }
            int room = maxSeqLen - prompt.length;
            chosen = Arrays.copyOf(chosen, Math.min(chosen.length, room));
            rejected = Arrays.copyOf(rejected, Math.min(rejected.length, room));
            chosenScored = chosenScored == null ? null : Arrays.copyOf(chosenScored, chosen.length);
            rejectedScored = rejectedScored == null ? null : Arrays.copyOf(rejectedScored, rejected.length);
        }
        return new DpoPair(index, prompt, chosen, rejected, truncated, source, chosenScored, rejectedScored);
    }

    /** [start, end) from the first to the last loss token. */
    private static int[] responseSpan(TrainingSequence sequence, String source, String side) {
        boolean[] mask = sequence.lossMask();
        int end = mask.length;
        while (end > 0 && !mask[end - 1]) {
            end--;
        }
        if (end == 0) {
            throw new UserException(where(source) + "the " + side + " sequence has no response tokens");
        }
        int start = 0;
        while (!mask[start]) {
            start++;
        }
        if (start == 0) {
            throw new UserException(where(source) + "the " + side + " sequence has no prompt tokens");
        }
        return new int[] {start, end};
    }

    /** The loss mask over {@code span}, or null when every token of it is in the loss. */
    private static boolean[] scored(TrainingSequence sequence, int[] span) {
        boolean[] scored = Arrays.copyOfRange(sequence.lossMask(), span[0], span[1]);
        for (boolean b : scored) {
            if (!b) {
                return scored;
            }
        }
        return null;
    }

    private static String where(String source) {
        return source == null ? "" : source + ": ";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DpoPair p && index == p.index && truncated == p.truncated && Arrays.equals(prompt, p.prompt)
                && Arrays.equals(chosen, p.chosen) && Arrays.equals(rejected, p.rejected)
                && java.util.Objects.equals(source, p.source) && Arrays.equals(chosenScored, p.chosenScored)
                && Arrays.equals(rejectedScored, p.rejectedScored);
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
