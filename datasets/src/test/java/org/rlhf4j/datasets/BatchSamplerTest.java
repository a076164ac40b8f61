package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {

    private static int[] lengths(int n) {
        Random r = new Random(42);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = 1 + r.nextInt(500);
        }
        return out;
    }

    @Test
    void everyRowOncePerEpochAndEpochsDiffer() {
        for (boolean grouped : new boolean[] {false, true}) {
            BatchSampler sampler = new BatchSampler(lengths(1003), 4, grouped, 7);
            assertEquals(251, sampler.batchesPerEpoch()); // ceil(1003 / 4)
            int[] seen = new int[1003];
            for (int[] b : sampler.epoch(0)) {
                for (int row : b) {
                    seen[row]++;
                }
            }
            assertTrue(Arrays.stream(seen).allMatch(c -> c == 1));
            assertFalse(Arrays.deepEquals(sampler.epoch(0).toArray(), sampler.epoch(1).toArray()));
        }
    }

    @Test
    void sameSeedSameBatchesAcrossInstances() {
        List<int[]> a = new BatchSampler(lengths(300), 8, true, 5).epoch(2);
        List<int[]> b = new BatchSampler(lengths(300), 8, true, 5).epoch(2);
        List<int[]> c = new BatchSampler(lengths(300), 8, true, 6).epoch(2);
        assertTrue(Arrays.deepEquals(a.toArray(), b.toArray()));
        assertFalse(Arrays.deepEquals(a.toArray(), c.toArray()));
    }

    @Test
    void resumingAtBatchKOfEpochEContinuesTheUninterruptedRun() {
        BatchSampler uninterrupted = new BatchSampler(lengths(50), 4, true, 11);
        List<BatchSampler.Batch> run = new ArrayList<>();
        Iterator<BatchSampler.Batch> it = uninterrupted.from(0, 0);
        for (int i = 0; i < 40; i++) { // 13 batches per epoch: crosses into epoch 3
            run.add(it.next());
        }
        // a fresh sampler (as after a restart) resumed at epoch 1, batch 5 = step 13 + 5 = 18
        Iterator<BatchSampler.Batch> resumed = new BatchSampler(lengths(50), 4, true, 11).from(1, 5);
        for (int i = 18; i < 40; i++) {
            BatchSampler.Batch b = resumed.next();
            assertEquals(run.get(i).epoch(), b.epoch());
            assertEquals(run.get(i).index(), b.index());
            assertArrayEquals(run.get(i).rows(), b.rows());
        }
        assertEquals(3, run.get(39).epoch());
        assertEquals(0, run.get(39).index()); // 39 = 3 * 13 + 0
    }

    @Test
    void lengthGroupingPutsSimilarLengthsTogether() {
        int[] lengths = lengths(2000);
        BatchSampler grouped = new BatchSampler(lengths, 8, true, 1);
        BatchSampler random = new BatchSampler(lengths, 8, false, 1);
        // padding = sum over batches of (max length * size - sum of lengths)
        assertTrue(padding(grouped.epoch(0), lengths) * 5 < padding(random.epoch(0), lengths));
    }

    private static long padding(List<int[]> batches, int[] lengths) {
        long pad = 0;
        for (int[] b : batches) {
            int max = Arrays.stream(b).map(i -> lengths[i]).max().orElse(0);
            for (int i : b) {
                pad += max - lengths[i];
            }
        }
        return pad;
    }
}
