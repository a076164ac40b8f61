package org.rlhf4j.datasets;

import java.util.List;
import java.util.Locale;
import org.rlhf4j.datasets.io.BadRecords;

/**
 * What loading a data set did: how many records were read, skipped, truncated and dropped, and the
 * size of each split before and after packing. {@link #summary()} is the text the trainer logs and
 * {@code rlhf4j data inspect} prints.
 *
 * @param format {@code conversation} (SFT) or {@code plain text} (pretraining)
 * @param template the chat template used ({@code chatml}, {@code jinja}; {@code none} for plain text)
 * @param maxSeqLen the row length limit
 * @param records valid records read from the train and eval files (plain text: documents)
 * @param skipped bad records left out under {@code on_bad_record: skip}
 * @param skipReasons the first few skip messages ({@code FILE:LINE: ...})
 * @param truncated conversations longer than {@code maxSeqLen}, cut at the end
 * @param split plain-text documents longer than {@code maxSeqLen}, split into several examples
 * @param droppedNoLoss examples left out because no loss token remained after truncation
 * @param train statistics of the training split
 * @param eval statistics of the evaluation split (all zero when there is none)
 * @param recordFormat the record format read and how it was chosen ({@code alpaca (detected by
 *     data.format auto from the keys of FILE:1)}), or null (nothing read, or .txt)
 */
public record DataReport(
        String format,
        String template,
        int maxSeqLen,
        int records,
        int skipped,
        List<String> skipReasons,
        int truncated,
        int split,
        int droppedNoLoss,
        SplitStats train,
        SplitStats eval,
        String recordFormat) {

    public DataReport {
        skipReasons = List.copyOf(skipReasons);
    }

    /**
     * Size of one split.
     *
     * @param examples examples (conversations or text chunks) in the split
     * @param rows rows the trainer batches: equal to {@code examples} without packing
     * @param tokens tokens over all rows
     * @param lossTokens loss targets over all rows
     * @param longest the longest row, in tokens
     */
    public record SplitStats(int examples, int rows, long tokens, long lossTokens, int longest) {

        /** Statistics of the given rows. */
        public static SplitStats of(List<TrainingSequence> rows) {
            int examples = 0;
            long tokens = 0;
            long loss = 0;
            int longest = 0;
            for (TrainingSequence r : rows) {
                examples += r.segmentStarts().length;
                tokens += r.length();
                loss += r.lossTokens();
                longest = Math.max(longest, r.length());
            }
            return new SplitStats(examples, rows.size(), tokens, loss, longest);
        }

        /** Share of {@code rows x maxSeqLen} slots holding tokens (how well packing filled the rows). */
        public double fill(int maxSeqLen) {
            return rows == 0 ? 0 : (double) tokens / ((double) rows * maxSeqLen);
        }
    }

    /** A few lines for logs: counts per split, truncation, drops, skips and the first skip reasons. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "data: %d %s records, template %s, max_seq_len %d%n", records, format,
                template, maxSeqLen));
        if (recordFormat != null) {
            s.append("  format: ").append(recordFormat).append('\n');
        }
        line(s, "train", train);
        if (eval.rows() > 0) {
            line(s, "eval", eval);
        }
        s.append(String.format(Locale.ROOT, "  truncated %d, split %d, dropped (no loss tokens left) %d, skipped (bad"
                + " records) %d%n", truncated, split, droppedNoLoss, skipped));
        s.append(BadRecords.describe(skipped, skipReasons));
        return s.toString();
    }

    private void line(StringBuilder s, String name, SplitStats stats) {
        s.append(String.format(Locale.ROOT, "  %s: %d examples in %d rows, %d tokens (%d in the loss), longest row %d,"
                + " fill %.1f%%%n", name, stats.examples(), stats.rows(), stats.tokens(), stats.lossTokens(),
                stats.longest(), 100 * stats.fill(maxSeqLen)));
    }
}
