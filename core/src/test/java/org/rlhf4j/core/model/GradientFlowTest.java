package org.rlhf4j.core.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradientFlowTest {

    @Test
    void everyParameterOfACausalLmGetsAFiniteNonzeroGradient() {
        // GQA with q/k/v/o biases and an untied head: every kind of tensor.
        LlamaConfig config = TinyModels.config(",\"num_key_value_heads\":2,\"attention_bias\":true");
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights weights = ModelWeights.random(config, m, 1);
            weights.setRequiresGradient(true);
            LlamaModel model = new LlamaModel(weights);
            NDArray ids = m.create(new long[][] {{0, 4, 9, 13, 7}, {21, 6, 44, 19, 0}});
            NDArray mask = m.create(new long[][] {{0, 1, 1, 1, 1}, {1, 1, 1, 1, 0}});
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.logits(model.hidden(ids, mask)); // (2, 5, V)
                NDArray logps = TokenLogps.of(logits.get(new NDIndex(":, :-1")),
                        ids.get(new NDIndex(":, 1:"))); // (2, 4)
                gc.backward(logps.mul(mask.get(new NDIndex(":, 1:")).toType(logps.getDataType(), false))
                        .sum().neg());
            }
            assertAllGradientsFiniteAndNonzero(weights);
        }
    }

    @Test
    void everyParameterOfARewardModelGetsAFiniteNonzeroGradient() {
        LlamaConfig config = TinyModels.config(",\"num_key_value_heads\":1,\"model_type\":\"qwen2\","
                + "\"architectures\":[\"Qwen2ForSequenceClassification\"],\"num_labels\":1");
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights weights = ModelWeights.random(config, m, 2);
            weights.setRequiresGradient(true);
            LlamaModel model = new LlamaModel(weights);
            NDArray ids = m.create(new long[][] {{0, 4, 9, 13, 7}, {21, 6, 44, 19, 0}});
            NDArray mask = m.create(new long[][] {{0, 1, 1, 1, 1}, {1, 1, 1, 1, 0}});
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray scores = model.lastTokenScores(model.hidden(ids, mask), mask); // (2)
                // chosen row 0 vs rejected row 1: -log sigmoid(r0 - r1), written as softplus-free ops
                NDArray margin = scores.get(0).sub(scores.get(1));
                gc.backward(margin.neg().exp().add(1).log());
            }
            assertAllGradientsFiniteAndNonzero(weights);
        }
    }

    private static void assertAllGradientsFiniteAndNonzero(ModelWeights weights) {
        for (Map.Entry<String, NDArray> e : weights.asMap().entrySet()) {
            NDArray grad = e.getValue().getGradient();
            assertTrue(grad.isNaN().logicalOr(grad.isInfinite()).none().getBoolean(), e.getKey() + " not finite");
            assertTrue(grad.abs().sum().getFloat() > 0, e.getKey() + " has an all-zero gradient");
        }
    }
}
