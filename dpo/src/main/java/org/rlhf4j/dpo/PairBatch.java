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
 * @param chosenTokens (B) float32, scored response tokens of each chosen row (for per-token averages)
 * @param rejectedTokens (B) float32, scored response tokens of each rejected row
 * @param scored (2B, A) float32, 1 at the scored response tokens, or null when every response token
 *     is scored (one-turn responses); a tool result inside a response is 0
 */
public record PairBatch(RolloutBatch rows, List<DpoPair> pairs, NDArray chosenTokens, NDArray rejectedTokens,
        NDArray scored) {

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
            chosenTokens[i] = p.chosenScoredTokens();
        }
        for (int i = 0; i < b; i++) {
            DpoPair p = pairs.get(i);
            prompts.add(p.prompt());
            responses.add(p.rejected());
            rejectedTokens[i] = p.rejectedScoredTokens();
        }
        RolloutBatch rows = RolloutBatch.of(prompts, responses, tokenizer, manager);
        return new PairBatch(rows, List.copyOf(pairs), manager.create(chosenTokens), manager.create(rejectedTokens),
                scoredMask(pairs, responses, manager));
    }

    /** (2B, A) 1 at scored response tokens, 0 at unscored ones and pads; null when nothing is unscored. */
    private static NDArray scoredMask(List<DpoPair> pairs, List<int[]> responses, NDManager manager) {
        if (pairs.stream().allMatch(p -> p.chosenScored() == null && p.rejectedScored() == null)) {
            return null;
        }
        int b = pairs.size();
        int a = responses.stream().mapToInt(r -> r.length).max().orElse(0);
        float[] mask = new float[2 * b * a];
        for (int row = 0; row < 2 * b; row++) {
            DpoPair p = pairs.get(row % b);
            boolean[] scored = row < b ? p.chosenScored() : p.rejectedScored();
            for (int t = 0; t < responses.get(row).length; t++) {
                mask[row * a + t] = scored == null || scored[t] ? 1f : 0f;
            }
        }
        return manager.create(mask, new ai.djl.ndarray.types.Shape(2L * b, a));
    }

    /** B, the number of pairs. */
    public int size() {
        return pairs.size();
    }

    /** Scored chosen response tokens of the batch, counted on the Java side. */
    public long chosenTokenCount() {
        return pairs.stream().mapToLong(DpoPair::chosenScoredTokens).sum();
    }

    /**
     * {@code model}'s log-probs of each response summed over its tokens, (B) chosen and (B)
     * rejected, float32. Inside a gradient collector the result is in the graph and its
     * intermediates live in a sub-manager of {@code manager} (close it after backward); outside,
     * only the results remain.
     */
    public SequenceLogps sequenceLogps(LlamaModel model, NDManager manager) {
        NDArray tokens = RolloutScorer.logps(model, rows, 1.0, manager); // (2B, A), 0 at pads
        if (scored != null) {
            tokens = tokens.mul(scored); // tool results inside a response are context, not scored
        }
        NDArray summed = tokens.sum(new int[] {1}); // (2B)
        int b = size();
        return new SequenceLogps(summed.get(new NDIndex("0:{}", b)), summed.get(new NDIndex("{}:", b)));
    }
}
