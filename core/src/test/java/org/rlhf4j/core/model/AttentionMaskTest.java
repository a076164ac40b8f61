package org.rlhf4j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.kernels.ScaledDotProductAttention;

class AttentionMaskTest {

    private static final float X = AttentionMask.MASKED;

    @Test
    void positionIdsCountRealTokensForLeftAndRightPadding() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray mask = m.create(new long[][] {{0, 0, 1, 1}, {1, 1, 1, 0}});
            // cumsum - 1 = [-1, -1, 0, 1] and [0, 1, 2, 2], clamped at 0
            assertArrayEquals(new long[] {0, 0, 0, 1, 0, 1, 2, 2}, AttentionMask.positionIds(mask).toLongArray());
        }
    }

    @Test
    void rightPaddedMeansEveryRowsRealTokensFormAPrefix() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertTrue(AttentionMask.rightPadded(m.create(new long[][] {{1, 1, 1}, {1, 0, 0}, {0, 0, 0}})));
            assertTrue(AttentionMask.rightPadded(m.create(new float[][] {{1}})));
            assertFalse(AttentionMask.rightPadded(m.create(new long[][] {{1, 1, 1}, {0, 1, 1}}))); // left
            assertFalse(AttentionMask.rightPadded(m.create(new long[][] {{1, 0, 1}}))); // a hole
        }
    }

    @Test
    void onlyAFullPassOverRightPaddedRowsWithoutAWindowIsMarkedCausal() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray right = m.create(new long[][] {{1, 1, 1, 0}, {1, 1, 1, 1}});
            NDArray left = m.create(new long[][] {{0, 1, 1, 1}, {1, 1, 1, 1}});
            // Marked only where a kernel reads the mark (JavaCPP's libtorch): no sync otherwise.
            boolean kernel = ScaledDotProductAttention.available(DataType.FLOAT32);
            assertEquals(kernel, AttentionMask.isCausal(AttentionMask.bias(right, 4, Integer.MAX_VALUE)));
            assertEquals(kernel, AttentionMask.isCausal(AttentionMask.bias(right, 4, 4)));
            assertFalse(AttentionMask.isCausal(AttentionMask.bias(left, 4, Integer.MAX_VALUE)));
            assertFalse(AttentionMask.isCausal(AttentionMask.bias(right, 4, 3))); // a sliding window
            assertFalse(AttentionMask.isCausal(AttentionMask.bias(right, 1, Integer.MAX_VALUE))); // a decode step
            NDArray packed = AttentionMask.bias(right, 4, Integer.MAX_VALUE).add(m.zeros(new Shape(2, 1, 4, 4)));
            assertFalse(AttentionMask.isCausal(packed)); // anything derived from the bias is a new array
        }
    }

    @Test
    void biasIsCausalMasksPaddedKeysAndHonoursTheWindow() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray mask = m.create(new float[][] {{0, 1, 1, 1}});
            float[] full = AttentionMask.bias(mask, 4, Integer.MAX_VALUE).toFloatArray();
            assertArrayEquals(new float[] {
                X, X, X, X, // query 0 sees only key 0, which is padding
                X, 0, X, X,
                X, 0, 0, X,
                X, 0, 0, 0}, full, 0f);
            // window 2: key j visible from i iff i - 2 < j <= i
            float[] windowed = AttentionMask.bias(mask, 4, 2).toFloatArray();
            assertArrayEquals(new float[] {
                X, X, X, X,
                X, 0, X, X,
                X, 0, 0, X,
                X, X, 0, 0}, windowed, 0f);
            // the last query alone (a cached decode step) gets the last row
            assertArrayEquals(new float[] {X, X, 0, 0}, AttentionMask.bias(mask, 1, 2).toFloatArray(), 0f);
        }
    }

    @Test
    void lastTokenIndexFindsTheLastRealTokenOfEachRow() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray mask = m.create(new int[][] {{0, 0, 1, 1}, {1, 1, 0, 0}, {1, 1, 1, 1}});
            assertArrayEquals(new long[] {3, 1, 3}, AttentionMask.lastTokenIndex(mask).toLongArray());
        }
    }
}
