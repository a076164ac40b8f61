package org.rlhf4j.core.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.ModelWeights;

/** Batching by a token budget (sorted, packed, results in input order) changes no log-prob. */
class SequenceTokenLogpsTest {

    @Test
    void tokenBudgetBatchesOfLongRowsEqualBatchOne() {
        LlamaConfig config = LlamaConfig.parse("{\"hidden_size\":32,\"intermediate_size\":64,\"num_hidden_layers\":2,"
                + "\"num_attention_heads\":4,\"num_key_value_heads\":2,\"vocab_size\":50,\"rms_norm_eps\":1e-5,"
                + "\"max_position_embeddings\":1024}");
        SplittableRandom random = new SplittableRandom(5);
        List<int[]> rows = new ArrayList<>();
        for (int length : new int[] {700, 3, 1, 450, 640, 2, 120, 700, 515}) { // long, short, length 1
            rows.add(random.ints(length, 0, 50).toArray());
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaModel model = new LlamaModel(ModelWeights.random(config, manager, 3));
            List<float[]> alone = SequenceTokenLogps.compute(model, manager, rows, 1);
            List<float[]> packed = SequenceTokenLogps.compute(model, manager, rows, new TokenBudget(1500, 64));
            assertEquals(rows.size(), packed.size());
            for (int i = 0; i < rows.size(); i++) {
                assertEquals(Math.max(0, rows.get(i).length - 1), packed.get(i).length, "row " + i);
                for (int t = 0; t < packed.get(i).length; t++) {
                    assertEquals(alone.get(i)[t], packed.get(i)[t], 1e-5, "row " + i + " token " + t);
                }
            }
            assertTrue(alone.get(0)[0] < 0);
        }
    }
}
