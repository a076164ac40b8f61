package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.ops.MaskedReductions;

class LossAggregationTest {

    @Test
    void theThreeModesOnRowsOfDifferentLengths() {
        try (NDManager m = NDManager.newBaseManager()) {
            // row 0: tokens [1, 2, 3] all valid; row 1: [4, junk, junk] one valid; row 2: no valid token
            NDArray loss = m.create(new float[] {1, 2, 3, 4, 50, 60, 70, 80, 90}, new Shape(3, 3)); // (B, A)
            NDArray mask = m.create(new float[] {1, 1, 1, 1, 0, 0, 0, 0, 0}, new Shape(3, 3)); // (B, A)
            // token_mean: (1 + 2 + 3 + 4) / 4 = 2.5
            assertEquals(2.5, LossAggregation.TOKEN_MEAN.aggregate(loss, mask, 8).getFloat(), 1e-6);
            // seq_mean_token_mean: rows with tokens: mean(2, 4) = 3; the empty row does not count
            assertEquals(3.0, LossAggregation.SEQ_MEAN_TOKEN_MEAN.aggregate(loss, mask, 8).getFloat(), 1e-6);
            // seq_mean_token_sum_norm: 10 / (3 rows * L 8) = 0.4166667, whatever the widths
            assertEquals(10 / 24.0, LossAggregation.SEQ_MEAN_TOKEN_SUM_NORM.aggregate(loss, mask, 8).getFloat(),
                    1e-6);
        }
    }

    @Test
    void tokenMeanIsThePpoLossMean() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray loss = m.create(new float[] {0.3f, -1.7f, 2.9f}, new Shape(1, 3));
            NDArray mask = m.create(new float[] {1, 1, 0}, new Shape(1, 3));
            assertEquals(MaskedReductions.mean(loss, mask).getFloat(),
                    LossAggregation.TOKEN_MEAN.aggregate(loss, mask, 3).getFloat(), 0);
        }
    }
}
