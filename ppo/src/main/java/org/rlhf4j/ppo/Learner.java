package org.rlhf4j.ppo;

import java.io.IOException;
import java.nio.file.Path;
import org.rlhf4j.core.optim.AdamW;
import org.rlhf4j.core.optim.LearningRateSchedule;
import org.rlhf4j.core.optim.OptimizerStep;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.TrainConfig;

/**
 * A model being trained (the actor or the critic) with its AdamW and its clipped, scheduled step.
 *
 * @param pretrained the model, its weights requiring gradients
 * @param optimizer its AdamW, whose moments a checkpoint saves
 * @param step clips the gradients to {@code train.max_grad_norm} and applies the AdamW update at the schedule's rate
 */
record Learner(PretrainedModel pretrained, AdamW optimizer, OptimizerStep step) implements AutoCloseable {

    /** A fresh AdamW over {@code pretrained}'s weights, its moments read from {@code checkpoint} if not null. */
    static Learner open(PretrainedModel pretrained, TrainConfig train, LearningRateSchedule schedule, Path checkpoint)
            throws IOException {
        AdamW optimizer = new AdamW(pretrained.weights(), train.adamW(), pretrained.manager());
        try {
            if (checkpoint != null) {
                CheckpointStore.loadOptimizer(checkpoint, optimizer, pretrained.manager());
            }
        } catch (IOException | RuntimeException e) {
            optimizer.close();
            throw e;
        }
        return new Learner(pretrained, optimizer,
                new OptimizerStep(optimizer, pretrained.weights(), train.maxGradNorm(), schedule));
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
