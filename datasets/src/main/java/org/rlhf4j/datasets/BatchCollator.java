package org.rlhf4j.datasets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.rlhf4j.core.model.AttentionMask;
import org.rlhf4j.core.ops.RightPadded;
import org.rlhf4j.core.ops.Scalars;

/**
 * Turns training sequences into a right-padded {@link TokenBatch}. Positions and the attention
 * bias are built from per-token segment ids, so packed examples neither see each other nor
 * share position numbering, and an unpacked row is the special case of one segment.
 */
public final class BatchCollator {

    private final int padId;
    private final int slidingWindow;

    /**
     * @param padId id written into padding slots (never attended to nor scored)
     * @param slidingWindow the model's attention window ({@code LlamaConfig.effectiveSlidingWindow()})
     */
    public BatchCollator(int padId, int slidingWindow) {
        this.padId = padId;
        this.slidingWindow = slidingWindow;
    }

    /** Collates {@code rows} into arrays owned by {@code manager}. */
    public TokenBatch collate(List<TrainingSequence> rows, NDManager manager) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("cannot collate an empty batch");
        }
        RightPadded padded = RightPadded.of(rows.stream().map(TrainingSequence::ids).toList(), padId, 0);
        int b = padded.rows();
        int t = padded.width();
        long[] positions = new long[b * t];
        long[] segments = new long[b * t];
        float[] targets = new float[b * t];
        long lossTokens = 0;
        int examples = 0;
        for (int r = 0; r < b; r++) {
            TrainingSequence row = rows.get(r);
            int[] starts = row.segmentStarts();
            examples += starts.length;
            int segment = 0;
            int segmentStart = 0;
            for (int p = 0; p < t; p++) {
                int i = r * t + p;
                if (p >= row.length()) {
                    segments[i] = -1; // padding belongs to no segment
                    continue;
                }
                if (segment + 1 < starts.length && p == starts[segment + 1]) {
                    segment++;
                    segmentStart = p;
                }
                positions[i] = p - segmentStart;
                segments[i] = segment;
                if (row.lossMask()[p]) {
                    targets[i] = 1;
                    lossTokens++;
                }
            }
        }
        Shape shape = padded.shape();
        NDArray maskArray = padded.maskArray(manager); // (B, T)
        NDArray segmentArray = manager.create(segments, shape); // (B, T)
        NDArray bias = AttentionMask.bias(maskArray, t, slidingWindow); // (B, 1, T, T)
        if (examples > b) { // packed rows: a segment sees only itself (skipped otherwise: 4 arrays of B x T x T)
            bias = bias.add(segmentBias(segmentArray)); // (B, 1, T, T)
        }
        return new TokenBatch(padded.idArray(manager), maskArray, manager.create(positions, shape), bias,
                manager.create(targets, shape), lossTokens, examples);
    }

    /** 0 where query and key lie in the same segment, {@link AttentionMask#MASKED} elsewhere. */
    private static NDArray segmentBias(NDArray segments) {
        NDManager manager = segments.getManager();
        long b = segments.getShape().get(0);
        long t = segments.getShape().get(1);
        NDArray same = segments.reshape(b, 1, t, 1).eq(segments.reshape(b, 1, 1, t)); // (B, 1, T, T)
        return same.toType(DataType.FLOAT32, false).sub(1)
                .mul(Scalars.of(manager, -AttentionMask.MASKED));
    }
}
