package org.rlhf4j.dpo;

import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Chooses, for each KTO example, the completion it is paired with for the KL reference point:
 * another example's completion, from a different prompt where the data has one.
 *
 * <p>The paper and TRL mismatch within a batch ({@code (x_i, y_{i-1})}, TRL fixing the batches by
 * sequential sampling). rlhf4j shuffles batches every epoch and can precompute the reference,
 * which needs the mismatched sequences fixed before training, so the partner of each example is
 * fixed once: the examples are put in a seeded random order and each takes the completion of the
 * example before it in that order (a rotation, as TRL's within a batch), stepping further back past
 * examples with the same prompt (a pair unpaired gives two examples of one prompt). The batch
 * mean of the mismatched log-ratios still estimates the same expectation over prompts and
 * other prompts' completions.
 */
final class MismatchedCompletions {

    /** How far back the search for a different prompt goes before settling for the previous example. */
    static final int MAX_LOOK_BACK = 64;

    private MismatchedCompletions() {}

    /**
     * For each example {@code i}, the index of the example whose completion it is mismatched with:
     * never {@code i} when there are two or more examples, and one with a different prompt
     * whenever one is among the {@value #MAX_LOOK_BACK} examples before it in the seeded order.
     *
     * @param prompts a key per example (e.g. its rendered prompt); equal keys mean the same prompt
     */
    static int[] partners(List<?> prompts, long seed) {
        int n = prompts.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) { // Fisher-Yates
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] partner = new int[n];
        for (int k = 0; k < n; k++) {
            int self = order[k];
            int chosen = order[Math.floorMod(k - 1, n)];
            for (int back = 1; back < Math.min(n, MAX_LOOK_BACK); back++) {
                int candidate = order[Math.floorMod(k - back, n)];
                if (!Objects.equals(prompts.get(candidate), prompts.get(self))) {
                    chosen = candidate;
                    break;
                }
            }
            partner[self] = chosen;
        }
        return partner;
    }
}
