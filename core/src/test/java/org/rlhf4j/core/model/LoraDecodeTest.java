package org.rlhf4j.core.model;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.lora.LoraAdapter;
import org.rlhf4j.core.lora.LoraAdapters;
import org.rlhf4j.core.lora.LoraConfig;

/** Cached generation folds LoRA adapters into its fused weights: its steps equal the adapted full pass. */
class LoraDecodeTest {

    @Test
    void fusedStepsEqualTheAdaptedForwardPass() {
        LlamaConfig config = TinyModels.config(",\"num_key_value_heads\":2");
        LoraConfig lora = new LoraConfig(4, 8.0, 0.0, LoraConfig.KNOWN_TARGETS, null, null);
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights base = ModelWeights.random(config, m, 5);
            try (LoraAdapters adapters = LoraAdapters.create(lora, base, m, 2)) {
                for (LoraAdapter adapter : adapters.adapters()) {
                    adapter.b().set(m.randomNormal(0f, 0.1f, adapter.b().getShape(), adapter.b().getDataType())
                            .toFloatArray());
                }
                LlamaModel model = new LlamaModel(base, adapters);
                FusedDecoderTest.assertStepsMatch(model, 1e-5f);
                try (LoraAdapters.Switch off = adapters.disabled()) {
                    FusedDecoderTest.assertStepsMatch(model, 1e-5f); // decoding with the adapters off too
                }
            }
        }
    }
}
