package org.rlhf4j.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.scoring.TokenBudget;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.datasets.BatchCollator;
import org.rlhf4j.datasets.PreferenceDataset;
import org.rlhf4j.datasets.TokenBatch;
import org.rlhf4j.datasets.TokenizedPair;
import org.rlhf4j.datasets.TrainingSequence;

/**
 * A reward model's scores: the scalar head at each sequence's last real token, for training
 * batches (with the graph) and for evaluation and {@code rlhf4j score} (without one, in batches).
 */
public final class RewardScorer {

    private RewardScorer() {}

    /** Scores (B) float32 of a collated right-padded batch; builds a graph inside a gradient collector. */
    public static NDArray scores(LlamaModel model, TokenBatch batch) {
        NDArray hidden = model.hidden(batch.ids(), batch.positionIds(), batch.attentionBias(), null); // (B, T, D)
        return model.lastTokenScores(hidden, batch.attentionMask()).toType(DataType.FLOAT32, false); // (B)
    }

    /** Scores of {@code rows}, at most {@code batchSize} sequences per forward pass, without a graph. */
    public static float[] score(PretrainedModel model, List<TrainingSequence> rows, int batchSize) {
        return score(model, rows, TokenBudget.rows(batchSize));
    }

    /**
     * Scores of {@code rows} in input order, without a graph, in forward passes of rows of similar
     * length grouped by {@code budget}.
     */
    public static float[] score(PretrainedModel model, List<TrainingSequence> rows, TokenBudget budget) {
        BatchCollator collator = collator(model);
        float[] out = new float[rows.size()];
        for (int[] batch : budget.batches(rows.stream().mapToInt(TrainingSequence::length).toArray())) {
            List<TrainingSequence> part = new ArrayList<>(batch.length);
            for (int i : batch) {
                part.add(rows.get(i));
            }
            try (NDManager scope = model.manager().newSubManager()) {
                scope.tempAttachAll(model.model().weights().asList());
                float[] scored = scores(model.model(), collator.collate(part, scope)).toFloatArray();
                for (int j = 0; j < batch.length; j++) {
                    out[batch[j]] = scored[j];
                }
            }
        }
        return out;
    }

    /**
     * Scores of both sequences of each pair: {@code [0]} chosen, {@code [1]} rejected; each forward
     * pass holds at most {@code 2 * pairsPerBatch} sequences of similar length.
     */
    public static float[][] scorePairs(PretrainedModel model, List<TokenizedPair> pairs, int pairsPerBatch) {
        float[] both = score(model, PreferenceDataset.chosenThenRejected(pairs), 2 * pairsPerBatch);
        float[][] out = new float[2][pairs.size()];
        System.arraycopy(both, 0, out[0], 0, pairs.size());
        System.arraycopy(both, pairs.size(), out[1], 0, pairs.size());
        return out;
    }

    /** A right-padding collator for the model; padding is never attended to nor scored. */
    public static BatchCollator collator(PretrainedModel model) {
        int pad = model.tokenizer().padId().isPresent() ? model.tokenizer().padId().getAsInt()
                : model.config().padTokenId() != null ? model.config().padTokenId() : 0;
        return new BatchCollator(pad, model.config().effectiveSlidingWindow());
    }
}
