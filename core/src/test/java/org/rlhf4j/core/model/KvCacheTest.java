package org.rlhf4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rlhf4j.core.model.TinyModels.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KvCacheTest {

    @ParameterizedTest
    @ValueSource(strings = {
        ",\"num_key_value_heads\":2",
        ",\"num_key_value_heads\":1,\"model_type\":\"qwen2\"",
        ",\"model_type\":\"mistral\",\"sliding_window\":3"})
    void tokenByTokenWithTheCacheEqualsTheFullForward(String extraJson) {
        LlamaConfig config = TinyModels.config(extraJson);
        int window = config.effectiveSlidingWindow();
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaModel model = new LlamaModel(ModelWeights.random(config, m, 21));
            // row 1 is left-padded, as the rollout engine batches prompts
            NDArray ids = m.create(new long[][] {{4, 9, 13, 7, 30, 2, 11}, {0, 0, 21, 6, 44, 19, 1}});
            NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 1}});
            NDArray full = model.hidden(ids, mask); // (2, 7, D)
            NDArray positions = AttentionMask.positionIds(mask); // (2, 7)

            try (PreallocatedKvCache cache = PreallocatedKvCache.create(m, config, 2, 8, DataType.FLOAT32)) {
                // prefill 3 slots, then one token at a time
                int prefill = 3;
                NDIndex first = new NDIndex(":, 0:{}", prefill);
                NDArray h = model.hidden(ids.get(first), positions.get(first),
                        AttentionMask.bias(mask.get(first), prefill, window), cache);
                assertEquals(prefill, cache.length());
                assertClose(full.get(new NDIndex(":, {}", prefill - 1)), h.get(new NDIndex(":, -1")), 1e-5f,
                        "prefill last position");
                for (int t = prefill; t < 7; t++) {
                    NDIndex step = new NDIndex(":, {}:{}", t, t + 1);
                    NDArray seen = mask.get(new NDIndex(":, 0:{}", t + 1)); // (B, t + 1)
                    NDArray ht = model.hidden(ids.get(step), positions.get(step),
                            AttentionMask.bias(seen, 1, window), cache); // (B, 1, D)
                    assertClose(full.get(new NDIndex(":, {}", t)), ht.get(new NDIndex(":, 0")), 1e-5f,
                            "position " + t);
                }
                assertEquals(7, cache.length());
                NDIndex two = new NDIndex(":, 0:2");
                assertThrows(IllegalStateException.class, () -> model.hidden(ids.get(two), positions.get(two),
                        AttentionMask.bias(m.ones(new ai.djl.ndarray.types.Shape(2, 9)), 2, window), cache));
            }
        }
    }
}
