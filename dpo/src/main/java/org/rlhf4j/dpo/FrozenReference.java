package org.rlhf4j.dpo;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.ProgressBar;

/**
 * The reference as a second model in memory, scored on the fly by the rollout engine's scorer
 * exactly as the policy is ({@link PairBatch#sequenceLogps}); its weights are never trained.
 * Closing it releases the model.
 */
public final class FrozenReference implements Reference {

    private final PretrainedModel model;

    /** Takes ownership of {@code model}. */
    public FrozenReference(PretrainedModel model) {
        this.model = model;
    }

    @Override
    public ReferenceLogps logps(List<DpoPair> pairs) {
        return score(model, pairs);
    }

    /** The summed response log-probs of {@code pairs} under {@code model}, without a graph. */
    static ReferenceLogps score(PretrainedModel model, List<DpoPair> pairs) {
        try (NDManager scope = model.manager().newSubManager()) { // no graph: called outside the collector
            scope.tempAttachAll(model.model().weights().asList()); // weight views made by the forward land here
            SequenceLogps out = PairBatch.of(pairs, model.tokenizer(), scope).sequenceLogps(model.model(), scope);
            return new ReferenceLogps(out.chosen().toFloatArray(), out.rejected().toFloatArray());
        }
    }

    /**
     * Scores {@code pairs} in batches of {@code batchSize} into a table indexed by {@link DpoPair#index},
     * with a progress line on stderr when the pass takes more than a few seconds.
     */
    public ReferenceLogps table(List<DpoPair> pairs, int batchSize) {
        int n = pairs.stream().mapToInt(DpoPair::index).max().orElse(-1) + 1;
        float[] chosen = new float[n];
        float[] rejected = new float[n];
        ProgressBar progress = ProgressBar.phase("reference log-probs", "rows/s", pairs.size());
        for (int from = 0; from < pairs.size(); from += batchSize) {
            List<DpoPair> slice = pairs.subList(from, Math.min(pairs.size(), from + batchSize));
            ReferenceLogps out = logps(slice);
            for (int i = 0; i < slice.size(); i++) {
                chosen[slice.get(i).index()] = out.chosen()[i];
                rejected[slice.get(i).index()] = out.rejected()[i];
            }
            progress.advance(from + slice.size());
        }
        progress.finish();
        return new ReferenceLogps(chosen, rejected);
    }

    @Override
    public void close() {
        model.close();
    }
}
