package org.rlhf4j.sft;

import java.util.List;
import org.rlhf4j.datasets.BatchSampler;
import org.rlhf4j.datasets.TrainingSequence;

/**
 * The order in which training rows are read: a stream of micro-batches, each epoch drawn afresh
 * from {@code (seed, epoch)} by the datasets module's {@link BatchSampler} (length-grouped when
 * the config asks). A position in the stream is (epoch, batch index), a pure function of which no
 * hidden RNG state exists, so a resume only needs the position.
 */
public final class BatchOrder {

    private final BatchSampler sampler;

    public BatchOrder(List<TrainingSequence> rows, int batchSize, boolean groupByLength, long seed) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("data.train: no training sequences");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("train.batch_size must be >= 1, got " + batchSize);
        }
        this.sampler = BatchSampler.of(rows, batchSize, groupByLength, seed);
    }

    /** A place in the micro-batch stream: the next batch to read. */
    public record Position(int epoch, int batch) {}

    /** Micro-batches per epoch. */
    public int batchesPerEpoch() {
        return sampler.batchesPerEpoch();
    }

    /** The position after {@code p}. */
    public Position next(Position p) {
        return p.batch() + 1 < batchesPerEpoch() ? new Position(p.epoch(), p.batch() + 1) : new Position(p.epoch() + 1, 0);
    }

    /** Epochs completed at {@code p}, as a fraction (the {@code epoch} metric). */
    public double epochProgress(Position p) {
        return p.epoch() + (double) p.batch() / batchesPerEpoch();
    }

    /** Row indices of the micro-batch at {@code p}. */
    public int[] rowsAt(Position p) {
        return sampler.batch(p.epoch(), p.batch());
    }
}
