package org.rlhf4j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelWeightsTest {

    @Test
    void randomIsDeterministicForASeedAndDiffersAcrossSeeds() {
        LlamaConfig config = TinyModels.config(",\"num_key_value_heads\":2");
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights a = ModelWeights.random(config, m, 7);
            ModelWeights b = ModelWeights.random(config, m, 7);
            ModelWeights c = ModelWeights.random(config, m, 8);
            for (String name : a.asMap().keySet()) {
                assertArrayEquals(a.get(name).toFloatArray(), b.get(name).toFloatArray(), 0f, name);
            }
            assertFalse(a.get(WeightLayout.EMBED).contentEquals(c.get(WeightLayout.EMBED)));
            // Pinned so that a change of the generator (which would change every seeded fixture) is noticed.
            assertEquals(-0.013121735f, a.get(WeightLayout.EMBED).toFloatArray()[0], 0f);
        }
    }

    @Test
    void randomFollowsTransformersInitialisation() {
        LlamaConfig config = TinyModels.config(",\"attention_bias\":true,\"pad_token_id\":3");
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights w = ModelWeights.random(config, m, 0);
            assertEquals(new ArrayList<>(WeightLayout.expectedShapes(config).keySet()),
                    new ArrayList<>(w.asMap().keySet()));
            NDArray embed = w.get(WeightLayout.EMBED);
            float std = (float) Math.sqrt(embed.square().mean().getFloat() - Math.pow(embed.mean().getFloat(), 2));
            assertEquals(0.02f, std, 0.002f); // 1600 samples: std of the estimate ~0.00035
            assertEquals(0f, embed.get(3).abs().sum().getFloat(), 0f, "padding row is zero");
            assertEquals(32f, w.get("model.layers.0.input_layernorm.weight").sum().getFloat(), 0f);
            assertEquals(0f, w.get("model.layers.1.self_attn.o_proj.bias").abs().sum().getFloat(), 0f);
        }
    }

    @Test
    void parameterCountAddsEveryTensorOnce() {
        // tied: embed 50*32 + per layer (norms 2*32 + q 32*32 + k,v 2*16*32 + o 32*32 + mlp 3*64*32) + norm 32
        LlamaConfig config = TinyModels.config(",\"num_key_value_heads\":2,\"tie_word_embeddings\":true");
        try (NDManager m = NDManager.newBaseManager()) {
            long perLayer = 64 + 1024 + 1024 + 1024 + 6144;
            assertEquals(1600 + 2 * perLayer + 32, ModelWeights.random(config, m, 0).parameterCount());
        }
    }

    @Test
    void ofRejectsMissingMisShapedAndUnexpectedTensorsByName() {
        LlamaConfig config = TinyModels.config("");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> good = ModelWeights.random(config, m, 0).asMap();

            Map<String, NDArray> missing = new LinkedHashMap<>(good);
            missing.remove("model.layers.1.mlp.up_proj.weight");
            IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class,
                    () -> ModelWeights.of(config, missing));
            assertTrue(e1.getMessage().contains("model.layers.1.mlp.up_proj.weight"), e1.getMessage());

            Map<String, NDArray> wrongShape = new LinkedHashMap<>(good);
            wrongShape.put("model.norm.weight", m.ones(new Shape(31)));
            IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                    () -> ModelWeights.of(config, wrongShape));
            assertTrue(e2.getMessage().contains("'model.norm.weight'") && e2.getMessage().contains("[31]")
                    && e2.getMessage().contains("[32]"), e2.getMessage());

            Map<String, NDArray> extra = new LinkedHashMap<>(good);
            extra.put("score.weight", m.ones(new Shape(1, 32)));
            IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class,
                    () -> ModelWeights.of(config, extra));
            assertTrue(e3.getMessage().contains("score.weight"), e3.getMessage());

            IllegalArgumentException e4 = assertThrows(IllegalArgumentException.class,
                    () -> ModelWeights.of(config, good).get("lm_head.bias"));
            assertTrue(e4.getMessage().contains("lm_head.bias"), e4.getMessage());
        }
    }

    @Test
    void ofKeepsLayoutOrderWhateverTheInputOrder() {
        LlamaConfig config = TinyModels.config("");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> reversed = new LinkedHashMap<>();
            var entries = new ArrayList<>(ModelWeights.random(config, m, 0).asMap().entrySet());
            for (int i = entries.size() - 1; i >= 0; i--) {
                reversed.put(entries.get(i).getKey(), entries.get(i).getValue());
            }
            assertEquals(new ArrayList<>(WeightLayout.expectedShapes(config).keySet()),
                    new ArrayList<>(ModelWeights.of(config, reversed).asMap().keySet()));
            assertThrows(UnsupportedOperationException.class,
                    () -> ModelWeights.of(config, reversed).asMap().clear());
        }
    }
}
