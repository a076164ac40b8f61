package org.rlhf4j.dpo;

import java.util.List;

/**
 * The reference as a table of precomputed log-probs, looked up by {@link DpoPair#index}: no
 * model in memory during training.
 */
public final class CachedReference implements Reference {

    private final ReferenceLogps table;

    public CachedReference(ReferenceLogps table) {
        this.table = table;
    }

    public ReferenceLogps table() {
        return table;
    }

    @Override
    public ReferenceLogps logps(List<DpoPair> pairs) {
        float[] chosen = new float[pairs.size()];
        float[] rejected = new float[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            int row = pairs.get(i).index();
            if (row >= table.chosen().length) {
                throw new IllegalStateException("pair " + row + " is not in the reference cache of "
                        + table.chosen().length + " pairs");
            }
            chosen[i] = table.chosen()[row];
            rejected[i] = table.rejected()[row];
        }
        return new ReferenceLogps(chosen, rejected);
    }

    @Override
    public void close() {
        // nothing held but the table
    }
}
