package org.rlhf4j.ppo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rlhf4j.core.io.IoConsumer;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.ResumeGuard;
import org.rlhf4j.core.training.TrainingRun;

/**
 * What a PPO checkpoint holds beyond the actor, its optimizer and the trainer state that
 * {@link TrainingRun} saves and restores: {@value PpoTrainer#CRITIC_DIR}/ (the critic and its
 * optimizer) and {@value PpoState#FILE_NAME}, written into the same staging directory so that all
 * appear at once.
 *
 * @param config the run's config
 * @param latest the checkpoint the run resumes from ({@link TrainingRun#resumeFrom}); null for a fresh run
 */
record PpoCheckpoints(PpoConfig config, Path latest) {

    /** The critic's directory in {@link #latest}; null for a fresh run. */
    Path critic() {
        return latest != null ? latest.resolve(PpoTrainer.CRITIC_DIR) : null;
    }

    /**
     * The KL coefficient and reward moments to continue from: the checkpoint's, once its group size
     * is checked to be the config's, or the configured start.
     */
    PpoState ppoState() throws IOException {
        int groupSize = config.ppo().advantage().groupSize();
        if (latest == null) {
            return new PpoState(config.ppo().kl().coef(), RunningMoments.empty(), groupSize);
        }
        PpoState saved = PpoState.read(latest);
        ResumeGuard.requireSame(latest, "ppo.group_size", saved.groupSize(), groupSize);
        return saved;
    }

    /** The files a checkpoint adds to the actor's: the critic (unless null: no critic) and the PPO state. */
    IoConsumer<Path> extraFiles(Learner critic, PpoState ppoState) {
        return staged -> {
            if (critic != null) {
                CheckpointStore.saveModelAndOptimizer(staged.resolve(PpoTrainer.CRITIC_DIR), critic.pretrained(),
                        critic.optimizer(), config.modelSaveType(), null);
            }
            Files.writeString(staged.resolve(PpoState.FILE_NAME), ppoState.toJson());
        };
    }
}
