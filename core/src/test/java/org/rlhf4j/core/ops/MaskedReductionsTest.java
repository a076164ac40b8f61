package org.rlhf4j.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class MaskedReductionsTest {

    @Test
    void sumsAndMeansOnlyTheUnmaskedEntries() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[][] {{1, 2, 3}, {4, 5, 6}}); // (B=2, T=3)
            NDArray mask = m.create(new float[][] {{1, 1, 0}, {0, 1, 0}}); // (2, 3)
            // 1 + 2 + 5 = 8 over 3 entries; rows 1 + 2 = 3 and 5
            assertEquals(8f, MaskedReductions.sum(x, mask).getFloat(), 0f);
            assertArrayEquals(new float[] {3, 5}, MaskedReductions.rowSums(x, mask).toFloatArray(), 0f);
            assertEquals(8f / 3, MaskedReductions.mean(x, mask).getFloat(), 1e-7f);
        }
    }

    @Test
    void allMaskedGivesZeroNotNaN() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[][] {{7, -3}, {2, 9}}); // (2, 2)
            NDArray mask = m.create(new float[][] {{0, 0}, {1, 0}}); // (2, 2), row 0 all masked
            assertArrayEquals(new float[] {0, 2}, MaskedReductions.rowSums(x, mask).toFloatArray(), 0f);
            NDArray none = m.zeros(x.getShape()); // (2, 2)
            assertEquals(0f, MaskedReductions.sum(x, none).getFloat(), 0f);
            assertEquals(0f, MaskedReductions.mean(x, none).getFloat(), 0f); // 0 / max(0, 1)
        }
    }

    @Test
    void lengthOneRowsAndMaskedValuesChangeNothing() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray mask = m.create(new float[][] {{1}, {0}}); // (B=2, T=1)
            NDArray a = m.create(new float[][] {{0.5f}, {3}}); // (2, 1)
            NDArray b = m.create(new float[][] {{0.5f}, {-1e6f}}); // (2, 1), differs only where masked
            assertArrayEquals(new float[] {0.5f, 0}, MaskedReductions.rowSums(a, mask).toFloatArray(), 0f);
            assertEquals(MaskedReductions.mean(a, mask).getFloat(), MaskedReductions.mean(b, mask).getFloat(), 0f);
        }
    }

    @Test
    void normalisedDividesByTheStepsItemCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            // a micro-batch's summed loss 3 over the 8 items of the whole step: 0.375
            assertEquals(0.375f, MaskedReductions.normalised(m.create(3f), 8).getFloat(), 0f);
            assertThrows(IllegalArgumentException.class, () -> MaskedReductions.normalised(m.create(3f), 0));
            assertThrows(IllegalArgumentException.class,
                    () -> MaskedReductions.normalised(m.create(3f), Float.POSITIVE_INFINITY));
            assertThrows(IllegalArgumentException.class, () -> MaskedReductions.normalised(m.create(3f), Float.NaN));
        }
    }
}
