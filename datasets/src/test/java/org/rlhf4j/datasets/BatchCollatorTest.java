package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.model.AttentionMask;

class BatchCollatorTest {

    private static final float M = AttentionMask.MASKED;

    @Test
    void padsRightAndRestartsPositionsPerSegment() {
        // Row 0: two packed examples [5 6 | 7 8 9]; row 1: one example [1 2] padded to 5.
        TrainingSequence packed = new TrainingSequence(new int[] {5, 6, 7, 8, 9},
                new boolean[] {false, true, false, true, true}, new int[] {0, 2});
        TrainingSequence single = TrainingSequence.of(new int[] {1, 2}, new boolean[] {false, true});
        try (NDManager m = NDManager.newBaseManager()) {
            TokenBatch batch = new BatchCollator(0, Integer.MAX_VALUE).collate(List.of(packed, single), m);
            assertArrayEquals(new long[] {5, 6, 7, 8, 9, 1, 2, 0, 0, 0}, batch.ids().toLongArray());
            assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, batch.attentionMask().toLongArray());
            assertArrayEquals(new long[] {0, 1, 0, 1, 2, 0, 1, 0, 0, 0}, batch.positionIds().toLongArray());
            assertArrayEquals(new float[] {0, 1, 0, 1, 1, 0, 1, 0, 0, 0}, batch.targetMask().toFloatArray());
            assertEquals(4, batch.lossTokens());
            assertEquals(3, batch.examples());
            float[] bias = batch.attentionBias().toFloatArray(); // (2, 1, 5, 5)
            // Row 0, query 3 (second token of segment 2) sees keys 2 and 3 only.
            float[] q3 = java.util.Arrays.copyOfRange(bias, 3 * 5, 4 * 5);
            assertEquals(0f, q3[2]);
            assertEquals(0f, q3[3]);
            assertEquals(true, q3[0] <= M && q3[1] <= M && q3[4] <= M);
            // Row 1, query 1 sees keys 0 and 1; padding keys are hidden.
            float[] r1q1 = java.util.Arrays.copyOfRange(bias, 25 + 5, 25 + 10);
            assertEquals(0f, r1q1[0]);
            assertEquals(0f, r1q1[1]);
            assertEquals(true, r1q1[2] <= M);
        }
    }

    @Test
    void rejectsTargetsAtSegmentStarts() {
        assertThrows(IllegalArgumentException.class, () -> new TrainingSequence(new int[] {1, 2, 3},
                new boolean[] {false, false, true}, new int[] {0, 2}));
        assertThrows(IllegalArgumentException.class, () -> TrainingSequence.of(new int[] {1}, new boolean[] {true}));
    }
}
