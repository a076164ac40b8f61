package org.rlhf4j.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.scoring.TokenBudget;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.testing.TinyModels;

/** Scoring long rows in token-budget batches (sorted by length, packed) gives the batch-1 scores, in input order. */
class RewardScorerBudgetTest {

    @TempDir
    Path dir;

    @Test
    void tokenBudgetBatchesOfLongRowsScoreAsBatchOne() throws Exception {
        Path base = TinyModels.llama(dir.resolve("base"), 32, 2, 3, 1024);
        SplittableRandom random = new SplittableRandom(11);
        List<TrainingSequence> rows = new ArrayList<>();
        for (int length : new int[] {900, 5, 1, 620, 880, 40, 900, 300}) {
            int[] ids = random.ints(length, 0, 256).toArray();
            rows.add(TrainingSequence.of(ids, new boolean[length]));
        }
        try (PretrainedModel rm = RewardModels.load(base, Device.cpu(), DataType.FLOAT32, 0.02, 7)) {
            float[] alone = RewardScorer.score(rm, rows, 1);
            float[] packed = RewardScorer.score(rm, rows, new TokenBudget(2000, 64));
            for (int i = 0; i < rows.size(); i++) {
                assertEquals(alone[i], packed[i], 1e-5, "row " + i + " (" + rows.get(i).length() + " tokens)");
            }
        }
    }
}
