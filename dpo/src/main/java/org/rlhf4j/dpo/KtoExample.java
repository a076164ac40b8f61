package org.rlhf4j.dpo;

/**
 * One KTO example as the trainer reads it: a prompt, its completion with the label, and a
 * mismatched completion (another example's, answering a different prompt) under the same prompt
 * for the KL reference point. The three token runs are held as a {@link DpoPair} whose
 * {@code chosen} is the completion and whose {@code rejected} is the mismatched completion, so
 * that fitting to {@code max_seq_len}, the reference (frozen or precomputed, and its cache) and
 * the scorer are DPO's, unchanged.
 *
 * @param sequences prompt (P), {@code chosen} = the completion (A >= 1), {@code rejected} = the
 *     mismatched completion (A' >= 1); {@code index} is the row in the reference table
 * @param desirable the label: true for a desirable completion, false for an undesirable one
 */
public record KtoExample(DpoPair sequences, boolean desirable) {

    /** The prompt's tokens. */
    public int[] prompt() {
        return sequences.prompt();
    }

    /** The labelled completion's tokens. */
    public int[] completion() {
        return sequences.chosen();
    }

    /** The mismatched completion's tokens, scored under this prompt for the KL estimate. */
    public int[] mismatched() {
        return sequences.rejected();
    }
}
