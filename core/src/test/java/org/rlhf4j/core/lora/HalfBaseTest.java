package org.rlhf4j.core.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.generate.SamplingParams;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.ModelWeights;
import org.rlhf4j.core.model.TokenLogps;
import org.rlhf4j.core.rollout.EngineOptions;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutEngine;
import org.rlhf4j.core.rollout.RolloutScorer;
import org.rlhf4j.core.rollout.StopCriteria;
import org.rlhf4j.core.tokenizer.ByteTokenizer;

/**
 * A frozen LoRA base held in float16 under float32 compute ({@code lora.base_dtype: float16}): the
 * base's bytes halve (norm gains stay float32), the log-probs and the adapters' gradients stay
 * within float16 rounding of the float32 base's, both where projections widen the weight (the CPU)
 * and where they compute in float16 (the GPU path, forced on the CPU here), gradients reach adapters
 * below half-precision projections, and cached generation over the half base records the log-probs
 * a forward computes.
 */
class HalfBaseTest {

    private static final long[][] IDS = {{4, 9, 13, 7, 30, 2}, {0, 0, 21, 6, 44, 19}};
    private static final long[][] MASK = {{1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}};
    /**
     * Largest log-prob difference allowed between the float16 and the float32 base: float16 keeps 11
     * significant bits (relative rounding 2^-11 = 4.9e-4 per weight and per projection input), which on
     * this model moved log-probs of magnitude ~4 by at most 0.8-1.4e-4 (measured, random B); 1e-3 leaves room.
     */
    private static final double LOGP_TOLERANCE = 1e-3;

    @Test
    void halfBaseHalvesTheBytesAndMatchesTheFloat32BaseWithinRounding() {
        halfBaseMatchesFloat32(); // on the CPU: each projection widens its frozen weight and computes in float32
    }

    @Test
    void halfComputeAsOnAGpuMatchesTheFloat32BaseAndPassesGradientsThroughTheNarrowing() {
        System.setProperty("rlhf4j.cpu_half_matmul", "true"); // the GPU path: projections compute in float16
        try {
            halfBaseMatchesFloat32();
        } finally {
            System.clearProperty("rlhf4j.cpu_half_matmul");
        }
    }

    private static void halfBaseMatchesFloat32() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights base = ModelWeights.random(LoraAdaptersTest.CONFIG, m, 3);
            LoraAdapters adapters = LoraAdapters.create(LoraAdaptersTest.ALL, base, m, 7);
            for (LoraAdapter adapter : adapters.adapters()) { // B = 0 would hide the adapters' path
                adapter.b().set(m.randomNormal(0f, 0.05f, adapter.b().getShape(), DataType.FLOAT32).toByteBuffer());
            }
            long bytes32 = base.byteSize();
            long normBytes = base.asMap().entrySet().stream().filter(e -> e.getKey().endsWith("norm.weight"))
                    .mapToLong(e -> e.getValue().getShape().size() * 4).sum();
            float[] logps32 = logps(new LlamaModel(base, adapters), m);
            List<float[]> grads32 = gradients(new LlamaModel(base, adapters), adapters, m);

            ModelWeights half = base.holdingBaseIn(DataType.FLOAT16, m);
            assertEquals((bytes32 - normBytes) / 2 + normBytes, half.byteSize(), "every tensor but the norms halves");
            assertEquals(DataType.FLOAT32, half.dataType(), "compute stays float32");
            for (Map.Entry<String, NDArray> e : half.asMap().entrySet()) {
                assertEquals(e.getKey().endsWith("norm.weight") ? DataType.FLOAT32 : DataType.FLOAT16,
                        e.getValue().getDataType(), e.getKey());
            }
            LlamaModel model16 = new LlamaModel(half, adapters);
            float[] logps16 = logps(model16, m);
            double worst = 0;
            for (int i = 0; i < logps32.length; i++) {
                worst = Math.max(worst, Math.abs(logps32[i] - logps16[i]));
            }
            System.err.printf("half base (%s): max |logp16 - logp32| = %.3g%n",
                    Boolean.getBoolean("rlhf4j.cpu_half_matmul") ? "float16 compute" : "widened", worst);
            assertTrue(worst < LOGP_TOLERANCE && worst > 0, "max log-prob difference " + worst);

            List<float[]> grads16 = gradients(model16, adapters, m);
            for (int k = 0; k < grads32.size(); k++) {
                float[] g32 = grads32.get(k);
                float[] g16 = grads16.get(k);
                double norm = 0;
                double diff = 0;
                for (int i = 0; i < g32.length; i++) {
                    norm += g32[i] * g32[i];
                    diff += (g32[i] - g16[i]) * (g32[i] - g16[i]);
                }
                assertTrue(norm > 0, "adapter tensor " + k + " gets a gradient");
                // layer 0's adapters are reached only through layer 1's half projections: under float16
                // compute the copy into a half buffer carries the gradient where DJL's toType would cut it
                assertTrue(Math.sqrt(diff / norm) < 1e-2, "adapter tensor " + k + ": relative gradient error "
                        + Math.sqrt(diff / norm));
            }
            // the no-graph path (toType) and the graph path (copy into a half buffer) round alike
            float[] recorded;
            try (NDManager scope = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                recorded = logpsArray(model16, scope).toFloatArray();
            }
            assertArrayEquals(logps16, recorded, 0f);
            adapters.close();
        }
    }

    @Test
    void generationOverAHalfBaseRecordsTheLogProbsAForwardComputes() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights base = ModelWeights.random(LoraAdaptersTest.CONFIG, m, 5);
            LoraAdapters adapters = LoraAdapters.create(LoraAdaptersTest.ALL, base, m, 7);
            LlamaModel model = new LlamaModel(base.holdingBaseIn(DataType.FLOAT16, m), adapters);
            RolloutEngine engine = new RolloutEngine(model, new ByteTokenizer(), EngineOptions.defaults());
            try (NDManager scope = m.newSubManager()) {
                List<int[]> prompts = List.of(new int[] {4, 9, 13}, new int[] {21, 6});
                RolloutBatch batch = engine.generate(prompts, SamplingParams.greedy(6), StopCriteria.eos(), 0,
                        org.rlhf4j.core.rollout.RolloutListener.NONE, scope);
                float[] sampled = batch.logps().toFloatArray();
                float[] scored = RolloutScorer.logps(model, batch, 1.0, scope).toFloatArray();
                for (int i = 0; i < sampled.length; i++) {
                    assertEquals(sampled[i], scored[i], 1e-3, "log-prob " + i); // fused vs unfused float16 rounding
                }
            }
            adapters.close();
        }
    }

    @Test
    void bfloat16IsRefusedNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new LoraConfig(null, null, null, null, null, null, "bfloat16"));
        assertTrue(e.getMessage().startsWith("lora.base_dtype: bfloat16 is not available"), e.getMessage());
        assertThrows(ConfigException.class, () -> new LoraConfig(null, null, null, null, null, null, "half"));
        assertEquals(DataType.FLOAT16, new LoraConfig(null, null, null, null, null, null, "float16").baseDataType());
        assertEquals(DataType.FLOAT32, LoraConfig.defaults().baseDataType());
    }

    private static NDArray logpsArray(LlamaModel model, NDManager scope) {
        NDArray ids = scope.create(IDS); // (B, T)
        NDArray logits = model.logits(model.hidden(ids, scope.create(MASK))); // (B, T, V)
        return TokenLogps.of(logits.get(new NDIndex(":, :-1, :")), ids.get(new NDIndex(":, 1:"))); // (B, T-1)
    }

    private static float[] logps(LlamaModel model, NDManager parent) {
        try (NDManager scope = parent.newSubManager()) {
            return logpsArray(model, scope).toFloatArray();
        }
    }

    /** The adapters' gradients of the summed log-probs, in {@link LoraAdapters#parameters} order. */
    private static List<float[]> gradients(LlamaModel model, LoraAdapters adapters, NDManager parent) {
        adapters.setRequiresGradient(true);
        List<float[]> out = new ArrayList<>();
        try (NDManager scope = parent.newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(logpsArray(model, scope).sum());
            }
            for (NDArray p : adapters.parameters().values()) {
                NDArray g = p.getGradient();
                out.add(g.toFloatArray());
                g.subi(g); // gradients accumulate across backward passes: start the next one from zero
                g.close();
            }
        }
        adapters.setRequiresGradient(false);
        return out;
    }
}
