package org.rlhf4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.kernels.ScaledDotProductAttention;
import org.rlhf4j.core.kernels.TorchBridge;

/**
 * The causal flash attention inside a whole model (JavaCPP's libtorch only): the log-probs of real
 * tokens and the gradient of every weight equal the DJL composition's with the full bias.
 */
class CausalAttentionParityTest {

    private static final float TOLERANCE = 1e-5f;

    @Test
    void rightPaddedBatchGivesTheComposedLogpsAndWeightGradients() {
        Assumptions.assumeTrue(TorchBridge.active(),
                "fused kernels need JavaCPP's libtorch: run with mvn -P javacpp (" + TorchBridge.status().description() + ")");
        // GQA (4 query / 2 kv heads) with projection biases; rows of 6, 3 and 1 real tokens.
        LlamaConfig config = TinyModels.config(",\"num_key_value_heads\":2,\"attention_bias\":true");
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights weights = ModelWeights.random(config, m, 3);
            weights.setRequiresGradient(true);
            LlamaModel model = new LlamaModel(weights);
            NDArray ids = m.create(new long[][] {{3, 4, 9, 13, 7, 1}, {21, 6, 44, 0, 0, 0}, {8, 0, 0, 0, 0, 0}});
            NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0}, {1, 0, 0, 0, 0, 0}});
            assertTrue(AttentionMask.isCausal(AttentionMask.bias(mask, 6, Integer.MAX_VALUE)));
            List<float[]> composed = logpsAndGradients(model, weights, ids, mask, "composed");
            List<float[]> causal = logpsAndGradients(model, weights, ids, mask, "causal");
            List<String> names = new ArrayList<>(weights.asMap().keySet());
            for (int i = 0; i < composed.size(); i++) {
                String what = i == 0 ? "log-probs" : "gradient of " + names.get(i - 1);
                assertEquals(composed.get(i).length, causal.get(i).length, what);
                for (int j = 0; j < composed.get(i).length; j++) {
                    assertEquals(composed.get(i)[j], causal.get(i)[j], TOLERANCE, what + " [" + j + "]");
                }
            }
        }
    }

    @Test
    void leftPaddedBatchThroughTheFloatBiasGivesTheComposedLogpsAndWeightGradients() {
        Assumptions.assumeTrue(TorchBridge.active(),
                "fused kernels need JavaCPP's libtorch: run with mvn -P javacpp (" + TorchBridge.status().description() + ")");
        LlamaConfig config = TinyModels.config(",\"num_key_value_heads\":2,\"attention_bias\":true");
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights weights = ModelWeights.random(config, m, 4);
            weights.setRequiresGradient(true);
            LlamaModel model = new LlamaModel(weights);
            NDArray ids = m.create(new long[][] {{3, 4, 9, 13, 7, 1}, {0, 0, 0, 21, 6, 44}, {0, 0, 0, 0, 0, 8}});
            NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1}, {0, 0, 0, 0, 0, 1}});
            List<float[]> composed = logpsAndGradients(model, weights, ids, mask, "composed");
            List<float[]> fused = logpsAndGradients(model, weights, ids, mask, "mask");
            assertParity(weights, composed, fused);
        }
    }

    private static void assertParity(ModelWeights weights, List<float[]> composed, List<float[]> fused) {
        List<String> names = new ArrayList<>(weights.asMap().keySet());
        for (int i = 0; i < composed.size(); i++) {
            String what = i == 0 ? "log-probs" : "gradient of " + names.get(i - 1);
            assertEquals(composed.get(i).length, fused.get(i).length, what);
            for (int j = 0; j < composed.get(i).length; j++) {
                assertEquals(composed.get(i)[j], fused.get(i)[j], TOLERANCE, what + " [" + j + "]");
            }
        }
    }

    /** Masked next-token log-probs (B, T-1), then every weight's gradient of their negated sum. */
    private static List<float[]> logpsAndGradients(LlamaModel model, ModelWeights weights, NDArray ids,
            NDArray mask, String mode) {
        String previous = System.getProperty(ScaledDotProductAttention.MODE_PROPERTY);
        System.setProperty(ScaledDotProductAttention.MODE_PROPERTY, mode);
        List<float[]> out = new ArrayList<>();
        try (NDManager scope = ids.getManager().newSubManager()) {
            scope.tempAttachAll(weights.asList());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.logits(model.hidden(ids, mask)); // (B, T, V)
                // a real token predicted from a real one: a left-padded row's first token is no target
                NDArray targets = mask.get(new NDIndex(":, 1:")).mul(mask.get(new NDIndex(":, :-1")))
                        .toType(logits.getDataType(), false); // (B, T-1)
                NDArray logps = TokenLogps.of(logits.get(new NDIndex(":, :-1")), ids.get(new NDIndex(":, 1:")))
                        .mul(targets); // (B, T-1), 0 where the target is padding
                out.add(logps.toFloatArray());
                gc.backward(logps.sum().neg());
            }
            for (Map.Entry<String, NDArray> e : weights.asMap().entrySet()) {
                out.add(e.getValue().getGradient().toFloatArray());
                e.getValue().getGradient().subi(e.getValue().getGradient()); // zero for the next pass
            }
        } finally {
            if (previous == null) {
                System.clearProperty(ScaledDotProductAttention.MODE_PROPERTY);
            } else {
                System.setProperty(ScaledDotProductAttention.MODE_PROPERTY, previous);
            }
        }
        return out;
    }
}
