package org.rlhf4j.core.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Variable-length token rows laid out as one right-padded (B, T) batch on the Java side: row
 * {@code b}'s tokens fill columns {@code 0..n_b-1}, the pad id the rest, and the 0/1 attention
 * mask marks the real tokens. T is the longest row (at least {@code minWidth}).
 *
 * <p>The arrays are row-major and int64, ready for {@code manager.create(array, shape())}.
 */
public final class RightPadded {

    private final long[] ids;
    private final long[] mask;
    private final int[] lengths;
    private final int width;

    private RightPadded(long[] ids, long[] mask, int[] lengths, int width) {
        this.ids = ids;
        this.mask = mask;
        this.lengths = lengths;
        this.width = width;
    }

    /**
     * Pads {@code rows} on the right with {@code padId} to the longest row's length, or to
     * {@code minWidth} if that is longer (0 for no minimum).
     */
    public static RightPadded of(List<int[]> rows, long padId, int minWidth) {
        int b = rows.size();
        int[] lengths = new int[b];
        int width = Math.max(0, minWidth);
        for (int r = 0; r < b; r++) {
            lengths[r] = rows.get(r).length;
            width = Math.max(width, lengths[r]);
        }
        long[] ids = new long[b * width];
        long[] mask = new long[b * width];
        for (int r = 0; r < b; r++) {
            int[] row = rows.get(r);
            int base = r * width;
            for (int t = 0; t < width; t++) {
                if (t < row.length) {
                    ids[base + t] = row[t];
                    mask[base + t] = 1;
                } else {
                    ids[base + t] = padId;
                }
            }
        }
        return new RightPadded(ids, mask, lengths, width);
    }

    /** B, the number of rows. */
    public int rows() {
        return lengths.length;
    }

    /** T, the padded length. */
    public int width() {
        return width;
    }

    /** The unpadded length of row {@code b}. */
    public int length(int b) {
        return lengths[b];
    }

    /** (B, T). */
    public Shape shape() {
        return new Shape(rows(), width);
    }

    /** The token ids, row-major (B * T), pads set to the pad id; the caller must not modify it. */
    public long[] ids() {
        return ids;
    }

    /** The 0/1 mask, row-major (B * T), 1 at real tokens; the caller must not modify it. */
    public long[] mask() {
        return mask;
    }

    /** The ids as a (B, T) int64 array in {@code manager}. */
    public NDArray idArray(NDManager manager) {
        return manager.create(ids, shape());
    }

    /** The mask as a (B, T) int64 array in {@code manager}. */
    public NDArray maskArray(NDManager manager) {
        return manager.create(mask, shape());
    }
}
