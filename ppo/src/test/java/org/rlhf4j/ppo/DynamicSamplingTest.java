package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.rollout.Completion;
import org.rlhf4j.core.rollout.FinishReason;
import org.rlhf4j.core.rollout.RolloutBatch;

class DynamicSamplingTest {

    @Test
    void informativeGroupsFirstInRoundOrderThenTiedOnes() {
        // groups of 2. round 0: [1, 1] tied, [0, 1] informative; round 1: [0, 0] tied, [2, 3] informative
        List<double[]> scores = List.of(new double[] {1, 1, 0, 1}, new double[] {0, 0, 2, 3});
        assertEquals(List.of(new DynamicSampling.Pick(0, 1), new DynamicSampling.Pick(1, 1)),
                DynamicSampling.select(scores, 2, 2));
        // one wanted: the first informative group only
        assertEquals(List.of(new DynamicSampling.Pick(0, 1)), DynamicSampling.select(scores, 2, 1));
        // three wanted, two informative: the first tied group fills the batch
        assertEquals(List.of(new DynamicSampling.Pick(0, 1), new DynamicSampling.Pick(1, 1),
                new DynamicSampling.Pick(0, 0)), DynamicSampling.select(scores, 2, 3));
    }

    @Test
    void samplerPositionsWrapAtEpochEnds() {
        // 8 batches an epoch: batch 6 of epoch 1, 3 on -> 9 = batch 1 of epoch 2; 17 on -> 23 = batch 7 of epoch 3
        DynamicSampling.Position at = new DynamicSampling.Position(1, 6);
        assertEquals(new DynamicSampling.Position(2, 1), at.plus(3, 8));
        assertEquals(new DynamicSampling.Position(3, 7), at.plus(17, 8));
        assertEquals(new DynamicSampling.Position(1, 7), at.plus(1, 8));
    }

    @Test
    void promptsRepeatInConsecutiveRowsForTheirGroups() {
        assertArrayEquals(new int[] {5, 5, 5, 2, 2, 2}, GroupAdvantages.repeat(new int[] {5, 2}, 3));
    }

    @Test
    void tiedGroupsAreMaskedOutOfTheLoss() {
        // groups of 2: scores [1, 1] tie -> rows 0 and 1 masked; [0, 1] kept as they were
        double[][] mask = {{1, 1}, {1, 0}, {1, 1}, {1, 0}};
        double[][] out = GroupAdvantages.withoutTiedGroups(mask, new double[] {1, 1, 0, 1}, 2);
        assertArrayEquals(new double[] {0, 0}, out[0], 0);
        assertArrayEquals(new double[] {0, 0}, out[1], 0);
        assertArrayEquals(new double[] {1, 1}, out[2], 0);
        assertArrayEquals(new double[] {1, 0}, out[3], 0);
    }

    @Test
    void keptRowsKeepTheirSampledLogprobs() {
        try (NDManager m = NDManager.newBaseManager()) {
            // two rows of 1 and 2 response tokens: laid out (2, 2) with 0 at the pad
            List<Completion> rows = List.of(new Completion(new int[] {5, 6}, new int[] {7}, "x", FinishReason.EOS),
                    new Completion(new int[] {5}, new int[] {8, 9}, "yz", FinishReason.LENGTH));
            RolloutBatch batch = RolloutBatch.ofSampled(rows, List.of(new float[] {-0.5f},
                    new float[] {-1f, -2f}), 0.7, m);
            assertArrayEquals(new float[] {-0.5f, 0, -1f, -2f}, batch.logps().toFloatArray(), 0);
            assertArrayEquals(new float[] {1, 0, 1, 1}, batch.responseMask().toFloatArray(), 0);
            assertEquals(0.7, batch.temperature());
            assertEquals(FinishReason.LENGTH, batch.rows().get(1).finishReason());
        }
    }
}
