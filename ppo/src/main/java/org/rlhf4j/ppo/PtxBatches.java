package org.rlhf4j.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.LmHeadLogps;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.TrainingRun;
import org.rlhf4j.datasets.BatchCollator;
import org.rlhf4j.datasets.BatchOrder;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.SftDataset;
import org.rlhf4j.datasets.TokenBatch;
import org.rlhf4j.datasets.TrainingSequence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PPO-ptx's pretraining batches: {@code ppo.ptx_data} read as {@code rlhf4j pretrain} reads its text
 * (every token a target, documents split into chunks of {@code train.max_seq_len}), served as a
 * stream of {@code mini_batch_size}-row batches, one per PPO minibatch step, in the seeded order of
 * {@link BatchOrder} (each epoch reshuffled from {@code (seed, epoch)}). The stream's position is all
 * a checkpoint needs to continue it ({@link PpoState#ptxPosition}).
 */
final class PtxBatches {

    private static final Logger LOG = LoggerFactory.getLogger(PtxBatches.class);

    private final double coef;
    private final List<TrainingSequence> rows;
    private final BatchOrder order;
    private final BatchCollator collator;
    private BatchOrder.Position position;

    private PtxBatches(double coef, List<TrainingSequence> rows, BatchOrder order, BatchCollator collator,
            BatchOrder.Position position) {
        this.coef = coef;
        this.rows = rows;
        this.order = order;
        this.collator = collator;
        this.position = position;
    }

    /**
     * The batches of {@code config}'s {@code ppo.ptx_data} from {@code position} (null: the start), or null
     * when {@code ppo.ptx_coef} is 0.
     */
    static PtxBatches open(PpoConfig config, TrainingRun run, BatchOrder.Position position) throws IOException {
        PpoOptions.Ptx ptx = config.ppo().ptx();
        if (!ptx.enabled()) {
            return null;
        }
        PretrainedModel policy = run.model();
        DataConfig data = new DataConfig(ptx.data(), null, null, config.data().onBadRecord(), null, null, null, null,
                null);
        int maxSeqLen = config.train().maxSeqLen();
        SftDataset dataset = SftDataset.load(data, policy.tokenizer(), ChatTemplate.CHATML, maxSeqLen, true,
                config.seed());
        LOG.info("ppo.ptx_data: {}", dataset.report().summary());
        run.requireWithinPositions(dataset.train().stream().mapToInt(TrainingSequence::length).max().orElse(0),
                "a chunk of ppo.ptx_data " + ptx.data(), "lower train.max_seq_len (the ptx chunk length) to at most %d");
        int batchSize = config.update().miniBatchSize();
        Integer pad = policy.tokenizer().padId().isPresent() ? Integer.valueOf(policy.tokenizer().padId().getAsInt())
                : policy.config().padTokenId();
        return new PtxBatches(ptx.coef(), dataset.train(), new BatchOrder(dataset.train(), batchSize, false,
                config.seed()), new BatchCollator(pad != null ? pad : 0, policy.config().effectiveSlidingWindow()),
                position != null ? position : new BatchOrder.Position(0, 0));
    }

    /** {@code ppo.ptx_coef}. */
    double coef() {
        return coef;
    }

    /** The next batch to read. */
    BatchOrder.Position position() {
        return position;
    }

    /**
     * The LM loss ({@link PtxLoss}) of {@code model} on the next batch, in the graph when grad mode is on;
     * the stream moves on by one batch.
     */
    NDArray nextLoss(LlamaModel model, NDManager manager) {
        List<TrainingSequence> batch = new ArrayList<>();
        for (int i : order.rowsAt(position)) {
            batch.add(rows.get(i));
        }
        position = order.next(position);
        TokenBatch tokens = collator.collate(batch, manager);
        NDArray hidden = model.hidden(tokens.ids(), tokens.positionIds(), tokens.attentionBias(), null); // (B, T, D)
        return PtxLoss.of(LmHeadLogps.nextTokenLogps(model, hidden, tokens.ids()), tokens.targetMask()); // ()
    }
}
