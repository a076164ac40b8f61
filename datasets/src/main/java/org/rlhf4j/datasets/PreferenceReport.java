package org.rlhf4j.datasets;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.rlhf4j.datasets.io.BadRecords;

/**
 * What loading a preference data set did: records read, skipped and dropped, and each split's
 * pairs by preference degree and condition. {@link #summary()} is the text a trainer logs.
 *
 * @param template the chat template used ({@code chatml}, {@code jinja})
 * @param maxSeqLen the sequence length limit; {@code Integer.MAX_VALUE} for none (not printed)
 * @param records valid records read from the train and eval files
 * @param skipped bad records left out under {@code on_bad_record: skip}
 * @param skipReasons the first few skip messages ({@code FILE:LINE: ...})
 * @param droppedTooLong pairs left out because a sequence exceeded {@code maxSeqLen}
 * @param train statistics of the training split
 * @param eval statistics of the evaluation split (all zero when there is none)
 * @param recordFormat the record format read and how it was chosen ({@code alpaca (detected by
 *     data.format auto from the keys of FILE:1)}), or null (nothing read, or .txt)
 */
public record PreferenceReport(
        String template,
        int maxSeqLen,
        int records,
        int skipped,
        List<String> skipReasons,
        int droppedTooLong,
        SplitStats train,
        SplitStats eval,
        String recordFormat) {

    public PreferenceReport {
        skipReasons = List.copyOf(skipReasons);
    }

    /**
     * Size of one split.
     *
     * @param pairs pairs in the split
     * @param tokens tokens over both sequences of every pair
     * @param longest the longest sequence, in tokens
     * @param byDegree pairs per {@code preference} ({@code none} for pairs without one)
     * @param byCondition pairs per {@code condition} ({@code none} for pairs without one)
     */
    public record SplitStats(int pairs, long tokens, int longest, Map<String, Integer> byDegree,
            Map<String, Integer> byCondition) {

        public SplitStats {
            byDegree = Map.copyOf(byDegree);
            byCondition = Map.copyOf(byCondition);
        }

        /** Statistics of the given pairs. */
        public static SplitStats of(List<TokenizedPair> pairs) {
            long tokens = 0;
            int longest = 0;
            Map<String, Integer> degrees = new TreeMap<>();
            Map<String, Integer> conditions = new TreeMap<>();
            for (TokenizedPair p : pairs) {
                tokens += p.chosen().length() + p.rejected().length();
                longest = Math.max(longest, Math.max(p.chosen().length(), p.rejected().length()));
                degrees.merge(p.pair().preference() == null ? "none" : p.pair().preference(), 1, Integer::sum);
                conditions.merge(p.pair().condition() == null ? "none" : p.pair().condition(), 1, Integer::sum);
            }
            return new SplitStats(pairs.size(), tokens, longest, degrees, conditions);
        }
    }

    /** A few lines for logs: counts per split, drops, skips and the first skip reasons. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        // Integer.MAX_VALUE: nothing dropped for length here (DPO truncates pairs itself later)
        s.append(String.format(Locale.ROOT, "data: %d preference records, template %s%s%n", records, template,
                maxSeqLen == Integer.MAX_VALUE ? "" : ", max_seq_len " + maxSeqLen));
        if (recordFormat != null) {
            s.append("  format: ").append(recordFormat).append('\n');
        }
        line(s, "train", train);
        if (eval.pairs() > 0) {
            line(s, "eval", eval);
        }
        s.append(String.format(Locale.ROOT, "  dropped (longer than max_seq_len) %d, skipped (bad records) %d%n",
                droppedTooLong, skipped));
        if (droppedTooLong > 0) {
            // A silent loss of a quarter of the data (measured on the demo's conditional set at
            // max_seq_len 160) skews what the model learns; say so where the user looks.
            int kept = train.pairs() + eval.pairs();
            s.append(String.format(Locale.ROOT, "  warning: %d of %d pairs (%.0f%%) are longer than max_seq_len %d and"
                    + " are not trained or evaluated on; raise train.max_seq_len to keep them%n", droppedTooLong,
                    kept + droppedTooLong, 100.0 * droppedTooLong / (kept + droppedTooLong), maxSeqLen));
        }
        s.append(BadRecords.describe(skipped, skipReasons));
        return s.toString();
    }

    private static void line(StringBuilder s, String name, SplitStats stats) {
        s.append(String.format(Locale.ROOT, "  %s: %d pairs, %d tokens, longest sequence %d; by degree %s; by"
                + " condition %s%n", name, stats.pairs(), stats.tokens(), stats.longest(), new TreeMap<>(stats.byDegree()),
                new TreeMap<>(stats.byCondition())));
    }
}
