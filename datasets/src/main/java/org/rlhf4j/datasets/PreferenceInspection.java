package org.rlhf4j.datasets;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@code rlhf4j data inspect} reports about preference pairs before training: sizes, length
 * histograms, the share {@code max_seq_len} would cut, duplicates, and the length bias between
 * chosen and rejected responses.
 *
 * <p>Length bias is the classic reward-hacking signal: when chosen responses are longer in most
 * pairs, a reward model can score length instead of quality and PPO then learns to ramble
 * (Singhal et al. 2023, "A Long Way to Go").
 *
 * @param pairs pairs inspected
 * @param duplicates pairs identical to an earlier one (prompt, chosen and rejected)
 * @param maxSeqLen the stage's {@code train.max_seq_len}
 * @param longerThanMax pairs whose longer sequence exceeds {@code maxSeqLen} (the reward trainer drops them, DPO cuts them)
 * @param chosenLonger pairs whose chosen response has more tokens than the rejected one
 * @param rejectedLonger pairs whose rejected response has more tokens
 * @param meanLengthDifference mean of chosen minus rejected response tokens
 * @param sequences histogram of whole sequence lengths (prompt + response), chosen and rejected together
 * @param chosenResponses histogram of chosen response lengths
 * @param rejectedResponses histogram of rejected response lengths
 */
public record PreferenceInspection(int pairs, int duplicates, int maxSeqLen, int longerThanMax, int chosenLonger,
        int rejectedLonger, double meanLengthDifference, LengthHistogram sequences, LengthHistogram chosenResponses,
        LengthHistogram rejectedResponses) {

    /** Share of pairs with a longer chosen response above which the summary warns. */
    static final double BIAS_WARNING = 0.6;

    /** Inspects tokenized pairs (response length = the tokens in the loss mask). */
    public static PreferenceInspection of(List<TokenizedPair> pairs, int maxSeqLen) {
        Set<List<Object>> seen = new HashSet<>();
        int duplicates = 0;
        int longer = 0;
        int chosenLonger = 0;
        int rejectedLonger = 0;
        long difference = 0;
        int[] sequences = new int[2 * pairs.size()];
        int[] chosen = new int[pairs.size()];
        int[] rejected = new int[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            TokenizedPair p = pairs.get(i);
            if (!seen.add(List.of(p.pair().prompt(), p.pair().chosen(), p.pair().rejected()))) {
                duplicates++;
            }
            sequences[2 * i] = p.chosen().length();
            sequences[2 * i + 1] = p.rejected().length();
            if (Math.max(p.chosen().length(), p.rejected().length()) > maxSeqLen) {
                longer++;
            }
            chosen[i] = p.chosen().lossTokens();
            rejected[i] = p.rejected().lossTokens();
            chosenLonger += chosen[i] > rejected[i] ? 1 : 0;
            rejectedLonger += rejected[i] > chosen[i] ? 1 : 0;
            difference += chosen[i] - rejected[i];
        }
        return new PreferenceInspection(pairs.size(), duplicates, maxSeqLen, longer, chosenLonger, rejectedLonger,
                pairs.isEmpty() ? 0 : (double) difference / pairs.size(), LengthHistogram.of(sequences),
                LengthHistogram.of(chosen), LengthHistogram.of(rejected));
    }

    /** The report {@code data inspect} prints. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "pairs: %d, duplicates %d (%s)%n", pairs, duplicates, percent(duplicates)));
        s.append(String.format(Locale.ROOT, "longer than max_seq_len %d: %d (%s)%n", maxSeqLen, longerThanMax,
                percent(longerThanMax)));
        s.append("sequence length (prompt + response, tokens):\n").append(sequences.render());
        s.append("chosen response length:\n").append(chosenResponses.render());
        s.append("rejected response length:\n").append(rejectedResponses.render());
        s.append(String.format(Locale.ROOT, "length bias: chosen longer in %s of pairs, rejected longer in %s, equal in"
                + " %s; mean chosen - rejected %+.1f tokens%n", percent(chosenLonger), percent(rejectedLonger),
                percent(pairs - chosenLonger - rejectedLonger), meanLengthDifference));
        if (pairs > 0 && (double) chosenLonger / pairs > BIAS_WARNING) {
            s.append("warning: chosen responses are longer in most pairs; a reward model can learn to prefer length over"
                    + " quality (length is the classic reward-hacking signal). Consider length-balanced pairs or a"
                    + " length penalty.\n");
        }
        return s.toString();
    }

    private String percent(int count) {
        return pairs == 0 ? "0%" : String.format(Locale.ROOT, "%.0f%%", 100.0 * count / pairs);
    }
}
