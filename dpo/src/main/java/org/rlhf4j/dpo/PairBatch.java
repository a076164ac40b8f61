package org.rlhf4j.dpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutScorer;
import org.rlhf4j.core.tokenizer.Tokenizer;

/**
 * A micro-batch of pairs in the rollout engine's layout: rows {@code 0..B-1} hold prompt +
 * chosen, rows {@code B..2B-1} prompt + rejected, prompts left-padded and responses right-padded
 * to one width, so one forward pass scores both sides. Policy and reference are scored by the
 * same {@link #sequenceLogps}, which goes through the engine's {@link RolloutScorer}: the two
 * cannot differ in masking, positions or padding.
 *
 * @param rows (2B, P + A) chosen rows then rejected rows
 * @param pairs the pairs, in row order
 * @param chosenTokens (B) float32, response tokens of each chosen row (for per-token averages)
 * @param rejectedTokens (B) float32, response tokens of each rejected row
 */
public record PairBatch(RolloutBatch rows, List<DpoPair> pairs, NDArray chosenTokens, NDArray rejectedTokens) {

    /** Lays out {@code pairs} in {@code manager}; {@code tokenizer} only decodes response texts. */
    public static PairBatch of(List<DpoPair> pairs, Tokenizer tokenizer, NDManager manager) {
        int b = pairs.size();
        List<int[]> prompts = new ArrayList<>(2 * b);
        List<int[]> responses = new ArrayList<>(2 * b);
        float[] chosenTokens = new float[b];
        float[] rejectedTokens = new float[b];
        for (int i = 0; i < b; i++) {
            DpoPair p = pairs.get(i);
            prompts.add(p.prompt());
            responses.add(p.chosen());
            chosenTokens[i] = p.chosen().length;
        }
        for (int i = 0; i < b; i++) {
            DpoPair p = pairs.get(i);
            prompts.add(p.prompt());
            responses.add(p.rejected());
            rejectedTokens[i] = p.rejected().length;
        }
        return new PairBatch(RolloutBatch.of(prompts, responses, tokenizer, manager), List.copyOf(pairs),
                manager.create(chosenTokens), manager.create(rejectedTokens));
    }

    /** B, the number of pairs. */
    public int size() {
        return pairs.size();
    }

    /** Chosen response tokens of the batch, counted on the Java side. */
    public long chosenTokenCount() {
        return pairs.stream().mapToLong(p -> p.chosen().length).sum();
    }

    /**
     * {@code model}'s log-probs of each response summed over its tokens, (B) chosen and (B)
     * rejected, float32. Inside a gradient collector the result is in the graph and its
     * intermediates live in a sub-manager of {@code manager} (close it after backward); outside,
     * only the results remain.
     */
    public SequenceLogps sequenceLogps(LlamaModel model, NDManager manager) {
        NDArray tokens = RolloutScorer.logps(model, rows, 1.0, manager); // (2B, A), 0 at pads
        NDArray summed = tokens.sum(new int[] {1}); // (2B)
        int b = size();
        return new SequenceLogps(summed.get(new NDIndex("0:{}", b)), summed.get(new NDIndex("{}:", b)));
    }
}
