package org.rlhf4j.core.pretrained;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.model.Architecture;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.ModelWeights;
import org.rlhf4j.core.model.WeightLayout;

/**
 * Models with one scalar output per position (reward and value models): a causal LM's LM head
 * swapped for a {@code score.weight} [1, D], as transformers' {@code *ForSequenceClassification}
 * with {@code num_labels: 1}.
 */
public final class ScalarHead {

    private ScalarHead() {}

    /**
     * Loads {@code dir} as a model with a scalar head: a sequence classifier as it is (it must have
     * one label), a causal LM through {@link #swap} with the head {@code initialHead.apply(D)}.
     *
     * @param initialHead the D values of the new head, given the hidden size D
     * @throws IllegalArgumentException if a sequence classifier has more than one label
     */
    public static PretrainedModel load(Path dir, Device device, DataType dtype, IntFunction<float[]> initialHead)
            throws IOException {
        PretrainedModel loaded = PretrainedModel.load(dir, device, dtype);
        try {
            if (loaded.config().architecture().hasScalarHead()) {
                requireOneLabel(dir, loaded.config());
                return loaded;
            }
            return swap(loaded, initialHead.apply(loaded.config().hiddenSize()));
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /**
     * The causal LM {@code causal} as a one-label sequence classifier over the same trunk arrays and
     * manager, with {@code score.weight} = {@code head} (D values, cast to the weights' dtype); the LM
     * head's array is released and {@code causal} must not be used afterwards.
     */
    public static PretrainedModel swap(PretrainedModel causal, float[] head) {
        LlamaConfig lm = causal.config();
        int d = lm.hiddenSize();
        if (head.length != d) {
            throw new IllegalArgumentException("a scalar head needs " + d + " values, got " + head.length);
        }
        LlamaConfig config = lm.withArchitecture(Architecture.sequenceClassification(lm.modelType()), 1);
        Map<String, NDArray> weights = new LinkedHashMap<>(causal.weights());
        NDArray lmHead = weights.remove(WeightLayout.LM_HEAD);
        if (lmHead != null) {
            lmHead.close();
        }
        NDManager manager = causal.manager();
        NDArray score = manager.create(head, new Shape(1, d))
                .toType(causal.model().weights().dataType(), false); // (1, D)
        score.setName(WeightLayout.SCORE);
        weights.put(WeightLayout.SCORE, score);
        return new PretrainedModel(new LlamaModel(ModelWeights.of(config, weights)), causal.tokenizer(),
                causal.generation(), manager);
    }

    /**
     * A one-label sequence classifier over {@code source}'s base arrays, shared and not copied: a
     * LoRA critic's frozen trunk. Its head is {@code source}'s own {@code score.weight} (a reward
     * model's), else a new zero head (1, D) in the model's own manager, a sub-manager of
     * {@code source}'s that {@link PretrainedModel#close} releases; {@code source} must outlive it.
     */
    public static PretrainedModel sharingTrunk(PretrainedModel source) {
        LlamaConfig own = source.config();
        LlamaConfig config = own.architecture().hasScalarHead() ? own
                : own.withArchitecture(Architecture.sequenceClassification(own.modelType()), 1);
        Map<String, NDArray> weights = new LinkedHashMap<>(source.baseWeights().asMap());
        weights.remove(WeightLayout.LM_HEAD);
        NDManager manager = source.manager().newSubManager();
        if (!weights.containsKey(WeightLayout.SCORE)) {
            NDArray score = manager.zeros(new Shape(1, own.hiddenSize()), source.baseWeights().dataType()); // (1, D)
            score.setName(WeightLayout.SCORE);
            weights.put(WeightLayout.SCORE, score);
        }
        return PretrainedModel.sharing(new LlamaModel(ModelWeights.of(config, weights)), source, manager);
    }

    /** Rejects a sequence classifier whose {@code num_labels} is set and is not 1. */
    public static void requireOneLabel(Path dir, LlamaConfig config) {
        Integer labels = config.numLabels();
        if (labels != null && labels != 1) {
            throw new UserException(dir + ": a reward model has one output, this "
                    + config.architecture().hfName() + " has num_labels " + labels);
        }
    }
}
