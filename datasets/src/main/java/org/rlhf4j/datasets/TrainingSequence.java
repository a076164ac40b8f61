package org.rlhf4j.datasets;

import java.util.Arrays;

/**
 * One row of a training batch: token ids, which of them are loss targets, and where packed
 * examples start.
 *
 * @param ids token ids (T)
 * @param lossMask {@code lossMask[t]} is true when {@code ids[t]} is a target, predicted from
 *     position {@code t - 1}; always false at the first token of each segment
 * @param segmentStarts start offsets of the examples packed into this row, ascending, the first
 *     being 0; one example gives {@code [0]}. Attention and positions restart at each start.
 */
public record TrainingSequence(int[] ids, boolean[] lossMask, int[] segmentStarts) {

    public TrainingSequence {
        if (ids.length != lossMask.length) {
            throw new IllegalArgumentException("ids and lossMask differ in length: " + ids.length + " vs "
                    + lossMask.length);
        }
        if (segmentStarts.length == 0 || segmentStarts[0] != 0) {
            throw new IllegalArgumentException("segmentStarts must begin with 0");
        }
        for (int i = 0; i < segmentStarts.length; i++) {
            int s = segmentStarts[i];
            if ((i > 0 && s <= segmentStarts[i - 1]) || s >= Math.max(1, ids.length)) {
                throw new IllegalArgumentException("segmentStarts must be ascending offsets inside the row: "
                        + Arrays.toString(segmentStarts));
            }
            if (s < lossMask.length && lossMask[s]) {
                throw new IllegalArgumentException("the first token of a segment cannot be a loss target (offset " + s + ")");
            }
        }
    }

    /** A single example (no packing). */
    public static TrainingSequence of(int[] ids, boolean[] lossMask) {
        return new TrainingSequence(ids, lossMask, new int[] {0});
    }

    public int length() {
        return ids.length;
    }

    /** Number of loss targets in this row. */
    public int lossTokens() {
        int n = 0;
        for (boolean b : lossMask) {
            n += b ? 1 : 0;
        }
        return n;
    }
}
