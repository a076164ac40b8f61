package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class SequencePackerTest {

    private static TrainingSequence example(int length, int id) {
        int[] ids = new int[length];
        boolean[] mask = new boolean[length];
        for (int i = 0; i < length; i++) {
            ids[i] = id;
            mask[i] = i % 2 == 1;
        }
        return TrainingSequence.of(ids, mask);
    }

    @Test
    void bestFitDecreasing() {
        // lengths 3, 6, 2, 4, 5 into rows of 8; sorted: 6(b) 5(e) 4(d) 3(a) 2(c)
        // 6 -> row0 (room 2); 5 -> row1 (room 3); 4 -> row2 (room 4); 3 -> row1 (fits room 3 exactly);
        // 2 -> row0 (room 2, the tightest fit)
        List<TrainingSequence> rows = SequencePacker.pack(List.of(example(3, 1), example(6, 2), example(2, 3),
                example(4, 4), example(5, 5)), 8);
        assertEquals(3, rows.size());
        assertArrayEquals(new int[] {2, 2, 2, 2, 2, 2, 3, 3}, rows.get(0).ids());
        assertArrayEquals(new int[] {0, 6}, rows.get(0).segmentStarts());
        assertArrayEquals(new boolean[] {false, true, false, true, false, true, false, true}, rows.get(0).lossMask());
        assertArrayEquals(new int[] {5, 5, 5, 5, 5, 1, 1, 1}, rows.get(1).ids());
        assertArrayEquals(new int[] {0, 5}, rows.get(1).segmentStarts());
        assertArrayEquals(new int[] {4, 4, 4, 4}, rows.get(2).ids());
        assertArrayEquals(new int[] {0}, rows.get(2).segmentStarts());
    }

    @Test
    void rejectsExamplesLongerThanTheRow() {
        assertThrows(IllegalArgumentException.class, () -> SequencePacker.pack(List.of(example(9, 1)), 8));
    }
}
