package org.rlhf4j.core.scoring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.rlhf4j.core.config.UserException;

/**
 * How a no-grad scoring pass (log-probs, reward scores) groups rows into forward passes: rows
 * sorted by length and packed while the padded batch, rows x longest row, stays within
 * {@code maxTokens} and {@code maxRows}. A fixed row count in file order lets one long row
 * inflate its whole batch (the attention arrays grow as rows x T^2); sorting puts rows of similar
 * length together, and the budget makes a batch of long rows hold fewer of them. A row longer
 * than the budget is scored alone. Callers return results in input order.
 *
 * @param maxTokens padded tokens per forward pass (at least 1)
 * @param maxRows rows per forward pass (at least 1)
 */
public record TokenBudget(int maxTokens, int maxRows) {

    /** The command-line default: 4096 padded tokens, at most 64 rows. */
    public static final TokenBudget DEFAULT = new TokenBudget(4096, 64);

    public TokenBudget {
        if (maxTokens < 1) {
            throw new UserException("--max-batch-tokens must be at least 1, got " + maxTokens);
        }
        if (maxRows < 1) {
            throw new UserException("--batch-size must be at least 1, got " + maxRows);
        }
    }

    /** At most {@code rows} rows per pass, whatever their length (still sorted by length). */
    public static TokenBudget rows(int rows) {
        return new TokenBudget(Integer.MAX_VALUE, rows);
    }

    /**
     * The forward passes for rows of the given lengths: each an array of row indices (into
     * {@code lengths}) in ascending length order; together they hold every row once.
     */
    public List<int[]> batches(int[] lengths) {
        int[] order = IntStream.range(0, lengths.length).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> lengths[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
        List<int[]> batches = new ArrayList<>();
        int start = 0;
        while (start < order.length) {
            int end = start + 1; // one row always fits, however long
            // ascending order: the row at end is the longest of [start, end]
            while (end < order.length && end - start < maxRows
                    && (long) (end - start + 1) * Math.max(1, lengths[order[end]]) <= maxTokens) {
                end++;
            }
            int[] batch = new int[end - start];
            System.arraycopy(order, start, batch, 0, batch.length);
            batches.add(batch);
            start = end;
        }
        return batches;
    }
}
