package org.rlhf4j.core.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenBudgetTest {

    @Test
    void sortsByLengthAndPacksWithinTheBudget() {
        // lengths by index: 0:500 1:10 2:2000 3:20 4:480 5:10 6:5000
        int[] lengths = {500, 10, 2000, 20, 480, 10, 5000};
        List<int[]> batches = new TokenBudget(1024, 64).batches(lengths);
        // ascending: 1(10) 5(10) 3(20) 4(480) 0(500) | 2(2000) | 6(5000)
        // 10,10,20: 3 x 20 = 60; + 480: 4 x 480 = 1920 > 1024 -> cut; 480, 500: 2 x 500 = 1000 fits
        assertArrayEquals(new int[] {1, 5, 3}, batches.get(0));
        assertArrayEquals(new int[] {4, 0}, batches.get(1));
        assertArrayEquals(new int[] {2}, batches.get(2), "longer than the budget: alone");
        assertArrayEquals(new int[] {6}, batches.get(3));
        assertEquals(4, batches.size());
    }

    @Test
    void everyRowOnceAndRowCapRespected() {
        int[] lengths = new int[37];
        Arrays.setAll(lengths, i -> (i * 7919) % 97);
        List<int[]> batches = new TokenBudget(400, 5).batches(lengths);
        int[] seen = new int[lengths.length];
        for (int[] batch : batches) {
            assertTrue(batch.length <= 5);
            int longest = Arrays.stream(batch).map(i -> lengths[i]).max().getAsInt();
            assertTrue(batch.length == 1 || batch.length * longest <= 400);
            for (int i : batch) {
                seen[i]++;
            }
        }
        int[] once = new int[lengths.length];
        Arrays.fill(once, 1);
        assertArrayEquals(once, seen);
    }

    @Test
    void rowsOnlyIgnoresLengthsAndEmptyInputGivesNoBatches() {
        assertEquals(List.of(), TokenBudget.rows(4).batches(new int[0]));
        List<int[]> batches = TokenBudget.rows(2).batches(new int[] {9000, 1, 0});
        assertArrayEquals(new int[] {2, 1}, batches.get(0));
        assertArrayEquals(new int[] {0}, batches.get(1));
    }

    @Test
    void badLimitsNameTheFlag() {
        assertTrue(assertThrows(org.rlhf4j.core.config.UserException.class, () -> new TokenBudget(0, 4)).getMessage()
                .contains("--max-batch-tokens"));
        assertTrue(assertThrows(org.rlhf4j.core.config.UserException.class, () -> new TokenBudget(10, 0)).getMessage()
                .contains("--batch-size"));
    }
}
