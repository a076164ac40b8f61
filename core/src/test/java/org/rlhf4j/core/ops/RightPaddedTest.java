package org.rlhf4j.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class RightPaddedTest {

    @Test
    void padsEveryRowToTheLongest() {
        RightPadded p = RightPadded.of(List.of(new int[] {5, 6, 7}, new int[] {8}, new int[] {9, 10}), -1, 0);
        assertEquals(3, p.rows());
        assertEquals(3, p.width());
        assertEquals(new Shape(3, 3), p.shape());
        assertEquals(1, p.length(1));
        assertArrayEquals(new long[] {5, 6, 7, 8, -1, -1, 9, 10, -1}, p.ids());
        assertArrayEquals(new long[] {1, 1, 1, 1, 0, 0, 1, 1, 0}, p.mask());
    }

    @Test
    void minimumWidthPadsEmptyAndLengthOneRows() {
        RightPadded p = RightPadded.of(List.of(new int[] {}, new int[] {4}), 0, 2);
        assertEquals(2, p.width());
        assertArrayEquals(new long[] {0, 0, 4, 0}, p.ids());
        assertArrayEquals(new long[] {0, 0, 1, 0}, p.mask());
        RightPadded none = RightPadded.of(List.of(), 0, 1);
        assertEquals(new Shape(0, 1), none.shape());
    }

    @Test
    void arraysAreInt64WithTheBatchShape() {
        try (NDManager m = NDManager.newBaseManager()) {
            RightPadded p = RightPadded.of(List.of(new int[] {1, 2}, new int[] {3}), 0, 0);
            assertEquals(new Shape(2, 2), p.idArray(m).getShape());
            assertArrayEquals(new long[] {1, 2, 3, 0}, p.idArray(m).toLongArray());
            assertArrayEquals(new long[] {1, 1, 1, 0}, p.maskArray(m).toLongArray());
        }
    }
}
