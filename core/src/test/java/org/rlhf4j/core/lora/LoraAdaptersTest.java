package org.rlhf4j.core.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.ModelWeights;

/** The adapters' initialisation, forward, switch, dropout and merge on a tiny random Llama. */
class LoraAdaptersTest {

    static final LlamaConfig CONFIG = LlamaConfig.parse("{\"hidden_size\":32,\"intermediate_size\":64,"
            + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"vocab_size\":50,"
            + "\"rms_norm_eps\":1e-5,\"tie_word_embeddings\":false}");
    static final LoraConfig ALL = new LoraConfig(4, 8.0, 0.0, LoraConfig.KNOWN_TARGETS, null, null);
    private static final long[][] IDS = {{4, 9, 13, 7, 30, 2}, {0, 0, 21, 6, 44, 19}};
    private static final long[][] MASK = {{1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}};

    @Test
    void freshAdaptersArePeftsInitAndChangeNothing() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights base = ModelWeights.random(CONFIG, m, 3);
            try (LoraAdapters adapters = LoraAdapters.create(ALL, base, m, 7)) {
                assertEquals(2 * 7, adapters.adapters().size());
                for (LoraAdapter adapter : adapters.adapters()) {
                    float[] a = adapter.a().toFloatArray();
                    long in = adapter.a().getShape().get(1);
                    double bound = 1 / Math.sqrt(in); // kaiming_uniform_(a=sqrt(5)): gain sqrt(1/3) * sqrt(3/fan_in)
                    double sumSq = 0;
                    for (float v : a) {
                        assertTrue(Math.abs(v) <= bound, adapter.module() + ": |A| " + v + " > " + bound);
                        sumSq += v * v;
                    }
                    // U(-b, b) has variance b^2/3; 128 or more draws land within a third of it
                    assertEquals(bound * bound / 3, sumSq / a.length, bound * bound / 9, adapter.module());
                    for (float v : adapter.b().toFloatArray()) {
                        assertEquals(0f, v, adapter.module() + ": B starts at zero");
                    }
                }
                assertArrayEquals(logits(new LlamaModel(base), m), logits(new LlamaModel(base, adapters), m));
            }
        }
    }

    @Test
    void mergedWeightsAreWPlusScaledBaComputedByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights base = ModelWeights.random(CONFIG, m, 3);
            try (LoraAdapters adapters = LoraAdapters.create(ALL, base, m, 7)) {
                randomiseB(adapters, m);
                Map<String, NDArray> merged = adapters.merge(base, m);
                String name = "model.layers.1.self_attn.k_proj.weight"; // (16, 32): a GQA projection
                LoraAdapter adapter = adapters.adapter(1, "k_proj");
                float[] w = base.get(name).toFloatArray();
                float[] a = adapter.a().toFloatArray(); // (4, 32)
                float[] b = adapter.b().toFloatArray(); // (16, 4)
                float[] got = merged.get(name).toFloatArray();
                for (int o = 0; o < 16; o++) {
                    for (int i = 0; i < 32; i++) {
                        double ba = 0;
                        for (int k = 0; k < 4; k++) {
                            ba += (double) b[o * 4 + k] * a[k * 32 + i];
                        }
                        assertEquals(w[o * 32 + i] + 8.0 / 4 * ba, got[o * 32 + i], 1e-6, "W'[" + o + "," + i + "]");
                    }
                }
                assertTrue(merged.get("model.embed_tokens.weight") == base.get("model.embed_tokens.weight"),
                        "untouched tensors are the base's own");
            }
        }
    }

    @Test
    void theAdaptedForwardEqualsTheMergedModelAndSwitchesOffToTheBase() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights base = ModelWeights.random(CONFIG, m, 3);
            try (LoraAdapters adapters = LoraAdapters.create(ALL, base, m, 7)) {
                randomiseB(adapters, m);
                LlamaModel adapted = new LlamaModel(base, adapters);
                float[] withAdapters = logits(adapted, m);
                float[] merged = logits(new LlamaModel(ModelWeights.of(CONFIG, adapters.merge(base, m))), m);
                assertClose(merged, withAdapters, 1e-5f, "merged vs adapters");
                float[] baseLogits = logits(new LlamaModel(base), m);
                assertFalse(java.util.Arrays.equals(baseLogits, withAdapters), "a nonzero B changes the output");
                try (LoraAdapters.Switch off = adapters.disabled()) {
                    assertArrayEquals(baseLogits, logits(adapted, m), "adapters off is exactly the base");
                }
                assertArrayEquals(withAdapters, logits(adapted, m), "and on again");
            }
        }
    }

    @Test
    void adapterGradientsAreTheMergedWeightsGradientThroughTheChainRule() {
        // W' = W + s B A, so dL/dB = s dL/dW' A^T and dL/dA = s B^T dL/dW'; dL/dW' from the merged model
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights base = ModelWeights.random(CONFIG, m, 3);
            try (LoraAdapters adapters = LoraAdapters.create(ALL, base, m, 7)) {
                randomiseB(adapters, m);
                NDArray upstream = m.randomNormal(new ai.djl.ndarray.types.Shape(2, 6, 50)); // dL/dlogits
                Map<String, NDArray> merged = adapters.merge(base, m);
                String name = "model.layers.1.mlp.down_proj.weight"; // (32, 64)
                merged.get(name).setRequiresGradient(true);
                backward(new LlamaModel(ModelWeights.of(CONFIG, merged)), upstream, m);
                NDArray gradW = merged.get(name).getGradient();
                adapters.setRequiresGradient(true);
                backward(new LlamaModel(base, adapters), upstream, m);
                LoraAdapter adapter = adapters.adapter(1, "down_proj");
                NDArray s = m.create(2.0f);
                assertClose(gradW.matMul(adapter.a().transpose()).mul(s).toFloatArray(),
                        adapter.b().getGradient().toFloatArray(), 1e-5f, "dL/dB");
                assertClose(adapter.b().transpose().matMul(gradW).mul(s).toFloatArray(),
                        adapter.a().getGradient().toFloatArray(), 1e-5f, "dL/dA");
                for (String frozen : List.of(name, "model.embed_tokens.weight")) {
                    assertFalse(base.get(frozen).hasGradient(), frozen + " records no gradient");
                }
            }
        }
    }

    private static void backward(LlamaModel model, NDArray upstream, NDManager parent) {
        try (NDManager m = parent.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray ids = m.create(IDS);
            NDArray logits = model.logits(model.hidden(ids, m.create(MASK)));
            collector.backward(logits.mul(upstream).sum());
        }
    }

    @Test
    void dropoutActsOnlyWhileRecordingGradientsAndIsSeeded() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights base = ModelWeights.random(CONFIG, m, 3);
            LoraConfig dropped = new LoraConfig(4, 8.0, 0.5, LoraConfig.KNOWN_TARGETS, null, null);
            try (LoraAdapters plain = LoraAdapters.create(ALL, base, m, 7);
                    LoraAdapters withDropout = LoraAdapters.create(dropped, base, m, 7)) {
                randomiseB(plain, m);
                Map<String, NDArray> values = plain.parameters();
                withDropout.parameters().forEach((name, array) -> array.set(values.get(name).toFloatArray()));
                LlamaModel a = new LlamaModel(base, plain);
                LlamaModel b = new LlamaModel(base, withDropout);
                assertArrayEquals(logits(a, m), logits(b, m), "no dropout when scoring");
                float[] first;
                float[] again;
                float[] otherStep;
                withDropout.setRequiresGradient(true);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    withDropout.startStep(11, 3);
                    first = logits(b, m);
                    withDropout.startStep(11, 3);
                    again = logits(b, m);
                    withDropout.startStep(11, 4);
                    otherStep = logits(b, m);
                }
                assertNotEquals(java.util.Arrays.toString(logits(a, m)), java.util.Arrays.toString(first),
                        "dropout while training");
                assertArrayEquals(first, again, "the same step draws the same masks");
                assertFalse(java.util.Arrays.equals(first, otherStep), "another step draws others");
            }
        }
    }

    @Test
    void configKeysAreValidatedByName() {
        assertTrue(assertThrows(ConfigException.class, () -> new LoraConfig(0, null, null, null, null, null))
                .getMessage().contains("lora.r"));
        assertTrue(assertThrows(ConfigException.class,
                () -> new LoraConfig(null, null, null, List.of("q_proj", "lm_head"), null, null))
                .getMessage().contains("lora.target_modules: unknown module 'lm_head'"));
        assertTrue(assertThrows(ConfigException.class, () -> new LoraConfig(null, null, 1.0, null, null, null))
                .getMessage().contains("lora.dropout"));
        assertTrue(assertThrows(ConfigException.class,
                () -> new LoraConfig(null, null, null, null, List.of("norm"), null))
                .getMessage().contains("lora.modules_to_save"));
        LoraConfig defaults = LoraConfig.defaults();
        assertEquals(List.of("q_proj", "v_proj"), defaults.targetModules());
        assertEquals(2.0, defaults.scale());
    }

    /** B drawn normal(0, 0.1) so that the adapters do something. */
    static void randomiseB(LoraAdapters adapters, NDManager m) {
        for (LoraAdapter adapter : adapters.adapters()) {
            adapter.b().set(m.randomNormal(0f, 0.1f, adapter.b().getShape(), adapter.b().getDataType()).toFloatArray());
        }
    }

    static float[] logits(LlamaModel model, NDManager parent) {
        try (NDManager m = parent.newSubManager()) {
            NDArray ids = m.create(IDS);
            return model.logits(model.hidden(ids, m.create(MASK))).toFloatArray();
        }
    }

    static void assertClose(float[] expected, float[] actual, float tolerance, String what) {
        assertEquals(expected.length, actual.length, what);
        float worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= tolerance, what + ": max |diff| " + worst + " > " + tolerance);
    }
}
