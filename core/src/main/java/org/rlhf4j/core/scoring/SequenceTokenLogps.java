package org.rlhf4j.core.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.LmHeadLogps;
import org.rlhf4j.core.ops.RightPadded;

/**
 * Per-token log-probabilities of given sequences under a causal LM, in right-padded batches:
 * {@code logps[t-1] = log p(ids[t] | ids[<t])}, so a sequence of length n gets n - 1 values.
 */
public final class SequenceTokenLogps {

    private SequenceTokenLogps() {}

    /** Scores {@code sequences} in batches of {@code batchSize} rows, grouped by length. */
    public static List<float[]> compute(LlamaModel model, NDManager parent, List<int[]> sequences, int batchSize) {
        return compute(model, parent, sequences, TokenBudget.rows(batchSize));
    }

    /**
     * Scores {@code sequences} in forward passes grouped by {@code budget}, each in its own
     * sub-manager; the results are in input order.
     */
    public static List<float[]> compute(LlamaModel model, NDManager parent, List<int[]> sequences,
            TokenBudget budget) {
        float[][] out = new float[sequences.size()][];
        for (int[] batch : budget.batches(sequences.stream().mapToInt(s -> s.length).toArray())) {
            List<int[]> rows = new ArrayList<>(batch.length);
            for (int i : batch) {
                rows.add(sequences.get(i));
            }
            try (NDManager scope = parent.newSubManager()) {
                List<float[]> scored = batch(model, scope, rows);
                for (int j = 0; j < batch.length; j++) {
                    out[batch[j]] = scored.get(j);
                }
            }
        }
        return Arrays.asList(out);
    }

    private static List<float[]> batch(LlamaModel model, NDManager scope, List<int[]> rows) {
        RightPadded padded = RightPadded.of(rows, 0, 0);
        int width = padded.width();
        if (width < 2) {
            return rows.stream().map(r -> new float[0]).toList();
        }
        NDArray idArray = padded.idArray(scope); // (B, T)
        NDArray maskArray = padded.maskArray(scope); // (B, T)
        NDArray hidden = model.hidden(idArray, maskArray); // (B, T, D)
        NDArray logps = LmHeadLogps.nextTokenLogps(model, hidden, idArray); // (B, T-1); chunked: (B, T, V) never at once
        float[] flat = logps.toFloatArray();
        List<float[]> out = new ArrayList<>(rows.size());
        for (int b = 0; b < rows.size(); b++) {
            int n = Math.max(0, rows.get(b).length - 1);
            float[] row = new float[n];
            System.arraycopy(flat, b * (width - 1), row, 0, n);
            out.add(row);
        }
        return out;
    }
}
