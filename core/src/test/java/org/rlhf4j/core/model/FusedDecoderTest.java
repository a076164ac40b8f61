package org.rlhf4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rlhf4j.core.model.TinyModels.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FusedDecoderTest {

    // Row 1 is left-padded, as the rollout engine batches prompts.
    private static final long[][] IDS = {{4, 9, 13, 7, 30, 2, 11}, {0, 0, 21, 6, 44, 19, 1}};
    private static final long[][] MASK = {{1, 1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 1}};

    @ParameterizedTest
    @ValueSource(strings = {
        ",\"num_key_value_heads\":2",
        ",\"num_key_value_heads\":1,\"model_type\":\"qwen2\"",
        ",\"model_type\":\"mistral\",\"sliding_window\":3",
        ",\"tie_word_embeddings\":true,\"rope_theta\":500000.0"})
    void stepsEqualTheFullForwardPassFloat32(String extraJson) {
        LlamaConfig config = TinyModels.config(extraJson);
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaModel model = new LlamaModel(withNonUnitGains(ModelWeights.random(config, m, 5), m));
            assertStepsMatch(model, 1e-5f);
        }
    }

    @Test
    void stepsEqualTheFullForwardPassFloat16() {
        LlamaConfig config = TinyModels.config(",\"num_key_value_heads\":2");
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights f32 = withNonUnitGains(ModelWeights.random(config, m, 6), m);
            Map<String, NDArray> f16 = new LinkedHashMap<>();
            f32.asMap().forEach((name, t) -> f16.put(name, t.toType(DataType.FLOAT16, false)));
            // (The PyTorch engine has no bfloat16 arrays, DJL-NOTES item 1.) Folding the gains rounds
            // once where the model rounds twice, so the two agree to float16 precision only.
            assertStepsMatch(new LlamaModel(ModelWeights.of(config, f16)), 2e-2f);
        }
    }

    @Test
    void aScalarHeadModelCannotDecode() {
        LlamaConfig config = TinyModels.config(",\"architectures\":[\"LlamaForSequenceClassification\"],\"num_labels\":1");
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaModel model = new LlamaModel(ModelWeights.random(config, m, 1));
            assertThrows(IllegalArgumentException.class, () -> FusedDecoder.of(model, m));
        }
    }

    /** Prefills 3 slots with the general path, then compares each fused step with the full pass. */
    static void assertStepsMatch(LlamaModel model, float tolerance) {
        LlamaConfig config = model.config();
        int window = config.effectiveSlidingWindow();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ids = m.create(IDS);
            NDArray mask = m.create(MASK);
            NDArray expected = model.logits(model.hidden(ids, mask)).toType(DataType.FLOAT32, false); // (2, 7, V)
            NDArray positions = AttentionMask.positionIds(mask); // (2, 7)
            long[][] positionRows = {positions.get(0).toLongArray(), positions.get(1).toLongArray()};
            try (PreallocatedKvCache cache = PreallocatedKvCache.create(m, config, 2, 8, model.weights().dataType());
                    FusedDecoder fused = FusedDecoder.of(model, m)) {
                int prefill = 3;
                NDIndex first = new NDIndex(":, 0:{}", prefill);
                model.hidden(ids.get(first), positions.get(first), AttentionMask.bias(mask.get(first), prefill, window),
                        cache);
                for (int t = prefill; t < 7; t++) {
                    // over the filled slots and the new one, [0, t]
                    int keys = t + 1;
                    float[] bias = new float[2 * keys];
                    for (int b = 0; b < 2; b++) {
                        for (int j = 0; j < keys; j++) {
                            boolean visible = j <= t && MASK[b][j] != 0 && j > t - window;
                            bias[b * keys + j] = visible ? 0 : AttentionMask.MASKED;
                        }
                    }
                    try (NDManager step = m.newSubManager()) {
                        NDArray logits = fused.step(new long[] {IDS[0][t], IDS[1][t]},
                                new long[] {positionRows[0][t], positionRows[1][t]}, bias, cache, step); // (2, V)
                        assertClose(expected.get(new NDIndex(":, {}", t)), logits, tolerance, "position " + t);
                    }
                }
                assertEquals(7, cache.length());
                assertThrows(IllegalArgumentException.class,
                        () -> fused.step(new long[] {1, 2}, new long[] {7, 5}, new float[2 * 8 + 2], cache, m),
                        "a bias over more than the filled slots and the new one");
            }
        }
    }

    /** Random init leaves every norm gain at 1, which would hide a gain folded into the wrong axis. */
    private static ModelWeights withNonUnitGains(ModelWeights weights, NDManager m) {
        Map<String, NDArray> tensors = new LinkedHashMap<>(weights.asMap());
        tensors.replaceAll((name, t) -> name.endsWith("norm.weight")
                ? m.randomUniform(0.5f, 1.5f, t.getShape(), t.getDataType()) : t);
        return ModelWeights.of(weights.config(), tensors);
    }
}
