package org.rlhf4j.cli.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.rlhf4j.core.model.LmHeadLogps;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.stats.Estimate;
import org.rlhf4j.datasets.BatchCollator;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.SftDataset;
import org.rlhf4j.datasets.TokenBatch;
import org.rlhf4j.datasets.TrainingSequence;

/**
 * A "capability" metric beside the task's: a model's causal-LM loss on plain text (read as
 * {@code rlhf4j pretrain} reads it), the mean over documents of each document's mean per-token
 * negative log-likelihood, with a bootstrap interval over documents. On the text a model was
 * pretrained on, it shows how much of that the alignment stages kept (InstructGPT's alignment tax,
 * which PPO-ptx exists to pay back).
 */
public final class TextLmLoss {

    private static final int BATCH = 16;
    private static final int BOOTSTRAP_RESAMPLES = 2000;

    private TextLmLoss() {}

    /** The loss of {@code model} on {@code text}, documents cut at the model's positions. */
    public static Estimate of(Path model, Path text, Device device, long seed) throws IOException {
        try (PretrainedModel policy = PretrainedModel.load(model, device, DataType.FLOAT32)) {
            DataConfig data = new DataConfig(text.toString(), null, null, null, null, null, null, null, null);
            List<TrainingSequence> rows = SftDataset.load(data, policy.tokenizer(), ChatTemplate.CHATML,
                    policy.config().maxPositionEmbeddings(), true, seed).train();
            Integer pad = policy.config().padTokenId();
            BatchCollator collator = new BatchCollator(pad != null ? pad : 0, policy.config().effectiveSlidingWindow());
            double[] perDocument = new double[rows.size()];
            for (int from = 0; from < rows.size(); from += BATCH) {
                List<TrainingSequence> batchRows = rows.subList(from, Math.min(rows.size(), from + BATCH));
                try (NDManager scope = policy.manager().newSubManager()) {
                    TokenBatch batch = collator.collate(batchRows, scope);
                    NDArray hidden = policy.model().hidden(batch.ids(), batch.positionIds(), batch.attentionBias(),
                            null); // (B, T, D)
                    NDArray logps = LmHeadLogps.nextTokenLogps(policy.model(), hidden, batch.ids()); // (B, T-1)
                    NDArray mask = batch.targetMask().get(":, 1:"); // (B, T-1)
                    float[] nll = logps.mul(mask).sum(new int[] {1}).neg().toFloatArray(); // (B)
                    for (int i = 0; i < batchRows.size(); i++) {
                        perDocument[from + i] = nll[i] / Math.max(1, batchRows.get(i).lossTokens());
                    }
                }
            }
            return Estimate.bootstrapMean(perDocument, BOOTSTRAP_RESAMPLES, seed);
        }
    }
}
