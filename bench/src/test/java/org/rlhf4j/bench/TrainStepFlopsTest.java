package org.rlhf4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.rlhf4j.core.model.LlamaConfig;

class TrainStepFlopsTest {

    @Test
    void benchmarkShapeCountedByHand() {
        // Per layer: q 256*256 = 65,536; k, v 2 * 256*128 = 65,536; o 65,536; MLP 3 * 256*768 = 589,824
        // -> 786,432; x 4 layers = 3,145,728; + LM head 256*1024 = 262,144 -> N_mm = 3,407,872.
        // linear = 6 * 3,407,872 * (8 * 256) = 41,875,931,136
        // attention = 3 * 4 * (2 * 2 * 8 * 8 * 256^2 * 32) = 3 * 4 * 536,870,912 = 6,442,450,944
        TrainStepFlops flops = TrainStepFlops.of(TrainStepBenchmark.benchmarkConfig(256), 8, 256);
        assertEquals(3_407_872L, flops.matmulParameters());
        assertEquals(41_875_931_136.0, flops.linear(), 0);
        assertEquals(6_442_450_944.0, flops.attention(), 0);
        assertEquals(48_318_382_080.0, flops.total(), 0);
    }

    @Test
    void tiedHeadStillCountsItsMatmul() {
        // D 4, F 8, 1 layer, H 2 / KV 1 (hd 2), V 10, tied: q 4*4 = 16, k+v 2*4*2 = 16, o 16, MLP 3*4*8 = 96
        // -> 144, + head 4*10 = 40 -> N_mm = 184; B 1, T 3: linear 6 * 184 * 3 = 3,312
        // attention 3 * 1 * (4 * 1 * 2 * 9 * 2) = 432
        LlamaConfig config = LlamaConfig.parse("{\"hidden_size\":4,\"intermediate_size\":8,\"num_hidden_layers\":1,"
                + "\"num_attention_heads\":2,\"num_key_value_heads\":1,\"vocab_size\":10,\"tie_word_embeddings\":true}");
        TrainStepFlops flops = TrainStepFlops.of(config, 1, 3);
        assertEquals(184, flops.matmulParameters());
        assertEquals(3_312.0, flops.linear(), 0);
        assertEquals(432.0, flops.attention(), 0);
    }
}
