package org.rlhf4j.core.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.rlhf4j.core.config.UserException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a resume whose config no longer describes the data stream the checkpoint was trained
 * on, naming the config key that changed; a changed schedule is allowed and only noted.
 *
 * <p>The data position in {@link TrainerState} (epoch, micro-batch) means the same rows only
 * under the same seed, batch size, accumulation and training set, so any change there would
 * silently train on another stream; the learning-rate schedule, in contrast, may be extended.
 * Beyond the data stream, {@link #requireSameDefinition} compares the whole {@link RunDefinition}.
 */
public final class ResumeGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ResumeGuard.class);

    private ResumeGuard() {
    }

    /**
     * The state to continue from: {@code checkpoint}'s, once its seed, {@code train.batch_size},
     * {@code train.grad_accum} and training rows match the config, under the config's schedule
     * over {@code maxSteps} (a change of schedule is noted on stderr).
     *
     * @param rowsName what the rows are, for the message ("the number of training pairs")
     * @throws IllegalArgumentException naming the first value that changed
     */
    public static TrainerState resume(Path checkpoint, long seed, TrainConfig train, String rowsName, int trainRows,
            int maxSteps) throws IOException {
        return resume(checkpoint, seed, train, train.gradAccum(), rowsName, trainRows, maxSteps);
    }

    /**
     * {@link #resume(Path, long, TrainConfig, String, int, int)} for a stage whose steps accumulate
     * {@code gradAccum} micro-batches whatever {@code train.grad_accum} says (PPO: 1).
     */
    public static TrainerState resume(Path checkpoint, long seed, TrainConfig train, int gradAccum, String rowsName,
            int trainRows, int maxSteps) throws IOException {
        TrainerState saved = CheckpointStore.readState(checkpoint);
        if (saved.step() > maxSteps) {
            throw new UserException(checkpoint + ": cannot resume: this checkpoint is at step " + saved.step()
                    + ", past the run's " + maxSteps + " steps (train.max_steps or train.epochs); raise it to at least "
                    + saved.step() + " or use a new output_dir");
        }
        requireSame(checkpoint, "seed", saved.seed(), seed);
        requireSame(checkpoint, "train.batch_size", saved.batchSize(), train.batchSize());
        requireSame(checkpoint, "train.grad_accum", saved.gradAccum(), gradAccum);
        requireSame(checkpoint, rowsName, saved.trainRows(), trainRows);
        if (saved.maxSteps() != maxSteps || !saved.schedule().equals(train.schedule()) || saved.peakLr() != train.lr()
                || saved.warmupSteps() != train.warmupSteps()) {
            LOG.warn(String.format("resuming %s with another schedule (max_steps %d -> %d, %s -> %s, lr %g -> %g);"
                    + " later learning rates follow the new one", checkpoint, saved.maxSteps(), maxSteps,
                    saved.schedule(), train.schedule(), saved.peakLr(), train.lr()));
        }
        return saved.withSchedule(train, maxSteps);
    }

    /**
     * Refuses to resume from {@code checkpoint} when what defines the run ({@code now}) differs
     * from what the checkpoint recorded, listing every differing item, unless {@code force}
     * ({@code train.force_resume}, {@code --force-resume}), which only notes them on stderr. A
     * checkpoint without a record (written before it existed) is not checked.
     */
    public static void requireSameDefinition(Path checkpoint, RunDefinition now, boolean force) throws IOException {
        Optional<RunDefinition> saved = RunDefinition.read(checkpoint);
        if (saved.isEmpty()) {
            return;
        }
        List<String> changed = now.differences(saved.get());
        if (changed.isEmpty()) {
            return;
        }
        String items = String.join("; ", changed);
        if (force) {
            LOG.warn("resuming {} although the run changed (train.force_resume): {}", checkpoint, items);
            return;
        }
        throw new UserException(checkpoint + ": cannot resume: the run is not the one this checkpoint"
                + " continues (" + items + "); restore the config, data and model, use a new output_dir,"
                + " or pass --force-resume (train.force_resume: true) to continue anyway");
    }

    /**
     * Throws unless {@code saved} (the checkpoint's value of {@code what}) equals {@code now} (the
     * config's).
     */
    public static void requireSame(Path checkpoint, String what, long saved, long now) {
        if (saved != now) {
            throw new UserException(checkpoint + ": cannot resume exactly: " + what + " was " + saved
                    + ", the config now gives " + now + "; restore it or use a new output_dir");
        }
    }
}
