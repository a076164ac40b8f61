package org.rlhf4j.datasets;

import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.training.StepLoop;
import org.rlhf4j.core.training.TrainerState;

/**
 * The order in which training rows are read: a stream of micro-batches, each epoch drawn afresh
 * from {@code (seed, epoch)} by a {@link BatchSampler} (length-grouped when the config asks). A
 * position in the stream is (epoch, batch index), a pure function of which no hidden RNG state
 * exists, so a resume only needs the position. Shared by every stage that trains on a fixed data
 * set (SFT sequences, DPO and reward-model pairs).
 */
public final class BatchOrder {

    private final BatchSampler sampler;

    /** An order over training sequences, grouped by their length. */
    public BatchOrder(List<TrainingSequence> rows, int batchSize, boolean groupByLength, long seed) {
        this(rows.stream().mapToInt(TrainingSequence::length).toArray(), batchSize, groupByLength, seed);
    }

    /**
     * An order over rows of the given lengths (row {@code i} has {@code lengths[i]} tokens; for a
     * pair, e.g. its longer sequence).
     */
    public BatchOrder(int[] lengths, int batchSize, boolean groupByLength, long seed) {
        if (lengths.length == 0) {
            throw new UserException("data.train: no training rows");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("train.batch_size must be >= 1, got " + batchSize);
        }
        this.sampler = new BatchSampler(lengths, batchSize, groupByLength, seed);
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

    /**
     * The row indices of the {@code microBatches} consecutive micro-batches of the optimizer step
     * that starts at {@code state}'s position, and the position after them.
     */
    public StepLoop.Read<List<int[]>> step(TrainerState state, int microBatches) {
        Position p = new Position(state.epoch(), state.batchInEpoch());
        List<int[]> rows = new ArrayList<>(microBatches);
        for (int i = 0; i < microBatches; i++) {
            rows.add(rowsAt(p));
            p = next(p);
        }
        return new StepLoop.Read<>(rows, new StepLoop.Position(p.epoch(), p.batch(), epochProgress(p)));
    }

    /** Row indices of the micro-batch at {@code p}. */
    public int[] rowsAt(Position p) {
        return sampler.batch(p.epoch(), p.batch());
    }
}
