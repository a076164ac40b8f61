package org.rlhf4j.datasets;

/**
 * A preference pair as token sequences: the same rendered prompt followed by each response.
 * In both sequences the loss mask marks the response tokens (content and the template's end of
 * turn), which is what DPO sums log-probabilities over; a reward model reads its score at the
 * last token of each sequence.
 *
 * @param chosen prompt + chosen response
 * @param rejected prompt + rejected response
 * @param pair the pair it came from (degree, margin, condition for metrics and losses)
 */
public record TokenizedPair(TrainingSequence chosen, TrainingSequence rejected, PreferencePair pair) {}
