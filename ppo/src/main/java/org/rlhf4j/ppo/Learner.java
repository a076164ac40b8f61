package org.rlhf4j.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.rlhf4j.core.optim.AdamW;
import org.rlhf4j.core.optim.LearningRateSchedule;
import org.rlhf4j.core.optim.OptimizerStep;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.TrainConfig;

/**
 * A model being trained (the critic) with its AdamW and its clipped, scheduled step: over every
 * weight, or with LoRA adapters over the adapters and their saved modules only (the base records no
 * gradient and has no optimizer state).
 *
 * @param pretrained the model, its trainable arrays requiring gradients
 * @param optimizer its AdamW, whose moments a checkpoint saves
 * @param step clips the gradients to {@code train.max_grad_norm} and applies the AdamW update at the schedule's rate
 * @param seed seeds the adapters' dropout per step (unused without adapters)
 */
record Learner(PretrainedModel pretrained, AdamW optimizer, OptimizerStep step, long seed) implements AutoCloseable {

    /**
     * A fresh AdamW over {@code pretrained}'s trainable arrays, its moments read from {@code checkpoint} if not
     * null; adapters' dropout seeded for {@code firstStep}.
     */
    static Learner open(PretrainedModel pretrained, TrainConfig train, LearningRateSchedule schedule, Path checkpoint,
            long seed, int firstStep) throws IOException {
        Map<String, NDArray> trainable = trainable(pretrained);
        trainable.values().forEach(array -> array.setRequiresGradient(true));
        AdamW optimizer = new AdamW(trainable, train.adamW(), pretrained.manager());
        try {
            if (checkpoint != null) {
                CheckpointStore.loadOptimizer(checkpoint, optimizer, pretrained.manager());
            }
        } catch (IOException | RuntimeException e) {
            optimizer.close();
            throw e;
        }
        if (pretrained.adapters() != null) {
            pretrained.adapters().startStep(seed, firstStep);
        }
        return new Learner(pretrained, optimizer,
                new OptimizerStep(optimizer, trainable, train.maxGradNorm(), schedule), seed);
    }

    private static Map<String, NDArray> trainable(PretrainedModel model) {
        return model.adapters() != null ? model.adapters().parameters() : model.weights();
    }

    /** {@link OptimizerStep#apply} of minibatch update {@code iteration}, then the next step's dropout seeds. */
    OptimizerStep.Result apply(int iteration, double loss) {
        OptimizerStep.Result result = step.apply(iteration, loss);
        if (pretrained.adapters() != null) {
            pretrained.adapters().startStep(seed, iteration + 1); // as the policy's adapters (TrainingRun)
        }
        return result;
    }

    /**
     * The arrays this model computes with that {@code other} does not (a LoRA critic on the policy's
     * base shares the policy's arrays): what an iteration's scope attaches besides the policy's, since
     * attaching one array twice to the same manager would close it when that manager closes.
     */
    NDList arraysBesides(PretrainedModel other) {
        Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.addAll(other.model().weights().asMap().values());
        NDList out = new NDList();
        for (NDArray array : pretrained.model().weights().asMap().values()) {
            if (seen.add(array)) {
                out.add(array);
            }
        }
        return out;
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
