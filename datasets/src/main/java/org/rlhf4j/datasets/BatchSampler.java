package org.rlhf4j.datasets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Orders training rows into batches, epoch after epoch, as a pure function of (seed, epoch): the
 * batches of an epoch are the same however often or from wherever they are asked for, so a trainer
 * resumed at batch {@code k} of epoch {@code e} sees exactly the batches an uninterrupted run would.
 *
 * <p>Each epoch shuffles the rows with {@code Random(seed, epoch)}. With length grouping it then cuts
 * the shuffled rows into mega-batches of {@value #MEGA_BATCHES} batches, sorts each mega-batch by
 * length (longest first, stable), cuts it into batches and shuffles the order of all the epoch's
 * batches, so that a batch holds rows of similar length (little padding) while batch order stays
 * random. Every row appears exactly once per epoch; one batch per epoch (the last one cut) may be smaller.
 */
public final class BatchSampler {

    /** Batches per mega-batch in length grouping. */
    public static final int MEGA_BATCHES = 50;

    private final int[] lengths;
    private final int batchSize;
    private final boolean groupByLength;
    private final long seed;
    private int cachedEpoch = -1;
    private List<int[]> cachedBatches;

    /**
     * @param lengths length of each row, in tokens (row {@code i} is index {@code i} of the data set)
     * @param batchSize rows per batch
     * @param groupByLength group rows of similar length ({@code data.group_by_length})
     * @param seed the run's seed
     */
    public BatchSampler(int[] lengths, int batchSize, boolean groupByLength, long seed) {
        if (lengths.length == 0) {
            throw new IllegalArgumentException("no rows to sample from");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.lengths = lengths.clone();
        this.batchSize = batchSize;
        this.groupByLength = groupByLength;
        this.seed = seed;
    }

    /** A sampler over the rows of a data set. */
    public static BatchSampler of(List<TrainingSequence> rows, int batchSize, boolean groupByLength, long seed) {
        return new BatchSampler(rows.stream().mapToInt(TrainingSequence::length).toArray(), batchSize,
                groupByLength, seed);
    }

    /** Number of batches in every epoch: {@code ceil(rows / batchSize)}. */
    public int batchesPerEpoch() {
        return (lengths.length + batchSize - 1) / batchSize;
    }

    /** The batches (row indices) of {@code epoch}, in order. */
    public List<int[]> epoch(int epoch) {
        return batchesOf(epoch).stream().map(int[]::clone).toList();
    }

    private synchronized List<int[]> batchesOf(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        if (epoch != cachedEpoch) {
            cachedBatches = List.copyOf(computeEpoch(epoch));
            cachedEpoch = epoch;
        }
        return cachedBatches;
    }

    /** Batch {@code index} of {@code epoch}: the row indices it holds. */
    public int[] batch(int epoch, int index) {
        if (index < 0 || index >= batchesPerEpoch()) {
            throw new IllegalArgumentException("batch index " + index + " outside [0, " + batchesPerEpoch() + ")");
        }
        return batchesOf(epoch).get(index).clone();
    }

    /**
     * Endless batches starting at batch {@code index} of {@code epoch}, continuing into the next epochs;
     * a trainer stores the position of the next batch in its checkpoint and resumes from it.
     */
    public Iterator<Batch> from(int epoch, int index) {
        batch(epoch, index); // validates
        return new Iterator<>() {
            int e = epoch;
            int i = index;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Batch next() {
                Batch b = new Batch(e, i, batch(e, i));
                if (++i == batchesPerEpoch()) {
                    i = 0;
                    e++;
                }
                return b;
            }
        };
    }

    /**
     * One batch and where it sits.
     *
     * @param epoch the epoch it belongs to
     * @param index its position within the epoch
     * @param rows indices of the rows it holds
     */
    public record Batch(int epoch, int index, int[] rows) {}

    private List<int[]> computeEpoch(int epoch) {
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + epoch);
        int[] order = permutation(lengths.length, random);
        List<int[]> batches = new ArrayList<>();
        if (!groupByLength) {
            cut(order, batches);
            return batches;
        }
        int mega = MEGA_BATCHES * batchSize;
        for (int from = 0; from < order.length; from += mega) {
            Integer[] chunk = Arrays.stream(Arrays.copyOfRange(order, from, Math.min(order.length, from + mega)))
                    .boxed().toArray(Integer[]::new);
            Arrays.sort(chunk, Comparator.comparingInt((Integer i) -> -lengths[i])); // stable
            cut(Arrays.stream(chunk).mapToInt(Integer::intValue).toArray(), batches);
        }
        int[] batchOrder = permutation(batches.size(), random);
        List<int[]> shuffled = new ArrayList<>(batches.size());
        for (int b : batchOrder) {
            shuffled.add(batches.get(b));
        }
        return shuffled;
    }

    private void cut(int[] order, List<int[]> batches) {
        for (int from = 0; from < order.length; from += batchSize) {
            batches.add(Arrays.copyOfRange(order, from, Math.min(order.length, from + batchSize)));
        }
    }

    /** A uniformly random permutation of {@code 0..n-1} (Fisher-Yates), fixed by {@code random}'s seed. */
    public static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
