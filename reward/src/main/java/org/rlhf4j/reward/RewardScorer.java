package org.rlhf4j.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
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

    /** Scores of {@code rows}, {@code batchSize} sequences per forward pass, without a graph. */
    public static float[] score(PretrainedModel model, List<TrainingSequence> rows, int batchSize) {
        BatchCollator collator = collator(model);
        float[] out = new float[rows.size()];
        for (int from = 0; from < rows.size(); from += batchSize) {
            int to = Math.min(rows.size(), from + batchSize);
            try (NDManager scope = model.manager().newSubManager()) {
                scope.tempAttachAll(model.model().weights().asList());
                float[] part = scores(model.model(), collator.collate(rows.subList(from, to), scope)).toFloatArray();
                System.arraycopy(part, 0, out, from, part.length);
            }
        }
        return out;
    }

    /**
     * Scores of both sequences of each pair: {@code [0]} chosen, {@code [1]} rejected; each forward
     * pass holds the chosen and rejected sequences of {@code pairsPerBatch} pairs.
     */
    public static float[][] scorePairs(PretrainedModel model, List<TokenizedPair> pairs, int pairsPerBatch) {
        float[][] out = new float[2][pairs.size()];
        for (int from = 0; from < pairs.size(); from += pairsPerBatch) {
            List<TokenizedPair> part = pairs.subList(from, Math.min(pairs.size(), from + pairsPerBatch));
            float[] both = score(model, PreferenceDataset.chosenThenRejected(part), 2 * part.size());
            System.arraycopy(both, 0, out[0], from, part.size());
            System.arraycopy(both, part.size(), out[1], from, part.size());
        }
        return out;
    }

    /** A right-padding collator for the model; padding is never attended to nor scored. */
    public static BatchCollator collator(PretrainedModel model) {
        int pad = model.tokenizer().padId().isPresent() ? model.tokenizer().padId().getAsInt()
                : model.config().padTokenId() != null ? model.config().padTokenId() : 0;
        return new BatchCollator(pad, model.config().effectiveSlidingWindow());
    }
}
