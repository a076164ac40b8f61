package org.rlhf4j.core.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.model.LlamaModel;

/**
 * Per-token log-probabilities of given sequences under a causal LM, in right-padded batches:
 * {@code logprobs[t-1] = log p(ids[t] | ids[<t])}, so a sequence of length n gets n - 1 values.
 */
public final class SequenceLogprobs {

    private static final NDIndex ALL_BUT_LAST = new NDIndex(":, :-1");
    private static final NDIndex ALL_BUT_FIRST = new NDIndex(":, 1:");

    private SequenceLogprobs() {}

    /** Scores {@code sequences} in batches of {@code batchSize}, each batch in its own sub-manager. */
    public static List<float[]> compute(LlamaModel model, NDManager parent, List<int[]> sequences, int batchSize) {
        List<float[]> out = new ArrayList<>(sequences.size());
        for (int start = 0; start < sequences.size(); start += batchSize) {
            List<int[]> batch = sequences.subList(start, Math.min(sequences.size(), start + batchSize));
            try (NDManager scope = parent.newSubManager()) {
                out.addAll(batch(model, scope, batch));
            }
        }
        return out;
    }

    private static List<float[]> batch(LlamaModel model, NDManager scope, List<int[]> rows) {
        int width = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        if (width < 2) {
            return rows.stream().map(r -> new float[0]).toList();
        }
        long[] ids = new long[rows.size() * width];
        long[] mask = new long[rows.size() * width];
        for (int b = 0; b < rows.size(); b++) {
            int[] row = rows.get(b);
            for (int t = 0; t < row.length; t++) {
                ids[b * width + t] = row[t];
                mask[b * width + t] = 1;
            }
        }
        Shape shape = new Shape(rows.size(), width);
        NDArray idArray = scope.create(ids, shape); // (B, T)
        NDArray maskArray = scope.create(mask, shape); // (B, T)
        NDArray logits = model.logits(model.hidden(idArray, maskArray)); // (B, T, V)
        NDArray logps = LlamaModel.tokenLogps(logits.get(ALL_BUT_LAST), idArray.get(ALL_BUT_FIRST)); // (B, T-1)
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
