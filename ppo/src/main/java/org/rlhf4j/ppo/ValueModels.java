package org.rlhf4j.ppo;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.pretrained.ScalarHead;

/**
 * The critic's starting point ({@code ppo.critic_model}): a reward model directory is used as it
 * is (InstructGPT initialises the value function from the reward model), a causal LM becomes a
 * sequence classifier over the same trunk with a zero value head, so every value starts at 0 and
 * the first updates move the head before the trunk.
 */
final class ValueModels {

    private ValueModels() {}

    static PretrainedModel load(Path dir, Device device, DataType dtype) throws IOException {
        return ScalarHead.load(dir, device, dtype, float[]::new);
    }

    /** {@code causal} as a one-label sequence classifier on the same arrays; its LM head is released. */
    static PretrainedModel withZeroValueHead(PretrainedModel causal) {
        return ScalarHead.swap(causal, new float[causal.config().hiddenSize()]);
    }
}
