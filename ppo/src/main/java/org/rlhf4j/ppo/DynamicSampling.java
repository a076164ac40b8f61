package org.rlhf4j.ppo;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.rollout.Completion;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.datasets.BatchSampler;

/**
 * DAPO's dynamic sampling (Yu et al. 2025, eq. 11; veRL's {@code filter_groups}): a group whose
 * responses all score the same has no group advantage, so it is dropped and the batch refilled
 * with the informative groups of further prompt batches, up to {@code dynamic_sampling_rounds}
 * extra generation rounds. Groups still missing after them are filled with tied ones (the losses
 * leave those out, {@link GroupAdvantages#withoutTiedGroups}), so a batch always has its size.
 */
final class DynamicSampling {

    private DynamicSampling() {}

    /**
     * The responses an iteration learns from.
     *
     * @param batch the rollout rows, grouped by prompt
     * @param rows (B) the prompt index of each row
     * @param samplerBatches prompt batches drawn from the sampler (1 without dynamic sampling), and
     *     so generation rounds
     * @param sampledScore the mean raw score of every response generated, kept or dropped (NaN without
     *     dynamic sampling): the policy's score, where the kept batch's is biased towards 0.5
     */
    record Rollout(RolloutBatch batch, int[] rows, int samplerBatches, double sampledScore) {}

    /** One generation round: responses to {@code rows} (prompt indices, grouped) in {@code manager}, and their scores. */
    @FunctionalInterface
    interface Round {
        Sampled run(int[] rows, int round, NDManager manager);
    }

    /** A round's batch, (B) the scores its groups are judged by, (B) the raw scores. */
    record Sampled(RolloutBatch batch, double[] scores, double[] rawScores) {}

    /** A position in the prompt sampler: batch {@code batchInEpoch} of {@code epoch}. */
    record Position(int epoch, int batchInEpoch) {

        /** The position {@code n} batches on, with {@code perEpoch} batches an epoch. */
        Position plus(int n, int perEpoch) {
            int batch = batchInEpoch + n;
            return new Position(epoch + batch / perEpoch, batch % perEpoch);
        }
    }

    /** A group of {@link #select}: group {@code group} of round {@code round}. */
    record Pick(int round, int group) {}

    /**
     * Which groups make the batch: the first {@code wanted} groups, in round order, whose scores
     * (each round's (B) array, groups of {@code groupSize} rows) do not all tie; then, if too few,
     * tied groups in round order.
     */
    static List<Pick> select(List<double[]> scores, int groupSize, int wanted) {
        List<Pick> informative = new ArrayList<>();
        List<Pick> tied = new ArrayList<>();
        for (int r = 0; r < scores.size(); r++) {
            double[] std = GroupAdvantages.groupStd(scores.get(r), groupSize);
            for (int g = 0; g < std.length; g++) {
                (std[g] != 0 ? informative : tied).add(new Pick(r, g));
            }
        }
        List<Pick> picks = new ArrayList<>(informative.subList(0, Math.min(wanted, informative.size())));
        picks.addAll(tied.subList(0, Math.min(wanted - picks.size(), tied.size())));
        return picks;
    }

    /** The informative groups counted by {@link #select}'s rule in {@code scores}. */
    private static long informative(List<double[]> scores, int groupSize) {
        return scores.stream().flatMapToDouble(s -> java.util.Arrays.stream(GroupAdvantages.groupStd(s, groupSize)))
                .filter(s -> s != 0).count();
    }

    /**
     * Rounds of {@code round} over the sampler's batches from {@code start} until {@code wanted}
     * informative groups are in or {@code extraRounds} more rounds ran; the picked rows are laid out
     * afresh in {@code scope} (each round's own arrays die with the round).
     */
    static Rollout collect(BatchSampler sampler, Position start, int groupSize, int wanted, int extraRounds,
            Round round, NDManager scope) {
        List<double[]> scores = new ArrayList<>();
        List<List<Completion>> completions = new ArrayList<>();
        List<List<float[]>> logps = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        double temperature = 1;
        double rawSum = 0;
        int generated = 0;
        int rounds = 0;
        Position at = start;
        do {
            int[] rows = GroupAdvantages.repeat(sampler.batch(at.epoch(), at.batchInEpoch()), groupSize);
            try (NDManager manager = scope.newSubManager()) {
                Sampled sampled = round.run(rows, rounds, manager);
                RolloutBatch batch = sampled.batch();
                float[] flat = batch.logps().toFloatArray(); // (B * A)
                List<float[]> rowLogps = new ArrayList<>();
                for (int b = 0; b < batch.batchSize(); b++) {
                    int from = b * batch.responseLength();
                    rowLogps.add(java.util.Arrays.copyOfRange(flat, from,
                            from + batch.rows().get(b).responseIds().length));
                }
                scores.add(sampled.scores());
                rawSum += java.util.Arrays.stream(sampled.rawScores()).sum();
                generated += sampled.rawScores().length;
                completions.add(batch.rows());
                logps.add(rowLogps);
                prompts.add(rows);
                temperature = batch.temperature();
            }
            rounds++;
            at = at.plus(1, sampler.batchesPerEpoch());
        } while (informative(scores, groupSize) < wanted && rounds <= extraRounds);
        List<Completion> rows = new ArrayList<>();
        List<float[]> rowLogps = new ArrayList<>();
        List<Integer> promptRows = new ArrayList<>();
        for (Pick p : select(scores, groupSize, wanted)) {
            for (int i = p.group() * groupSize; i < (p.group() + 1) * groupSize; i++) {
                rows.add(completions.get(p.round()).get(i));
                rowLogps.add(logps.get(p.round()).get(i));
                promptRows.add(prompts.get(p.round())[i]);
            }
        }
        return new Rollout(RolloutBatch.ofSampled(rows, rowLogps, temperature, scope),
                promptRows.stream().mapToInt(Integer::intValue).toArray(), rounds, rawSum / generated);
    }
}
