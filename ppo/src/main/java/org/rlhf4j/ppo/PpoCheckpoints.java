package org.rlhf4j.ppo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.ResumeGuard;
import org.rlhf4j.core.training.TrainerState;

/**
 * PPO's checkpoints in the shared layout ({@link CheckpointStore}): the actor and its optimizer as
 * every stage saves them, plus {@value PpoTrainer#CRITIC_DIR}/ (the critic and its optimizer) and
 * {@value PpoState#FILE_NAME}, written into the same staging directory so that all appear at once.
 * A run resumes from the newest complete checkpoint of its output directory, if there is one.
 *
 * @param config the run's config
 * @param store the output directory's checkpoints
 * @param latest the checkpoint the run resumes from, where the actor and its optimizer are; null for
 *     a fresh run
 */
record PpoCheckpoints(PpoConfig config, CheckpointStore store, Path latest) {

    /** The checkpoints of {@code config}'s output directory. */
    static PpoCheckpoints of(PpoConfig config) throws IOException {
        CheckpointStore store = new CheckpointStore(config.outputPath(), config.modelSaveType(),
                config.train().saveTotalLimit());
        return new PpoCheckpoints(config, store, store.latest().orElse(null));
    }

    /** The critic's directory in {@link #latest}; null for a fresh run. */
    Path critic() {
        return latest != null ? latest.resolve(PpoTrainer.CRITIC_DIR) : null;
    }

    /** The iteration the run resumes after, 0 for a fresh run. */
    int resumedIteration() {
        return latest == null ? 0 : CheckpointStore.stepOf(latest);
    }

    /** A fresh trainer state, or the checkpoint's once the config is checked to describe the same prompt stream. */
    TrainerState trainerState(int prompts, int total) throws IOException {
        if (latest == null) {
            return TrainerState.start(config.seed(), config.train(), 1, prompts, total); // no accumulation
        }
        TrainerState s = CheckpointStore.readState(latest);
        ResumeGuard.requireSame(latest, "seed", s.seed(), config.seed());
        ResumeGuard.requireSame(latest, "train.batch_size", s.batchSize(), config.train().batchSize());
        ResumeGuard.requireSame(latest, "the number of prompts", s.trainRows(), prompts);
        return s.withSchedule(config.train(), total); // grad_accum is not checked: PPO records 1
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

    /** Saves iteration {@code state.step()}: actor, critic (unless null: no critic) and PPO state together. */
    void save(Learner actor, Learner critic, TrainerState state, PpoState ppoState) throws IOException {
        store.save(actor.pretrained(), actor.optimizer(), state, staged -> {
            if (critic != null) {
                CheckpointStore.saveModelAndOptimizer(staged.resolve(PpoTrainer.CRITIC_DIR), critic.pretrained(),
                        critic.optimizer(), config.modelSaveType(), null);
            }
            Files.writeString(staged.resolve(PpoState.FILE_NAME), ppoState.toJson());
        });
    }
}
