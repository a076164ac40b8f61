package org.rlhf4j.sft;

import java.util.SplittableRandom;

/**
 * The order in which training rows are read: a stream of micro-batches, each epoch a fresh
 * permutation drawn from {@code seed + epoch}, cut into {@code ceil(rows / batchSize)} batches (the
 * last may be smaller; nothing is dropped). A position in the stream is (epoch, batch index), a
 * pure function of which no hidden RNG state exists, so a resume only needs the position.
 */
public final class BatchOrder {

    private final int rows;
    private final int batchSize;
    private final long seed;
    private int cachedEpoch = -1;
    private int[] cachedPermutation;

    public BatchOrder(int rows, int batchSize, long seed) {
        if (rows < 1) {
            throw new IllegalArgumentException("data.train: no training sequences");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("train.batch_size must be >= 1, got " + batchSize);
        }
        this.rows = rows;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** A place in the micro-batch stream: the next batch to read. */
    public record Position(int epoch, int batch) {}

    /** Micro-batches per epoch. */
    public int batchesPerEpoch() {
        return (rows + batchSize - 1) / batchSize;
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
        int[] permutation = permutation(p.epoch());
        int from = p.batch() * batchSize;
        int to = Math.min(rows, from + batchSize);
        int[] out = new int[to - from];
        System.arraycopy(permutation, from, out, 0, out.length);
        return out;
    }

    private int[] permutation(int epoch) {
        if (epoch != cachedEpoch) {
            int[] p = new int[rows];
            for (int i = 0; i < rows; i++) {
                p[i] = i;
            }
            // Fisher-Yates; SplittableRandom's algorithm is fixed by its specification, so the order
            // is the same on every JVM.
            SplittableRandom random = new SplittableRandom(seed + epoch);
            for (int i = rows - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            cachedPermutation = p;
            cachedEpoch = epoch;
        }
        return cachedPermutation;
    }
}
