package org.rlhf4j.ppo;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rlhf4j.core.model.Architecture;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.ModelWeights;
import org.rlhf4j.core.model.WeightLayout;
import org.rlhf4j.core.pretrained.PretrainedModel;

/**
 * The critic's starting point ({@code ppo.critic_model}): a reward model directory is used as it
 * is (InstructGPT initialises the value function from the reward model), a causal LM becomes a
 * sequence classifier over the same trunk with a zero value head, so every value starts at 0 and
 * the first updates move the head before the trunk.
 */
final class ValueModels {

    private ValueModels() {}

    static PretrainedModel load(Path dir, Device device, DataType dtype) throws IOException {
        PretrainedModel loaded = PretrainedModel.load(dir, device, dtype);
        if (loaded.model().hasScoreHead()) {
            return loaded;
        }
        try {
            return withZeroValueHead(loaded);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** {@code causal} as a one-label sequence classifier on the same arrays; its LM head is released. */
    static PretrainedModel withZeroValueHead(PretrainedModel causal) {
        LlamaConfig lm = causal.config();
        LlamaConfig config = lm.withArchitecture(Architecture.sequenceClassification(lm.modelType()), 1);
        Map<String, NDArray> weights = new LinkedHashMap<>(causal.weights());
        NDArray head = weights.remove(WeightLayout.LM_HEAD);
        if (head != null) {
            head.close();
        }
        NDManager manager = causal.manager();
        NDArray score = manager.zeros(new Shape(1, lm.hiddenSize()), causal.model().weights().dataType());
        score.setName(WeightLayout.SCORE);
        weights.put(WeightLayout.SCORE, score);
        return new PretrainedModel(new LlamaModel(ModelWeights.of(config, weights)), causal.tokenizer(),
                causal.generation(), manager);
    }
}
