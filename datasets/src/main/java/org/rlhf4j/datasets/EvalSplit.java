package org.rlhf4j.datasets;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.rlhf4j.core.config.UserException;

/** The seeded held-out split of {@code data.eval_fraction}, the same for every kind of record. */
final class EvalSplit {

    private EvalSplit() {}

    /**
     * Moves a seeded random {@code fraction} of {@code all} (at least one record) to {@code eval} and
     * returns the rest; both keep file order. A fraction of 0 or less returns {@code all}.
     *
     * @param file the training file, for the message when nothing would be left to train on
     * @param unit what a record is called in that message ("records", "pairs")
     */
    static <T> List<T> splitOff(List<T> all, double fraction, long seed, List<T> eval, String file, String unit) {
        if (fraction <= 0) {
            return all;
        }
        int n = all.size();
        int evalCount = Math.max(1, (int) Math.round(fraction * n));
        if (evalCount >= n) {
            throw new UserException(file + ": data.eval_fraction " + fraction + " of " + n + " " + unit
                    + " leaves nothing to train on");
        }
        int[] order = BatchSampler.permutation(n, new Random(seed));
        boolean[] held = new boolean[n];
        for (int i = 0; i < evalCount; i++) {
            held[order[i]] = true;
        }
        List<T> train = new ArrayList<>(n - evalCount);
        for (int i = 0; i < n; i++) {
            (held[i] ? eval : train).add(all.get(i));
        }
        return train;
    }
}
