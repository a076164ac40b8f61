package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchOrderTest {

    private static List<TrainingSequence> rows(int n) {
        return IntStream.range(0, n)
                .mapToObj(i -> TrainingSequence.of(new int[i + 2], new boolean[i + 2]))
                .toList();
    }

    @Test
    void everyRowOncePerEpochAndResumableFromAPosition() {
        BatchOrder order = new BatchOrder(rows(10), 4, false, 7); // 3 batches: 4, 4, 2
        assertEquals(3, order.batchesPerEpoch());
        BatchOrder.Position p = new BatchOrder.Position(0, 0);
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        for (int i = 0; i < 3; i++) {
            for (int row : order.rowsAt(p)) {
                seen.add(row);
            }
            p = order.next(p);
        }
        assertEquals(new BatchOrder.Position(1, 0), p);
        assertEquals(10, seen.size());
        // a fresh instance (a resumed process) reads the same batch at the same position
        assertArrayEquals(order.rowsAt(new BatchOrder.Position(1, 2)),
                new BatchOrder(rows(10), 4, false, 7).rowsAt(new BatchOrder.Position(1, 2)));
        assertEquals(0.5, order.epochProgress(new BatchOrder.Position(0, 1)) * 3 / 2, 1e-9);
    }
}
